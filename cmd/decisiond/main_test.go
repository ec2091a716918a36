package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := Run(context.Background(), args, &out, &errb)
	return out.String() + errb.String(), err
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	for _, suffix := range []string{"", "-wal"} {
		src, err := os.Open(from + suffix)
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		dst, err := os.Create(to + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(dst, src); err != nil {
			t.Fatal(err)
		}
		src.Close()
		dst.Close()
	}
}

// TestVerifyNamesTamperedEvent: the chain verifies after the demo seed;
// altering any stored audit event on a copy of the database file (the
// trigger dropped first) makes `verify` fail and name that event's seq.
func TestVerifyNamesTamperedEvent(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "demo.db")
	if out, err := run(t, "seed", "--demo", "--db", path); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	out, err := run(t, "verify", "--db", path)
	if err != nil || !strings.HasPrefix(out, "OK: ") {
		t.Fatalf("verify after seed: %v\n%s", err, out)
	}
	var events int
	fmt.Sscanf(out, "OK: %d", &events)
	if events < 20 {
		t.Fatalf("demo seed produced only %d audit events", events)
	}
	cases := []struct {
		seq    int
		column string
		value  string
	}{
		{1, "actor_name", "篡改者"},
		{events / 2, "data", `{"reason":"篡改"}`},
		{events / 2, "to_state", "published"},
		{events, "at", "2020-01-01T00:00:00.000000000Z"},
		{events - 1, "prev_hash", strings.Repeat("f", 64)},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("seq %d %s", c.seq, c.column), func(t *testing.T) {
			cp := filepath.Join(t.TempDir(), "copy.db")
			copyFile(t, path, cp)
			raw, err := sql.Open("sqlite", cp)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := raw.Exec(`UPDATE audit_events SET `+c.column+` = ? WHERE seq = ?`, c.value, c.seq); err == nil {
				t.Fatal("the immutability trigger did not refuse the update")
			}
			if _, err := raw.Exec(`DROP TRIGGER audit_events_no_update`); err != nil {
				t.Fatal(err)
			}
			if _, err := raw.Exec(`UPDATE audit_events SET `+c.column+` = ? WHERE seq = ?`, c.value, c.seq); err != nil {
				t.Fatal(err)
			}
			raw.Close()
			out, err := run(t, "verify", "--db", cp)
			if !errors.Is(err, errVerifyFailed) {
				t.Fatalf("verify of a tampered copy: err %v\n%s", err, out)
			}
			if want := fmt.Sprintf("broken at seq %d:", c.seq); !strings.Contains(out, want) {
				t.Fatalf("verify output %q does not name %q", out, want)
			}
		})
	}
	// The original is untouched.
	if out, err := run(t, "verify", "--db", path); err != nil {
		t.Fatalf("original: %v %s", err, out)
	}
}

func TestUserAndTokenCommands(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	if out, err := run(t, "seed", "--demo", "--db", path); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	if out, err := run(t, "seed", "--demo", "--db", path); err == nil {
		t.Fatalf("a second demo seed must be refused:\n%s", out)
	}
	if out, err := run(t, "user", "create", "--name", "zhang", "--role", "undertaking,executor", "--unit", "西宁市教育局", "--db", path); err != nil {
		t.Fatalf("user create: %v\n%s", err, out)
	}
	if out, err := run(t, "user", "create", "--name", "bad", "--role", "king", "--db", path); err == nil {
		t.Fatalf("unknown role accepted:\n%s", out)
	}
	if out, err := run(t, "user", "create", "--name", "zhang", "--role", "executor", "--db", path); err == nil {
		t.Fatalf("duplicate user accepted:\n%s", out)
	}
	var out, errb bytes.Buffer
	if err := Run(context.Background(), []string{"token", "create", "--user", "zhang", "--db", path}, &out, &errb); err != nil {
		t.Fatal(err, errb.String())
	}
	tok := strings.TrimSpace(out.String())
	if !strings.HasPrefix(tok, "dcd_") || strings.Contains(tok, "\n") || len(tok) < 40 {
		t.Fatalf("token create must print only the token, got %q", out.String())
	}
	if o, err := run(t, "token", "create", "--user", "nobody", "--db", path); err == nil {
		t.Fatalf("token for unknown user:\n%s", o)
	}
	if o, err := run(t, "verify", "--db", path); err != nil {
		t.Fatalf("verify: %v %s", err, o)
	}
	if _, err := run(t, "frobnicate"); err == nil {
		t.Fatal("unknown command accepted")
	}
}

// TestVerifyReadOnly: `verify` opens the database read-only and writes
// nothing — on a read-only copy of the file it succeeds and the file is
// byte-identical afterwards; and verifying a path where no database exists
// fails without creating one.
func TestVerifyReadOnly(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "demo.db")
	if out, err := run(t, "seed", "--demo", "--db", path); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	roDir := filepath.Join(dir, "ro")
	if err := os.Mkdir(roDir, 0o755); err != nil {
		t.Fatal(err)
	}
	cp := filepath.Join(roDir, "copy.db")
	copyFile(t, path, cp)
	if _, err := os.Stat(cp + "-wal"); err == nil {
		t.Fatal("the seeded database left a WAL file behind; the copy would not be self-contained")
	}
	before, err := os.ReadFile(cp)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(cp, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(roDir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(roDir, 0o755) })
	out, err := run(t, "verify", "--db", cp)
	if err != nil || !strings.HasPrefix(out, "OK: ") {
		t.Fatalf("verify of a read-only copy: %v\n%s", err, out)
	}
	after, err := os.ReadFile(cp)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Fatal("verify changed the database file")
	}
	if fi, err := os.Stat(cp + "-wal"); err == nil && fi.Size() > 0 {
		t.Errorf("verify wrote %d bytes of write-ahead log", fi.Size())
	}
	missing := filepath.Join(dir, "none.db")
	if out, err := run(t, "verify", "--db", missing); err == nil {
		t.Fatalf("verify of a missing database succeeded:\n%s", out)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("verify created a database")
	}
}

// TestVerifyNamesBrokenAnchor: the demo's two published catalogue versions
// carry anchors; a changed published item (trigger dropped, on a copy)
// breaks its version's anchor, and a tampered event before an anchor breaks
// every anchor after it — verify names each one.
func TestVerifyNamesBrokenAnchor(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.db")
	if out, err := run(t, "seed", "--demo", "--db", path); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	out, err := run(t, "verify", "--db", path)
	if err != nil || !strings.Contains(out, "; 2 catalogue anchors hold") {
		t.Fatalf("verify after seed: %v\n%s", err, out)
	}
	cases := []struct {
		name  string
		stmts []string
		want  []string
	}{
		{"a published item changed", []string{`DROP TRIGGER catalogue_entries_frozen_update`,
			`UPDATE catalogue_entries SET planned = '2027-Q4' WHERE version_id = 1`},
			[]string{"BROKEN ANCHOR: 西宁市人民政府 2026年度目录第1版", "content hash"}},
		{"an event before the first anchor", []string{`DROP TRIGGER audit_events_no_update`,
			`UPDATE audit_events SET actor_name = '篡改者' WHERE seq = 5`},
			[]string{"broken at seq 5:", "BROKEN ANCHOR: 西宁市人民政府 2026年度目录第1版", "BROKEN ANCHOR: 西宁市人民政府 2026年度目录第2版"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cp := filepath.Join(t.TempDir(), "copy.db")
			copyFile(t, path, cp)
			raw, err := sql.Open("sqlite", cp)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range c.stmts {
				if _, err := raw.Exec(s); err != nil {
					t.Fatalf("%s: %v", s, err)
				}
			}
			raw.Close()
			out, err := run(t, "verify", "--db", cp)
			if !errors.Is(err, errVerifyFailed) {
				t.Fatalf("verify: err %v\n%s", err, out)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("verify output does not name %q:\n%s", w, out)
				}
			}
		})
	}
}
