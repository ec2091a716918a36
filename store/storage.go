package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"syscall"

	"decisiond/workflow"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// Refusals of the storage itself (503): the disk is full, or the database
// (or the folder it lives in) is read-only. A write refused so is rolled
// back whole — nothing half-written — and the act may be retried once an
// operator has made room or made the database writable again.
const (
	CodeStorageFull     = "storage_full"
	CodeStorageReadOnly = "storage_read_only"
)

func errStorageFull() *workflow.Error {
	return workflow.Errorf(CodeStorageFull, "数据库所在磁盘已满，本次操作未写入任何内容；请联系管理员清理磁盘空间后重试",
		"the database's disk is full; nothing of this act was written — ask the administrator to free space, then try again")
}

func errStorageReadOnly() *workflow.Error {
	return workflow.Errorf(CodeStorageReadOnly, "数据库当前为只读（文件或所在磁盘只读），本次操作未写入任何内容；请联系管理员",
		"the database is read-only (its file or disk); nothing of this act was written — ask the administrator")
}

// SQLite primary result codes and PostgreSQL SQLSTATEs of a full or
// read-only storage.
const (
	sqliteReadOnly = 8
	sqliteFull     = 13
	sqliteCantOpen = 14
	pgDiskFull     = "53100"
	pgReadOnlyTx   = "25006"
)

// storageError turns an error of a full or read-only storage into the
// clear refusal a person can act on (keeping the cause for the log); any
// other error is returned unchanged.
func storageError(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := workflow.AsError(err); ok {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqliteFull:
			return fmt.Errorf("%w (%v)", errStorageFull(), err)
		case sqliteReadOnly:
			return fmt.Errorf("%w (%v)", errStorageReadOnly(), err)
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case pgDiskFull:
			return fmt.Errorf("%w (%v)", errStorageFull(), err)
		case pgReadOnlyTx:
			return fmt.Errorf("%w (%v)", errStorageReadOnly(), err)
		}
	}
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return fmt.Errorf("%w (%v)", errStorageFull(), err)
	case errors.Is(err, syscall.EROFS):
		return fmt.Errorf("%w (%v)", errStorageReadOnly(), err)
	}
	return err
}

// openError explains a SQLite file that cannot be opened for writing.
func openError(path string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && (se.Code()&0xff == sqliteCantOpen || se.Code()&0xff == sqliteReadOnly) && !writableDir(filepath.Dir(path)) {
		return fmt.Errorf("%w: %s (%v)", workflow.Errorf(CodeStorageReadOnly, "数据库所在目录只读，无法以读写方式打开数据库",
			"the database's folder is read-only; the database cannot be opened for writing"), path, err)
	}
	return storageError(err)
}
