package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"decisiond/store"
)

// verifyCmd walks the whole record read-only: the chain, then the signed
// checkpoints of the journal. Exit 1 naming the first thing wrong.
func verifyCmd(ctx context.Context, cfg config, checkpoints, pubKey string, stdout io.Writer) error {
	db, err := openReadOnly(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	// The signed checkpoints first: a chain rewritten end to end, or cut,
	// is named at the checkpoint it no longer reaches.
	journal, required := cfg.journalPath(), false
	if checkpoints != "" {
		journal, required = checkpoints, true
	}
	var pinned []byte
	if pubKey != "" {
		if pinned, err = os.ReadFile(pubKey); err != nil {
			return err
		}
	}
	cp := &store.CheckpointReport{OK: true, Warning: "没有配置检查点日志 / no checkpoint journal configured"}
	if journal != "" {
		if cp, err = db.VerifyCheckpoints(ctx, journal, required, pinned); err != nil {
			return err
		}
	}
	if !cp.OK {
		fmt.Fprintf(stdout, "BROKEN: %s (journal %s)\n", cp.Reason, journal)
		return errVerifyFailed
	}
	res, err := db.Verify(ctx)
	if err != nil {
		return err
	}
	if !res.OK {
		switch {
		case res.FirstBadSeq == 0 && res.Table == "":
		case res.Table == "" || res.Table == "audit_events":
			fmt.Fprintf(stdout, "BROKEN: audit chain broken at seq %d: %s (%d events verified before it)\n", res.FirstBadSeq, res.Reason, res.Events)
		default:
			fmt.Fprintf(stdout, "BROKEN: table %s, id %d, broken at seq %d: %s (the chain of %d events is intact)\n", res.Table, res.RowID, res.FirstBadSeq, res.Reason, res.Events)
		}
		for _, p := range res.BrokenAnchors {
			fmt.Fprintf(stdout, "BROKEN ANCHOR: %s\n", p)
		}
		return errVerifyFailed
	}
	fmt.Fprintf(stdout, "OK: %d audit events verified; head %s; %d catalogue anchors hold\n", res.Events, res.Head, res.Anchors)
	if cp.Warning != "" {
		fmt.Fprintf(stdout, "WARNING: %s\n", cp.Warning)
	} else {
		fmt.Fprintf(stdout, "OK: %d signed checkpoints hold (journal %s)\n", cp.Checkpoints, journal)
	}
	return nil
}
