// Package store is persistence: sqlx over SQLite (the embedded default) or
// PostgreSQL, embedded goose migrations, the one Apply path every act takes,
// and the hash-chained audit log.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"decisiond/store/crypt"
	"decisiond/workflow"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // SQLite driver "sqlite"
)

//go:embed migrations
var migrations embed.FS

// dialect is the one place where SQLite and PostgreSQL differ.
type dialect struct {
	name      string
	driver    string
	goose     goose.Dialect
	dir       string
	forUpdate string // suffix that locks a selected row for the transaction
	lockAudit string // statement that serializes appends to the audit chain
}

var (
	sqliteDialect = dialect{name: "sqlite", driver: "sqlite", goose: goose.DialectSQLite3, dir: "migrations/sqlite",
		// One writer at a time: BEGIN IMMEDIATE already serializes acts.
		forUpdate: "", lockAudit: ""}
	postgresDialect = dialect{name: "postgres", driver: "pgx", goose: goose.DialectPostgres, dir: "migrations/postgres",
		forUpdate: " FOR UPDATE", lockAudit: "SELECT pg_advisory_xact_lock(713025)"}
)

// Options configure a store.
type Options struct {
	Clock workflow.Clock
	// Calendar is the built-in working-day calendar; years an administrator
	// loads override it.
	Calendar *workflow.Calendar
	// Packs are the built-in rule packs, installed into a new database.
	Packs []workflow.RulePack
	// Rules is the pack put in force in a new database; afterwards an
	// administrator changes the active pack (an audited act).
	Rules workflow.RulePack
	// Procedure is the procedure machine, built once by the caller and
	// shared with the handlers; nil builds one.
	Procedure *workflow.Procedure
	// Crypto is the deployment's cryptographic suite: "intl" (default:
	// SHA-256, Ed25519) or "gm" (国密: SM3, SM2).
	Crypto string
	// DocumentsDir keeps document contents in a folder (under their hash)
	// instead of the database.
	DocumentsDir string
	// Signer signs checkpoints of the chain head (nil: nothing is signed).
	Signer *crypt.Signer
	// CheckpointJournal is the append-only file checkpoints are written to
	// outside the database; CheckpointWitness an optional URL they are
	// posted to.
	CheckpointJournal string
	CheckpointWitness string
	// AddressSalt is the deployment's secret the addresses of the public's
	// comments are hashed with (only the salted hash is kept). It is never
	// written to the database; empty: a random salt for this process.
	AddressSalt []byte
	// NoGroupCommit turns group commit off: each act gets a transaction of
	// its own (for comparison; group commit is the default).
	NoGroupCommit bool
	// BeforeCommit, when set, runs inside every write transaction just
	// before it commits. It is a test hook: a test makes it panic to prove
	// that the transaction rolls back and the writer stays usable.
	BeforeCommit func()
}

// DB is the store.
type DB struct {
	w    *sqlx.DB // writer: one connection on SQLite
	r    *sqlx.DB // readers
	d    dialect
	proc *workflow.Procedure
	opts Options

	readOnly bool
	cp       checkpointer
	app      appender
	acts     actCounter // acts by event and outcome (metrics)
	memos    txMemos    // what each open write transaction has read (txmemo.go)

	// afterChainWalk, when set (tests only), runs between verification's
	// walk of the chain and its checks of the tables.
	afterChainWalk func()

	mu            sync.RWMutex
	calendar      *workflow.Calendar
	rules         workflow.RulePack
	configVersion string
	configLoaded  bool
	unitCache     map[int64]workflow.Unit
}

// IsPostgres reports whether a DSN names PostgreSQL.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") ||
		strings.Contains(dsn, "host=") || strings.Contains(dsn, "dbname=")
}

// Open opens (creating if needed) the database named by dsn — a SQLite file
// path, or a PostgreSQL URL/DSN — and migrates it to the current schema.
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	db, err := connect(ctx, dsn, opts, false)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.initConfig(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// OpenReadOnly opens an existing database for reading only: no migration,
// no configuration installed, nothing written (verify and every read-only
// command use it). On SQLite the file is opened read-only, so a copy on a
// read-only medium verifies and stays byte-identical.
func OpenReadOnly(ctx context.Context, dsn string, opts Options) (*DB, error) {
	if !IsPostgres(dsn) {
		if _, err := os.Stat(dsn); err != nil {
			return nil, fmt.Errorf("open %s: %w", dsn, err)
		}
	}
	db, err := connect(ctx, dsn, opts, true)
	if err != nil {
		return nil, err
	}
	db.readOnly = true
	if err := db.refreshConfig(ctx, db.r); err != nil {
		db.Close()
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	return db, nil
}

func connect(ctx context.Context, dsn string, opts Options, readOnly bool) (*DB, error) {
	if opts.Clock == nil {
		opts.Clock = workflow.SystemClock{}
	}
	if opts.Procedure == nil {
		opts.Procedure = workflow.New()
	}
	if len(opts.AddressSalt) == 0 {
		opts.AddressSalt = make([]byte, 32)
		if _, err := rand.Read(opts.AddressSalt); err != nil {
			return nil, err
		}
	}
	db := &DB{proc: opts.Procedure, opts: opts, calendar: opts.Calendar, rules: opts.Rules}
	db.app.quit = make(chan struct{})
	var err error
	if IsPostgres(dsn) {
		db.d = postgresDialect
		if readOnly {
			// Every transaction of every connection is read-only:
			// PostgreSQL itself refuses a write.
			dsn = withPGParam(dsn, "default_transaction_read_only", "on")
		}
		if db.w, err = sqlx.Open("pgx", dsn); err != nil {
			return nil, err
		}
		db.w.SetMaxOpenConns(16)
		// database/sql keeps only 2 idle connections by default: under
		// load the others were closed after each use and opened again (a
		// new backend, its authentication, its statement cache empty).
		db.w.SetMaxIdleConns(16)
		db.r = db.w
	} else {
		db.d = sqliteDialect
		if readOnly {
			// mode=ro never writes the file; immutable=1 also works where
			// the folder is read-only (no -shm file can be made).
			ro := "file:" + dsn + "?mode=ro&_pragma=query_only(1)&_pragma=busy_timeout(10000)"
			if !writableDir(filepath.Dir(dsn)) {
				ro += "&immutable=1"
			}
			if db.w, err = sqlx.Open(cachingDriverName, ro); err != nil {
				return nil, err
			}
			db.w.SetMaxOpenConns(1)
			db.r = db.w
		} else {
			if dir := filepath.Dir(dsn); dir != "" {
				if err := os.MkdirAll(dir, 0o750); err != nil {
					return nil, fmt.Errorf("create database folder: %w", err)
				}
			}
			base := SQLiteDSN(dsn)
			if db.w, err = sqlx.Open(cachingDriverName, base+"&_txlock=immediate"); err != nil {
				return nil, err
			}
			db.w.SetMaxOpenConns(1)
			if db.r, err = sqlx.Open(cachingDriverName, base+"&_pragma=query_only(1)"); err != nil {
				return nil, err
			}
			db.r.SetMaxOpenConns(4)
			// Kept open, all four (database/sql keeps 2 by default): a
			// new SQLite connection opens the file, parses the whole
			// schema and starts with no prepared statement — under 16
			// clients that was a tenth of the server's CPU.
			db.r.SetMaxIdleConns(4)
		}
	}
	if err := db.w.PingContext(ctx); err != nil {
		db.Close()
		if db.d.name == "sqlite" && !readOnly {
			err = openError(dsn, err)
		}
		return nil, fmt.Errorf("connect to %s: %w", db.d.name, err)
	}
	return db, nil
}

// SQLiteDSN is the connection string of a SQLite file with the store's
// settings: foreign keys on, WAL, synchronous=FULL (every commit durable),
// a busy timeout. Writers add _txlock=immediate.
func SQLiteDSN(path string) string {
	return "file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)"
}

// withPGParam adds a run-time parameter to a PostgreSQL URL or key=value DSN.
func withPGParam(dsn, k, v string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		if strings.Contains(dsn, "?") {
			return dsn + "&" + k + "=" + v
		}
		return dsn + "?" + k + "=" + v
	}
	return dsn + " " + k + "=" + v
}

// writableDir reports whether a file can be created in dir.
func writableDir(dir string) bool {
	f, err := os.CreateTemp(dir, ".decisiond-probe-*")
	if err != nil {
		return false
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return true
}

// Dialect names the database in use ("sqlite" or "postgres").
func (db *DB) Dialect() string { return db.d.name }

// Procedure is the procedure machine the store applies acts with.
func (db *DB) Procedure() *workflow.Procedure { return db.proc }

// Close closes the database (after the acts already queued are answered).
func (db *DB) Close() error {
	db.stopAppender()
	var errs []error
	if db.r != nil && db.r != db.w {
		errs = append(errs, db.r.Close())
	}
	if db.w != nil {
		errs = append(errs, db.w.Close())
	}
	return errors.Join(errs...)
}

func (db *DB) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, db.d.dir)
	if err != nil {
		return nil, err
	}
	// Migrations are additive, each one its own concern, so a database
	// that applied a later one first still takes an earlier one.
	opts := []goose.ProviderOption{goose.WithAllowOutofOrder(true)}
	if db.d.name == "postgres" {
		// Two instances starting together on one database: the first
		// migrates, the second waits for it (a session advisory lock).
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(db.d.goose, db.w.DB, sub, opts...)
}

// Migrate brings the schema up to date, one transaction per migration.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", storageError(err))
	}
	return nil
}

// Ping checks that the database answers and the schema is current.
func (db *DB) Ping(ctx context.Context) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	has, err := p.HasPending(ctx)
	if err != nil {
		return err
	}
	if has {
		return errors.New("schema has pending migrations")
	}
	return db.r.PingContext(ctx)
}

// Now is the server's clock.
func (db *DB) Now() time.Time { return db.opts.Clock.Now() }

// Rules returns the active rule pack.
func (db *DB) Rules() workflow.RulePack {
	db.mu.RLock()
	defer db.mu.RUnlock()
	return db.rules
}

// Calendar returns the working-day calendar in force.
func (db *DB) Calendar() *workflow.Calendar {
	db.mu.RLock()
	defer db.mu.RUnlock()
	return db.calendar
}

// errReadOnly refuses a write on a store opened with OpenReadOnly.
var errReadOnly = workflow.Errorf(workflow.CodeForbidden, "数据库以只读方式打开，不能写入", "the database is open read-only; nothing can be written")

// tx runs fn in one write transaction: all of it or none of it. The
// rollback is deferred, so an error, a panic in fn or a cancelled context
// always ends the transaction and the single SQLite writer is never left
// wedged; after a commit the rollback is a no-op.
func (db *DB) tx(ctx context.Context, fn func(tx *sqlx.Tx) error) (err error) {
	if db.readOnly {
		return errReadOnly
	}
	tx, err := db.w.BeginTxx(ctx, nil)
	if err != nil {
		return storageError(fmt.Errorf("begin: %w", err))
	}
	db.memos.open(tx)
	defer db.memos.close(tx)
	defer func() { _ = tx.Rollback() }()
	if err := fn(tx); err != nil {
		return storageError(err) // a full or read-only disk is a clear refusal
	}
	if db.opts.BeforeCommit != nil {
		db.opts.BeforeCommit()
	}
	return storageError(tx.Commit())
}

// Time format for stored times: fixed width so text order is time order.
const timeFormat = "2006-01-02T15:04:05.000000000Z"

func ts(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTS(s string) time.Time {
	t, _ := time.Parse(timeFormat, s)
	return t
}

var errNotFound = workflow.Errorf(workflow.CodeNotFound, "未找到该决策事项", "decision not found")

func notFound(zh, en string) error { return workflow.Errorf(workflow.CodeNotFound, zh, en) }

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// ExecRaw runs one hand-written SQL statement on the writer connection.
// It exists for operators' repairs and for tests that prove the database's
// own triggers refuse what the procedure forbids; it is not an API path.
func (db *DB) ExecRaw(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return db.w.ExecContext(ctx, db.w.Rebind(query), args...)
}

// ParseTime reads a time as the store writes it.
func ParseTime(s string) time.Time { return parseTS(s) }
