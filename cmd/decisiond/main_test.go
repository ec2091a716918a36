package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"decisiond/store"

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

func runIn(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := RunIO(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String() + errb.String(), err
}

// TestAdministrationCommands: the administration by command line — units
// by short name, an organ's head and review body, users disabled and
// re-enabled, passwords from standard input (never on the command line),
// roles under 三员分立, tokens listed and revoked — each an audited act; the
// chain verifies afterwards.
func TestAdministrationCommands(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	db := []string{"--db", path}
	must := func(stdin string, args ...string) string {
		t.Helper()
		out, err := runIn(t, stdin, append(args, db...)...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		return out
	}
	refused := func(args ...string) string {
		t.Helper()
		out, err := runIn(t, "", append(args, db...)...)
		if err == nil {
			t.Fatalf("%v must be refused:\n%s", args, out)
		}
		return err.Error()
	}
	must("", "unit", "create", "--name", "海东市人民政府", "--short-name", "海东市政府", "--kind", "organ")
	must("", "unit", "create", "--name", "海东市司法局", "--short-name", "司法局", "--kind", "unit", "--parent", "海东市政府")
	must("", "unit", "create", "--name", "海东市交通运输局", "--kind", "unit", "--parent", "海东市人民政府")
	refused("unit", "create", "--name", "孤立单位", "--kind", "unit")
	must("", "user", "create", "--name", "mayor", "--display-name", "市长", "--role", "leader", "--unit", "海东市政府", "--head")
	must("", "user", "create", "--name", "zhang", "--role", "undertaking", "--unit", "交通运输局") // the unique suffix
	must("", "organ", "set", "--organ", "海东市人民政府", "--review-unit", "司法局")
	refused("user", "create", "--name", "both", "--role", "sysadmin,auditor")
	refused("user", "create", "--name", "mixed", "--role", "secadmin,office")
	refused("user", "passwd", "--name", "zhang") // no --password-stdin
	if _, err := runIn(t, "weak\n", "user", "passwd", "--name", "zhang", "--password-stdin", "--db", path); err == nil {
		t.Fatal("a weak password was accepted")
	}
	must("Strong#2026\n", "user", "passwd", "--name", "zhang", "--password-stdin", "--temporary")
	must("", "user", "roles", "--name", "zhang", "--role", "undertaking,executor")
	must("", "user", "disable", "--name", "zhang")
	list := must("", "user", "list")
	if !strings.Contains(list, "zhang") || !strings.Contains(list, "disabled") {
		t.Fatalf("user list: %s", list)
	}
	must("", "user", "enable", "--name", "zhang")
	tok := strings.TrimSpace(must("", "token", "create", "--user", "zhang", "--label", "对接OA", "--expires", "30d"))
	must("", "token", "create", "--user", "zhang", "--label", "备用", "--expires", "2027-01-31")
	refused("token", "create", "--user", "zhang", "--expires", "sometime")
	tl := must("", "token", "list", "--user", "zhang")
	if strings.Count(tl, "\n") != 2 || !strings.Contains(tl, "对接OA") || strings.Contains(tl, tok) {
		t.Fatalf("token list must name both tokens and never show one:\n%s", tl)
	}
	must("", "token", "revoke", "--token", tok)
	if tl := must("", "token", "list", "--user", "zhang"); !strings.Contains(tl, "revoked") {
		t.Fatalf("a revoked token is listed as such:\n%s", tl)
	}
	if out := must("", "token", "revoke", "--user", "zhang"); !strings.Contains(out, "1 token(s)") {
		t.Fatalf("revoke --user revokes the remaining live token: %s", out)
	}
	out := must("", "verify")
	if !strings.HasPrefix(out, "OK: ") {
		t.Fatal(out)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var leaks int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM audit_events WHERE data LIKE '%Strong#2026%' OR data LIKE '%` + tok + `%'`).Scan(&leaks); err != nil || leaks != 0 {
		t.Fatalf("a password or token reached the audit data (%d, %v)", leaks, err)
	}
	var n int
	for _, ev := range []string{"create_unit", "set_organ", "create_user", "set_password", "set_roles", "disable_user", "enable_user", "create_token", "revoke_token"} {
		if err := raw.QueryRow(`SELECT COUNT(*) FROM audit_events WHERE event = ?`, ev).Scan(&n); err != nil || n == 0 {
			t.Errorf("no %s event in the audit chain (%v)", ev, err)
		}
	}
	var head int64
	if err := raw.QueryRow(`SELECT head_user_id FROM units WHERE name = '海东市人民政府'`).Scan(&head); err != nil || head == 0 {
		t.Errorf("user create --head names the organ's head: %d %v", head, err)
	}
}

// TestServeDemoOnlyOnLoopback: serve --demo refuses a non-loopback address
// unless --demo-on-network, before it opens anything.
func TestServeDemoOnlyOnLoopback(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.db")
	out, err := run(t, "serve", "--demo", "--addr", "0.0.0.0:0", "--db", path)
	if err == nil || !strings.Contains(err.Error(), "--demo-on-network") {
		t.Fatalf("serve --demo on 0.0.0.0: %v\n%s", err, out)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the refused demo created a database")
	}
	for _, a := range []string{"127.0.0.1:8080", "[::1]:8080", "localhost:8080"} {
		if !loopback(a) {
			t.Errorf("%s is loopback", a)
		}
	}
	for _, a := range []string{"0.0.0.0:8080", ":8080", "192.168.1.2:8080", "[::]:8080"} {
		if loopback(a) {
			t.Errorf("%s is not loopback", a)
		}
	}
}

// TestKeysGenerate: keys generate writes a PEM key pair (Ed25519 by
// default, SM2 with --crypto gm) and never overwrites one.
func TestKeysGenerate(t *testing.T) {
	for _, suite := range []string{"intl", "gm"} {
		dir := filepath.Join(t.TempDir(), "keys")
		out, err := run(t, "keys", "generate", "--out", dir, "--crypto", suite)
		if err != nil {
			t.Fatalf("%s: %v %s", suite, err, out)
		}
		want := map[string]string{"intl": "ed25519", "gm": "sm2"}[suite]
		if !strings.HasPrefix(out, want) {
			t.Errorf("%s: %s", suite, out)
		}
		pem, err := os.ReadFile(filepath.Join(dir, "decisiond-signing.key"))
		if err != nil || !strings.Contains(string(pem), "-----BEGIN PRIVATE KEY-----") {
			t.Fatalf("%s: private key %v", suite, err)
		}
		if _, err := run(t, "keys", "generate", "--out", dir, "--crypto", suite); err == nil {
			t.Fatalf("%s: an existing key was overwritten", suite)
		}
	}
	if _, err := run(t, "keys", "generate", "--out", t.TempDir(), "--crypto", "rot13"); err == nil {
		t.Fatal("an unknown suite was accepted")
	}
}

// TestVerifyWithCheckpointJournal: verify reads the database's own journal
// (<db>.checkpoints) by default; it passes untampered, fails naming the
// checkpoint when the chain's tail was cut on a copy (triggers dropped),
// warns when there is no journal, and fails when a journal named with
// --checkpoints is missing. serve's default key is made beside the database.
func TestVerifyWithCheckpointJournal(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "demo.db")
	if out, err := run(t, "seed", "--demo", "--db", path); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	out, err := run(t, "verify", "--db", path)
	if err != nil || !strings.Contains(out, "WARNING") {
		t.Fatalf("no journal yet: a warning, not a failure: %v\n%s", err, out)
	}
	cfg := config{db: path, rules: "qinghai", crypto: "intl"}
	signer, note, err := signingKey(cfg, "")
	if err != nil || signer == nil || !strings.Contains(note, filepath.Join(dir, "keys")) {
		t.Fatalf("the default key is made beside the database: %v %s", err, note)
	}
	if again, _, _ := signingKey(cfg, ""); again.KeyID() != signer.KeyID() {
		t.Fatal("the key made on first start is reused afterwards")
	}
	if _, _, err := signingKey(config{db: path, crypto: "gm"}, ""); err == nil {
		t.Fatal("a 国密 deployment refuses an Ed25519 key")
	}
	opts, _ := options(cfg)
	opts.Signer = signer
	db, err := store.Open(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := db.Checkpoint(context.Background(), "test")
	db.Close()
	if err != nil || cp == nil {
		t.Fatalf("checkpoint: %v", err)
	}
	if out, err := run(t, "verify", "--db", path); err != nil || !strings.Contains(out, "1 signed checkpoints hold") {
		t.Fatalf("verify with the journal: %v\n%s", err, out)
	}
	cp2 := filepath.Join(t.TempDir(), "copy.db")
	copyFile(t, path, cp2)
	copyFile(t, path+".checkpoints", cp2+".checkpoints")
	raw, _ := sql.Open("sqlite", cp2)
	if _, err := raw.Exec(`DROP TRIGGER audit_events_no_delete`); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`DELETE FROM audit_events WHERE seq > (SELECT MAX(seq) - 10 FROM audit_events)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	out, err = run(t, "verify", "--db", cp2)
	if !errors.Is(err, errVerifyFailed) || !strings.Contains(out, fmt.Sprintf("checkpoint at seq %d", cp.Seq)) {
		t.Fatalf("a cut tail must fail naming the checkpoint: %v\n%s", err, out)
	}
	if out, err := run(t, "verify", "--db", path, "--checkpoints", filepath.Join(dir, "none")); err == nil {
		t.Fatalf("a missing journal given with --checkpoints must fail:\n%s", out)
	}
	pub := filepath.Join(dir, "keys", "decisiond-signing.pub")
	if out, err := run(t, "verify", "--db", path, "--public-key", pub); err != nil {
		t.Fatalf("pinned to the deployment's key: %v\n%s", err, out)
	}
}

// TestArchiveCommands: archive export writes a decision's signed package
// and archive verify checks it offline (the package alone), naming what was
// changed.
func TestArchiveCommands(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "demo.db")
	if out, err := run(t, "seed", "--demo", "--db", path); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	pkg := filepath.Join(dir, "fare.zip")
	out, err := run(t, "archive", "export", "--decision", "1", "--out", pkg, "--db", path)
	if err != nil || !strings.Contains(out, "archive package written") {
		t.Fatalf("export: %v\n%s", err, out)
	}
	if out, err := run(t, "archive", "verify", pkg); err != nil || !strings.HasPrefix(out, "OK: archive package of decision 1") {
		t.Fatalf("verify: %v\n%s", err, out)
	}
	if out, err := run(t, "archive", "verify", pkg, "--public-key", filepath.Join(dir, "keys", "decisiond-signing.pub")); err != nil {
		t.Fatalf("verify pinned: %v\n%s", err, out)
	}
	// A file slipped into the package is named.
	b, _ := os.ReadFile(pkg)
	zr, _ := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, _ := zw.Create("documents/extra.pdf")
	w.Write([]byte("%PDF-1.4 extra"))
	zw.Close()
	os.WriteFile(pkg+".bad", buf.Bytes(), 0o600)
	if out, err := run(t, "archive", "verify", pkg+".bad"); !errors.Is(err, errArchiveBroken) || !strings.Contains(out, "documents/extra.pdf") {
		t.Fatalf("a damaged package: %v\n%s", err, out)
	}
	if out, err := run(t, "archive", "export", "--decision", "999", "--db", path); err == nil {
		t.Fatalf("an unknown decision: %s", out)
	}
}

// TestVerifyVouchesForTheWholeDatabase (issue 7, item 11): on a copy of the
// demo database with the immutability triggers dropped, each kind of
// tampering outside the audit table — a decision's state, version or row, a
// record's data or decision, a draft's text (with or without its sha256),
// an opinion's outcome, a deleted draft, the last three audit events
// deleted — makes `verify` fail
// (exit 1) and name the table, the row and the audit seq it found wrong.
func TestVerifyVouchesForTheWholeDatabase(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "demo.db")
	if out, err := run(t, "seed", "--demo", "--db", path); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	if out, err := run(t, "verify", "--db", path); err != nil {
		t.Fatalf("verify after seed: %v\n%s", err, out)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	one := func(q string, dest ...any) {
		t.Helper()
		if err := raw.QueryRow(q).Scan(dest...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var meetingID, meetingSeq, recID, recSeq, draftID, draftSeq, opID, opSeq, tail int64
	one(`SELECT d.id, MAX(a.seq) FROM decisions d JOIN audit_events a ON a.decision_id = d.id WHERE d.state = 'collective_decision' GROUP BY d.id`, &meetingID, &meetingSeq)
	one(`SELECT id, audit_seq FROM records WHERE event = 'report_to_party'`, &recID, &recSeq)
	one(`SELECT id, audit_seq FROM drafts ORDER BY id LIMIT 1`, &draftID, &draftSeq)
	one(`SELECT id, audit_seq FROM legality_opinions ORDER BY id LIMIT 1`, &opID, &opSeq)
	one(`SELECT MAX(seq) FROM audit_events`, &tail)
	raw.Close()

	cases := []struct {
		name    string
		trigger string // dropped first
		sql     string
		want    string // "table T, id N, broken at seq S"
	}{
		{"a decision's state", "", `UPDATE decisions SET state = 'published' WHERE id = ` + fmt.Sprint(meetingID),
			fmt.Sprintf("table decisions, id %d, broken at seq %d", meetingID, meetingSeq)},
		{"a decision's version", "", `UPDATE decisions SET version = version + 1 WHERE id = ` + fmt.Sprint(meetingID),
			fmt.Sprintf("table decisions, id %d, broken at seq %d", meetingID, meetingSeq+1)},
		{"a record's data", "records_no_update", `UPDATE records SET data = '{"doc_no":"篡改"}' WHERE id = ` + fmt.Sprint(recID),
			fmt.Sprintf("table records, id %d, broken at seq %d", recID, recSeq)},
		{"a draft's text", "drafts_no_update", `UPDATE drafts SET text = '篡改的草案' WHERE id = ` + fmt.Sprint(draftID),
			fmt.Sprintf("table drafts, id %d, broken at seq %d", draftID, draftSeq)},
		{"a draft's text and hash", "drafts_no_update", fmt.Sprintf(`UPDATE drafts SET text = '篡改的草案', sha256 = '%s' WHERE id = %d`, sha("篡改的草案"), draftID),
			fmt.Sprintf("table drafts, id %d, broken at seq %d", draftID, draftSeq)},
		{"an opinion's outcome", "legality_opinions_no_update", `UPDATE legality_opinions SET outcome = 'illegal' WHERE id = ` + fmt.Sprint(opID),
			fmt.Sprintf("table legality_opinions, id %d, broken at seq %d", opID, opSeq)},
		{"a decision's row deleted", "", `DELETE FROM decisions WHERE id = ` + fmt.Sprint(meetingID),
			fmt.Sprintf("table decisions, id %d, broken at seq %d", meetingID, meetingSeq)},
		{"a record moved to another decision", "records_no_update", fmt.Sprintf(`UPDATE records SET decision_id = %d WHERE id = %d`, meetingID, recID),
			fmt.Sprintf("table records, id %d, broken at seq %d", recID, recSeq)},
		{"a deleted draft", "drafts_no_delete", `DELETE FROM drafts WHERE id = ` + fmt.Sprint(draftID),
			fmt.Sprintf("table drafts, id 0, broken at seq %d", draftSeq)},
		{"the last three audit events deleted", "audit_events_no_delete", fmt.Sprintf(`DELETE FROM audit_events WHERE seq > %d`, tail-3),
			fmt.Sprintf("broken at seq %d", tail-2)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cp := filepath.Join(t.TempDir(), "copy.db")
			copyFile(t, path, cp)
			db, err := sql.Open("sqlite", cp)
			if err != nil {
				t.Fatal(err)
			}
			if c.trigger != "" {
				if _, err := db.Exec(c.sql); err == nil {
					t.Fatalf("the trigger %s did not refuse: %s", c.trigger, c.sql)
				}
				if _, err := db.Exec(`DROP TRIGGER ` + c.trigger); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.Exec(c.sql); err != nil {
				t.Fatalf("%s: %v", c.sql, err)
			}
			db.Close()
			out, err := run(t, "verify", "--db", cp)
			if !errors.Is(err, errVerifyFailed) {
				t.Fatalf("verify of a tampered copy: err %v\n%s", err, out)
			}
			if !strings.Contains(out, c.want) {
				t.Fatalf("verify output %q does not name %q", out, c.want)
			}
		})
	}
}

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
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

// TestAddressSalt: serve's salt for the addresses of the public's comments
// is made once beside the signing key (mode 0600) and read again on the
// next start, so an address hashes the same across restarts; a given file
// must hold at least 16 bytes.
func TestAddressSalt(t *testing.T) {
	cfg := config{db: filepath.Join(t.TempDir(), "decisiond.db")}
	first, note, err := addressSalt(cfg, "")
	if err != nil || len(first) != 32 || !strings.Contains(note, "address.salt") {
		t.Fatalf("first start: %d bytes, %q, %v", len(first), note, err)
	}
	p := filepath.Join(filepath.Dir(cfg.db), "keys", "address.salt")
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the salt file: %v %v", fi, err)
	}
	again, note, err := addressSalt(cfg, "")
	if err != nil || string(again) != string(first) || note != "" {
		t.Fatalf("the next start reads the same salt: %v %q", err, note)
	}
	short := filepath.Join(t.TempDir(), "short")
	if err := os.WriteFile(short, []byte("tiny"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := addressSalt(cfg, short); err == nil {
		t.Fatal("a salt of 4 bytes was accepted")
	}
}

// TestServeGroupCommitFlag: --group-commit takes true or false (and auto,
// the earlier default), and refuses anything else before the server starts.
func TestServeGroupCommitFlag(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.db")
	out, err := run(t, "serve", "--group-commit", "sometimes", "--addr", "127.0.0.1:0", "--db", path)
	if err == nil || !strings.Contains(err.Error()+out, "--group-commit") {
		t.Fatalf("an unknown --group-commit value: %v\n%s", err, out)
	}
}

// TestServeCommentAttachmentFlag: --comment-attachment-mb (or
// DECISIOND_COMMENT_ATTACHMENT_MB) bounds a public comment's file: 10 MB
// by default, 0 takes none, a negative number is refused.
func TestServeCommentAttachmentFlag(t *testing.T) {
	for _, tc := range []struct {
		env  string
		args []string
		want int64
	}{
		{"", nil, 10 << 20},
		{"", []string{"--comment-attachment-mb", "3"}, 3 << 20},
		{"", []string{"--comment-attachment-mb", "0"}, -1},
		{"5", nil, 5 << 20},
		{"5", []string{"--comment-attachment-mb", "2"}, 2 << 20},
	} {
		t.Setenv("DECISIOND_COMMENT_ATTACHMENT_MB", tc.env)
		_, sc, err := serveFlags(tc.args, io.Discard)
		if err != nil || sc.public.CommentAttachmentMax != tc.want {
			t.Errorf("env %q, %v: %d %v, want %d", tc.env, tc.args, sc.public.CommentAttachmentMax, err, tc.want)
		}
	}
	if _, _, err := serveFlags([]string{"--comment-attachment-mb", "-1"}, io.Discard); err == nil {
		t.Error("a negative limit was accepted")
	}
}
