package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"decisiond/workflow"
)

// Backup and restore of the embedded SQLite database. A backup is taken
// online — VACUUM INTO reads one consistent snapshot while acts go on in
// the WAL — into a temporary file beside the target; the checkpoint
// journal is copied first (so it never names a seq past the snapshot);
// the copy is verified (the whole chain, every table against it, the
// journal against the chain) and only then renamed into place. A full
// disk or an unwritable target leaves nothing behind and the source
// untouched. (PostgreSQL: pg_dump / pg_restore, then verify; README.)

// ErrTargetExists refuses to overwrite a backup or a database.
func errTargetExists(path string) error {
	return workflow.Errorf(workflow.CodeValidationFailed, "目标已存在，不会覆盖："+path, "the target exists and is not overwritten: "+path)
}

// exists reports whether path names anything.
func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// TempBeside is a fresh name in path's folder for a file that becomes path
// by rename once it is complete.
func TempBeside(path string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".partial-"+hex.EncodeToString(b))
}

// SnapshotSQLite writes one consistent copy of the SQLite database src
// into dst (which must not exist) with VACUUM INTO, without stopping
// writers. On failure dst is removed; a full disk or a read-only target is
// a clear refusal (storage_full, storage_read_only).
func SnapshotSQLite(ctx context.Context, src, dst string) error {
	if IsPostgres(src) {
		return workflow.Errorf(workflow.CodeValidationFailed, "PostgreSQL 数据库请用 pg_dump 备份（见 README）", "back up PostgreSQL with pg_dump (see the README)")
	}
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("open %s: %w", src, err)
	}
	if exists(dst) {
		return errTargetExists(dst)
	}
	dsn := "file:" + src + "?mode=ro&_pragma=busy_timeout(10000)"
	if !writableDir(filepath.Dir(src)) {
		dsn += "&immutable=1" // a read-only medium: nobody writes it
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	removeDst := func() {
		for _, p := range []string{dst, dst + "-journal", dst + "-wal", dst + "-shm"} {
			_ = os.Remove(p)
		}
	}
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dst); err != nil {
		removeDst()
		if !writableDir(filepath.Dir(dst)) {
			return fmt.Errorf("%w: %s", errStorageReadOnly(), filepath.Dir(dst))
		}
		return fmt.Errorf("snapshot %s: %w", src, storageError(err))
	}
	if err := syncFile(dst); err != nil {
		removeDst()
		return fmt.Errorf("sync %s: %w", dst, storageError(err))
	}
	return nil
}

// CopyJournal copies the complete lines of a checkpoint journal (a line
// being appended at that moment is left for the next backup) into dst,
// synced. It reports whether there was a journal to copy.
func CopyJournal(src, dst string) (bool, error) {
	b, err := os.ReadFile(src)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		b = b[:i+1]
	} else {
		b = nil
	}
	if err := writeSynced(dst, bytes.NewReader(b)); err != nil {
		return false, err
	}
	return true, nil
}

// CopyFileSynced copies a file to dst (which must not exist) and syncs it;
// on failure dst is removed.
func CopyFileSynced(src, dst string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	return writeSynced(dst, f)
}

func writeSynced(dst string, r io.Reader) error {
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		if exists(dst) {
			return errTargetExists(dst)
		}
		if !writableDir(filepath.Dir(dst)) {
			return fmt.Errorf("%w: %s", errStorageReadOnly(), filepath.Dir(dst))
		}
		return storageError(err)
	}
	_, err = io.Copy(out, r)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(dst)
		return fmt.Errorf("write %s: %w", dst, storageError(err))
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// SyncDir makes a rename in dir durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// SQLiteFiles are the files of a SQLite database at path (the database,
// its WAL and shared-memory files); a restore needs all of them absent.
func SQLiteFiles(path string) []string { return []string{path, path + "-wal", path + "-shm"} }

// ExistsAny returns the first of paths that exists, or "".
func ExistsAny(paths ...string) string {
	for _, p := range paths {
		if exists(p) {
			return p
		}
	}
	return ""
}
