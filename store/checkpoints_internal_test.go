package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"decisiond/store/crypt"
	"decisiond/workflow"

	"github.com/jmoiron/sqlx"
)

// chainDB opens a SQLite store with a signing key and a journal, and fills
// its chain with n administrative events.
func chainDB(t *testing.T, suite string, n int) (*DB, string, string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "c.db")
	signer, err := crypt.Generate(suite)
	if err != nil {
		t.Fatal(err)
	}
	journal := path + ".checkpoints"
	db, err := Open(context.Background(), path, Options{Clock: &workflow.FixedClock{T: time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)},
		Signer: signer, CheckpointJournal: journal, Crypto: suite})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for i := range n {
		if _, err := db.CreateUnit(context.Background(), System, NewUnit{Name: "机关" + string(rune('甲'+i)), Kind: "organ"}); err != nil {
			t.Fatal(err)
		}
	}
	return db, path, journal
}

// rewriteFrom changes the event at seq and recomputes every hash after it,
// as someone with write access to the database file could (the triggers
// dropped): the chain itself then verifies.
func rewriteFrom(t *testing.T, db *DB, seq int64) {
	t.Helper()
	ctx := context.Background()
	for _, s := range []string{`DROP TRIGGER audit_events_no_update`} {
		if _, err := db.ExecRaw(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	var evs []AuditEvent
	if err := db.w.SelectContext(ctx, &evs, `SELECT `+auditCols+` FROM audit_events WHERE seq >= ? ORDER BY seq`, seq); err != nil {
		t.Fatal(err)
	}
	var prev string
	if err := db.w.GetContext(ctx, &prev, `SELECT prev_hash FROM audit_events WHERE seq = ?`, seq); err != nil {
		t.Fatal(err)
	}
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		for i, e := range evs {
			if i == 0 {
				e.ActorName = "篡改者"
			}
			e.PrevHash = prev
			h, err := e.computeHash()
			if err != nil {
				return err
			}
			e.Hash = h
			if _, err := tx.ExecContext(ctx, `UPDATE audit_events SET actor_name = ?, prev_hash = ?, hash = ? WHERE seq = ?`, e.ActorName, e.PrevHash, e.Hash, e.Seq); err != nil {
				return err
			}
			prev = h
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCheckpoints_RewrittenOrCutChainIsFound: with the journal of signed
// checkpoints, (a) one event changed and every later hash recomputed — the
// chain verifies on its own, but not against the checkpoint; (b) the last
// ten events deleted — the chain ends before the checkpoint. Untampered,
// both verify. Both suites (Ed25519 and SM2 under 国密).
func TestCheckpoints_RewrittenOrCutChainIsFound(t *testing.T) {
	ctx := context.Background()
	for _, suite := range []string{crypt.SuiteIntl, crypt.SuiteGM} {
		t.Run(suite, func(t *testing.T) {
			db, _, journal := chainDB(t, suite, 20)
			cp, err := db.Checkpoint(ctx, "test")
			if err != nil || cp == nil {
				t.Fatalf("checkpoint: %v %v", cp, err)
			}
			if again, _ := db.Checkpoint(ctx, "test"); again != nil {
				t.Fatal("an unchanged head is not signed again")
			}
			rep, err := db.VerifyCheckpoints(ctx, journal, true, nil)
			if err != nil || !rep.OK || rep.Checkpoints != 1 {
				t.Fatalf("untampered: %+v %v", rep, err)
			}
			if v, _ := db.Verify(ctx); !v.OK {
				t.Fatal(v)
			}

			other, _ := crypt.Generate(suite)
			otherPub, _ := other.PublicPEM()
			if rep, _ := db.VerifyCheckpoints(ctx, journal, true, otherPub); rep.OK {
				t.Fatal("a checkpoint verifies only with its own key, not another of the same algorithm")
			}
			own, _ := db.opts.Signer.PublicPEM()
			if rep, _ := db.VerifyCheckpoints(ctx, journal, true, own); !rep.OK {
				t.Fatalf("pinned to its own key: %+v", rep)
			}

			rewriteFrom(t, db, cp.Seq-5)
			if v, _ := db.Verify(ctx); !v.OK {
				t.Fatalf("the rewritten chain verifies on its own (that is the attack): %+v", v)
			}
			rep, _ = db.VerifyCheckpoints(ctx, journal, true, nil)
			if rep.OK || rep.FirstBad == nil || rep.FirstBad.Seq != cp.Seq || !strings.Contains(rep.Reason, "rewritten") {
				t.Fatalf("a rewritten chain must fail at the checkpoint: %+v", rep)
			}
		})
	}
	t.Run("tail cut", func(t *testing.T) {
		db, _, journal := chainDB(t, crypt.SuiteIntl, 20)
		cp, _ := db.Checkpoint(ctx, "test")
		if _, err := db.ExecRaw(ctx, `DROP TRIGGER audit_events_no_delete`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecRaw(ctx, `DELETE FROM audit_events WHERE seq > ?`, cp.Seq-10); err != nil {
			t.Fatal(err)
		}
		rep, _ := db.VerifyCheckpoints(ctx, journal, true, nil)
		if rep.OK || rep.FirstBad.Seq != cp.Seq || !strings.Contains(rep.Reason, "tail was cut") {
			t.Fatalf("a cut tail must fail at the checkpoint: %+v", rep)
		}
	})
	t.Run("forged journal", func(t *testing.T) {
		db, _, journal := chainDB(t, crypt.SuiteIntl, 3)
		db.Checkpoint(ctx, "test")
		b, _ := os.ReadFile(journal)
		forged := strings.Replace(string(b), `"reason":"test"`, `"reason":"tset"`, 1)
		os.WriteFile(journal, []byte(forged), 0o600)
		rep, _ := db.VerifyCheckpoints(ctx, journal, true, nil)
		if rep.OK || !strings.Contains(rep.Reason, "signature") {
			t.Fatalf("a changed journal line must fail its signature: %+v", rep)
		}
		other, _ := crypt.Generate(crypt.SuiteIntl)
		pub, _ := other.PublicPEM()
		os.WriteFile(journal, b, 0o600)
		if rep, _ := db.VerifyCheckpoints(ctx, journal, true, pub); rep.OK {
			t.Fatal("a checkpoint signed with another key must fail against the pinned key")
		}
	})
	t.Run("missing journal", func(t *testing.T) {
		db, _, journal := chainDB(t, crypt.SuiteIntl, 1)
		rep, err := db.VerifyCheckpoints(ctx, journal, false, nil)
		if err != nil || !rep.OK || rep.Warning == "" {
			t.Fatalf("a missing journal is a warning: %+v %v", rep, err)
		}
		if _, err := db.VerifyCheckpoints(ctx, journal, true, nil); err == nil {
			t.Fatal("a missing journal given explicitly is an error")
		}
	})
}
