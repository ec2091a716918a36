package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"decisiond/store"
	"decisiond/workflow"
)

var errBackupBroken = errors.New("the copy does not verify")

// copyReport is what a verified copy holds.
type copyReport struct {
	events      int64
	head        string
	checkpoints int
	decisions   int
}

// verifyCopy verifies a database file read-only — the chain, every table
// against it and, when journal is given, the signed checkpoints against the
// chain — and names the first thing wrong.
func verifyCopy(ctx context.Context, cfg config, path, journal string) (*copyReport, error) {
	c := cfg
	c.db = path
	db, err := openReadOnly(ctx, c)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	res, err := db.Verify(ctx)
	if err != nil {
		return nil, err
	}
	if !res.OK {
		return nil, fmt.Errorf("%w: %s at seq %d (table %s, id %d)", errBackupBroken, res.Reason, res.FirstBadSeq, res.Table, res.RowID)
	}
	rep := &copyReport{events: res.Events, head: res.Head}
	if journal != "" {
		cp, err := db.VerifyCheckpoints(ctx, journal, true, nil)
		if err != nil {
			return nil, err
		}
		if !cp.OK {
			return nil, fmt.Errorf("%w: %s", errBackupBroken, cp.Reason)
		}
		rep.checkpoints = cp.Checkpoints
	}
	if rep.decisions, err = db.CountDecisions(ctx); err != nil {
		return nil, err
	}
	return rep, nil
}

func refuse(zh, en string) error { return workflow.Errorf(workflow.CodeValidationFailed, zh, en) }

// backupCmd: decisiond backup --to FILE [--db SOURCE] — an online backup of
// the SQLite database (VACUUM INTO while acts go on), its checkpoint
// journal copied to FILE.checkpoints, the copy verified before it is
// renamed into place.
func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg config
	fs := newFlags("backup", &cfg, stderr)
	to := fs.String("to", "", "the backup file to write (must not exist)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *to == "" {
		return errors.New("usage: decisiond backup --to FILE [--db SOURCE]")
	}
	if store.IsPostgres(cfg.db) {
		return refuse("PostgreSQL 数据库请用 pg_dump 备份，恢复后运行 decisiond verify（见 README）",
			"back up PostgreSQL with pg_dump and run decisiond verify after a restore (see the README)")
	}
	journalTo := *to + ".checkpoints"
	if p := store.ExistsAny(*to, journalTo); p != "" {
		return refuse("目标已存在，不会覆盖："+p, "the target exists and is not overwritten: "+p)
	}
	tmp, tmpJournal := store.TempBeside(*to), store.TempBeside(journalTo)
	cleanup := func() { _ = os.Remove(tmp); _ = os.Remove(tmpJournal) }
	// The journal first: every checkpoint in the copy is then at or
	// before the snapshot's head.
	hasJournal := false
	if j := cfg.journalPath(); j != "" {
		var err error
		if hasJournal, err = store.CopyJournal(j, tmpJournal); err != nil {
			cleanup()
			return err
		}
	}
	if err := store.SnapshotSQLite(ctx, cfg.db, tmp); err != nil {
		cleanup()
		return err
	}
	verifyJournal := ""
	if hasJournal {
		verifyJournal = tmpJournal
	}
	rep, err := verifyCopy(ctx, cfg, tmp, verifyJournal)
	if err != nil {
		cleanup()
		return fmt.Errorf("备份副本校验未通过，已删除 / the backup copy did not verify and was removed: %w", err)
	}
	if hasJournal {
		if err := os.Rename(tmpJournal, journalTo); err != nil {
			cleanup()
			return err
		}
	}
	if err := os.Rename(tmp, *to); err != nil {
		cleanup()
		_ = os.Remove(journalTo)
		return err
	}
	_ = store.SyncDir(filepath.Dir(*to))
	fmt.Fprintf(stdout, "OK: 备份完成 / backup written: %s (%d decisions, %d audit events verified; head %s)\n", *to, rep.decisions, rep.events, rep.head)
	if hasJournal {
		fmt.Fprintf(stdout, "OK: 检查点日志 / checkpoint journal: %s (%d signed checkpoints hold)\n", journalTo, rep.checkpoints)
	}
	if cfg.documentsDir != "" {
		fmt.Fprintf(stdout, "NOTE: 文档内容保存在 %s，请一并备份该目录 / document contents live in %s: back that folder up too (files are named by their hash and never change)\n",
			cfg.documentsDir, cfg.documentsDir)
	}
	return nil
}

// restoreCmd: decisiond restore --from FILE --db TARGET — a verified
// backup into an empty location, verified again in place.
func restoreCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg config
	fs := newFlags("restore", &cfg, stderr)
	from := fs.String("from", "", "the backup file (its checkpoint journal FILE.checkpoints is restored too)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" {
		return errors.New("usage: decisiond restore --from FILE --db TARGET")
	}
	if store.IsPostgres(cfg.db) {
		return refuse("PostgreSQL 数据库请用 pg_restore 恢复到空库，再运行 decisiond verify（见 README）",
			"restore PostgreSQL with pg_restore into an empty database, then run decisiond verify (see the README)")
	}
	journal := cfg.journalPath()
	if p := store.ExistsAny(append(store.SQLiteFiles(cfg.db), journal)...); p != "" {
		return refuse("恢复只写入空位置，目标已存在："+p, "a restore writes only into an empty location; this exists: "+p)
	}
	fromJournal := *from + ".checkpoints"
	if _, err := os.Stat(fromJournal); err != nil {
		fromJournal = ""
	}
	if _, err := verifyCopy(ctx, cfg, *from, fromJournal); err != nil {
		return fmt.Errorf("备份文件校验未通过，未恢复 / the backup does not verify; nothing was restored: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(cfg.db), 0o750); err != nil {
		return err
	}
	tmp, tmpJournal := store.TempBeside(cfg.db), store.TempBeside(journal)
	cleanup := func() { _ = os.Remove(tmp); _ = os.Remove(tmpJournal) }
	if err := store.CopyFileSynced(*from, tmp); err != nil {
		cleanup()
		return err
	}
	verifyJournal := ""
	if fromJournal != "" {
		if err := store.CopyFileSynced(fromJournal, tmpJournal); err != nil {
			cleanup()
			return err
		}
		verifyJournal = tmpJournal
	}
	rep, err := verifyCopy(ctx, cfg, tmp, verifyJournal)
	if err != nil {
		cleanup()
		return fmt.Errorf("恢复的副本校验未通过，已删除 / the restored copy did not verify and was removed: %w", err)
	}
	if verifyJournal != "" {
		if err := os.Rename(tmpJournal, journal); err != nil {
			cleanup()
			return err
		}
	}
	if err := os.Rename(tmp, cfg.db); err != nil {
		cleanup()
		return err
	}
	_ = store.SyncDir(filepath.Dir(cfg.db))
	fmt.Fprintf(stdout, "OK: 恢复完成 / restored: %s (%d decisions, %d audit events verified; head %s)\n", cfg.db, rep.decisions, rep.events, rep.head)
	if verifyJournal != "" {
		fmt.Fprintf(stdout, "OK: 检查点日志 / checkpoint journal: %s (%d signed checkpoints hold)\n", journal, rep.checkpoints)
	}
	return nil
}
