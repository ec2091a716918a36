// Package storetest opens real stores for tests: SQLite in a temporary
// folder always, and PostgreSQL (a fresh schema per test) when
// DECISIOND_TEST_POSTGRES holds a DSN. No mocks of our own store.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/crypt"
	"decisiond/workflow"
)

// PostgresEnv names the variable that holds the PostgreSQL test DSN.
const PostgresEnv = "DECISIOND_TEST_POSTGRES"

// Now is the pinned time of tests: 2026-11-25 10:00 in China.
var Now = time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)

// Options returns store options with the built-in calendar, the named rule
// pack and a clock pinned at Now.
func Options(tb testing.TB, rules string) store.Options {
	tb.Helper()
	cal, err := workflow.NewCalendar(seeds.BuiltinCalendarYears()...)
	if err != nil {
		tb.Fatal(err)
	}
	packs, err := seeds.RulePacks()
	if err != nil {
		tb.Fatal(err)
	}
	signer, err := crypt.Generate(crypt.SuiteIntl)
	if err != nil {
		tb.Fatal(err)
	}
	for _, p := range packs {
		if p.Code == rules {
			return store.Options{Calendar: cal, Packs: packs, Rules: p, Clock: &workflow.FixedClock{T: Now}, Signer: signer}
		}
	}
	tb.Fatalf("no rule pack %q", rules)
	return store.Options{}
}

// Backend is one database kind to run a test against.
type Backend struct {
	Name string
	Open func(tb testing.TB) (*store.DB, string) // the store and its DSN
	// OpenWith opens a store with the given options (test hooks).
	OpenWith func(tb testing.TB, opts store.Options) (*store.DB, string)
}

// Backends lists SQLite and, when configured, PostgreSQL. When PostgreSQL
// is not configured it says so in the test log.
func Backends(tb testing.TB) []Backend {
	bs := []Backend{{Name: "sqlite", Open: func(tb testing.TB) (*store.DB, string) { return OpenSQLite(tb, "qinghai") },
		OpenWith: func(tb testing.TB, o store.Options) (*store.DB, string) {
			path := filepath.Join(tb.TempDir(), "decisiond.db")
			return openWith(tb, path, o), path
		}}}
	if os.Getenv(PostgresEnv) != "" {
		bs = append(bs, Backend{Name: "postgres", Open: func(tb testing.TB) (*store.DB, string) { return OpenPostgres(tb, "qinghai") },
			OpenWith: func(tb testing.TB, o store.Options) (*store.DB, string) {
				dsn := postgresSchema(tb)
				return openWith(tb, dsn, o), dsn
			}})
	} else {
		tb.Logf("PostgreSQL variant skipped: set %s to a DSN (e.g. postgres://root@127.0.0.1:5432/test?sslmode=disable) to run it", PostgresEnv)
	}
	return bs
}

// OpenSQLite opens a new SQLite store in a temporary folder.
func OpenSQLite(tb testing.TB, rules string) (*store.DB, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "decisiond.db")
	return open(tb, path, rules), path
}

// OpenPostgres opens a store on a fresh schema of the test PostgreSQL
// database; it skips the test when none is configured.
func OpenPostgres(tb testing.TB, rules string) (*store.DB, string) {
	tb.Helper()
	dsn := postgresSchema(tb)
	return open(tb, dsn, rules), dsn
}

// postgresSchema makes a fresh schema in the test database, dropped when
// the test ends, and returns the DSN that uses it.
func postgresSchema(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(PostgresEnv)
	if dsn == "" {
		tb.Skipf("PostgreSQL test skipped: %s is not set", PostgresEnv)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		tb.Fatalf("create schema (is PostgreSQL running at %s?): %v", dsn, err)
	}
	tb.Cleanup(func() {
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(dsn)
	if err != nil || !strings.HasPrefix(dsn, "postgres") {
		tb.Fatalf("%s must be a postgres:// URL", PostgresEnv)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func open(tb testing.TB, dsn, rules string) *store.DB {
	tb.Helper()
	return openWith(tb, dsn, Options(tb, rules))
}

func openWith(tb testing.TB, dsn string, opts store.Options) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), dsn, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// Base loads the demo organ, units and users into db.
func Base(tb testing.TB, db *store.DB) *seeds.Fixture {
	tb.Helper()
	fx, err := seeds.Base(context.Background(), db)
	if err != nil {
		tb.Fatal(err)
	}
	return fx
}

// Tmpfs mounts a small tmpfs (size like "2m") in a temporary folder for a
// test of a full or read-only disk, unmounted when the test ends. It skips
// the test, saying why, where a file system cannot be mounted (not root,
// no CAP_SYS_ADMIN, not Linux).
func Tmpfs(tb testing.TB, size string) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "tmpfs")
	if err := os.Mkdir(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput()
	if err != nil {
		tb.Skipf("cannot mount a %s tmpfs to fill (needs root and CAP_SYS_ADMIN): %v %s", size, err, out)
	}
	tb.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			tb.Logf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// Remount remounts a Tmpfs read-only (ro true) or read-write.
func Remount(tb testing.TB, dir string, ro bool) {
	tb.Helper()
	mode := "rw"
	if ro {
		mode = "ro"
	}
	if out, err := exec.Command("mount", "-o", "remount,"+mode, dir).CombinedOutput(); err != nil {
		tb.Fatalf("remount %s %s: %v %s", dir, mode, err, out)
	}
}

// Fill writes a file into dir until its file system is full and returns
// the file's path (remove it to make room again).
func Fill(tb testing.TB, dir string) string {
	tb.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			break
		}
	}
	// The last partial blocks too.
	for _, n := range []int{4096, 512, 1} {
		for {
			if _, err := f.Write(buf[:n]); err != nil {
				break
			}
		}
	}
	_ = f.Sync()
	return path
}

// PostgresDSN makes a fresh schema in the test PostgreSQL database (dropped
// when the test ends) and returns a DSN that uses it, for a server run as
// a separate process; it skips the test when none is configured.
func PostgresDSN(tb testing.TB) string {
	tb.Helper()
	return postgresSchema(tb)
}
