package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"decisiond/store"
)

var errArchiveBroken = errors.New("archive package verification failed")

// archiveCmd: archive export --decision N [--out FILE] writes a decision's
// signed archive package; archive verify FILE checks one offline, with
// nothing but the package (and optionally --public-key to pin the key).
func archiveCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "export" {
		var cfg config
		fs := newFlags("archive export", &cfg, stderr)
		id := fs.Int64("decision", 0, "the decision's id")
		out := fs.String("out", "", "the zip to write (default: decision-N-archive-HASH.zip here)")
		key := fs.String("signing-key", env("SIGNING_KEY", ""), "PEM private key (default: the one beside the database)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *id < 1 {
			return errors.New("--decision is required")
		}
		opts, err := options(cfg)
		if err != nil {
			return err
		}
		if opts.Signer, _, err = signingKey(cfg, *key); err != nil {
			return err
		}
		db, err := store.Open(ctx, cfg.db, opts)
		if err != nil {
			return err
		}
		defer db.Close()
		zip, info, err := db.ExportArchive(ctx, store.System, *id)
		if err != nil {
			return err
		}
		path := *out
		if path == "" {
			path = info.Name
		}
		if err := os.WriteFile(path, zip, 0o640); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "archive package written: %s (%d bytes, %s %s)\n", path, info.Size, info.Alg, info.Hash)
		return nil
	}
	if len(args) > 0 && args[0] == "verify" {
		fs := flag.NewFlagSet("archive verify", flag.ContinueOnError)
		fs.SetOutput(stderr)
		pub := fs.String("public-key", "", "the deployment's public key (PEM) the package must be signed with")
		// The file may come before or after the flags.
		var files []string
		rest := args[1:]
		for {
			if err := fs.Parse(rest); err != nil {
				return err
			}
			if fs.NArg() == 0 {
				break
			}
			files, rest = append(files, fs.Arg(0)), fs.Args()[1:]
		}
		if len(files) != 1 {
			return errors.New("usage: decisiond archive verify FILE [--public-key PEM]")
		}
		b, err := os.ReadFile(files[0])
		if err != nil {
			return err
		}
		var pinned []byte
		if *pub != "" {
			if pinned, err = os.ReadFile(*pub); err != nil {
				return err
			}
		}
		rep, err := store.VerifyArchive(bytes.NewReader(b), int64(len(b)), pinned)
		if err != nil {
			fmt.Fprintf(stdout, "BROKEN: %v\n", err)
			return errArchiveBroken
		}
		if !rep.OK {
			fmt.Fprintf(stdout, "BROKEN: %s\n", rep.Problem)
			return errArchiveBroken
		}
		fmt.Fprintf(stdout, "OK: archive package of decision %d: %d files and %d audit events verified; signed by key %s\n", rep.Decision, rep.Files, rep.Events, rep.KeyID)
		return nil
	}
	return errors.New("usage: decisiond archive export --decision N [--out FILE] | decisiond archive verify FILE [--public-key PEM]")
}
