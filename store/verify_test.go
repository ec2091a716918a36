package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"decisiond/workflow"

	"github.com/jmoiron/sqlx"
)

// TestVerifyAcceptsRowsWrittenBeforeContentHashes: a database written
// before migration 00005 (events without content hashes, drafts and
// opinions without audit_seq, an adjusted decision opened at version 0
// without its own event) still verifies after the migration; and such a
// legacy record, altered, is still caught (compared with its event's data).
func TestVerifyAcceptsRowsWrittenBeforeContentHashes(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	clock := &workflow.FixedClock{T: time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)}
	old, err := connect(ctx, path, Options{Clock: clock}, false)
	if err != nil {
		t.Fatal(err)
	}
	p, err := old.provider()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 4); err != nil {
		t.Fatal(err)
	}
	now := clock.T
	at := ts(now)
	text := "旧版草案"
	h := workflow.DraftHash(text)
	err = old.tx(ctx, func(tx *sqlx.Tx) error {
		for _, q := range []string{
			`INSERT INTO units (id, name, kind) VALUES (1, '某市人民政府', 'organ')`,
			`INSERT INTO users (id, name, display_name, roles, unit_id, created_at) VALUES (1, 'office', '办公室', 'office', 1, '` + at + `')`,
			`INSERT INTO decisions (id, title, organ_id, category, state, version, current_draft_hash, created_by, created_at, updated_at, state_since)
			 VALUES (1, '旧决策', 1, 'public_policy', 'superseded', 4, '` + h + `', 1, '` + at + `', '` + at + `', '` + at + `')`,
			`INSERT INTO decisions (id, title, organ_id, category, state, version, parent_id, created_by, created_at, updated_at, state_since)
			 VALUES (2, '旧决策（调整）', 1, 'public_policy', 'drafting', 0, 1, 1, '` + at + `', '` + at + `', '` + at + `')`,
		} {
			if _, err := tx.Exec(q); err != nil {
				return err
			}
		}
		one := int64(1)
		acts := []struct {
			event, from, to string
			data            map[string]any
		}{
			{"create", "", "proposed", map[string]any{"title": "旧决策"}},
			{"revise_draft", "drafting", "drafting", map[string]any{"sha256": h, "draft_no": 1, "length": len(text), "note": ""}},
			{"record_legality_opinion", "legality_review", "legality_review", map[string]any{"outcome": "legal"}},
			{"adjust", "in_execution", "superseded", map[string]any{"reason": "调整", "spawned_decision_id": 2}},
		}
		for i, a := range acts {
			ev := &AuditEvent{DecisionID: &one, OrganID: &one, ActorID: 1, ActorName: "办公室", Role: "office", Event: a.event, From: a.from, To: a.to, Version: int64(i + 1)}
			if err := old.appendAudit(ctx, tx, ev, now, a.data); err != nil {
				return err
			}
			if a.event == "create" {
				continue
			}
			var rec int64
			if err := tx.Get(&rec, `INSERT INTO records (decision_id, audit_seq, event, from_state, to_state, actor_id, data, draft_hash, at)
				VALUES (1, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id`, ev.Seq, a.event, a.from, a.to, string(ev.Data), h, ev.At); err != nil {
				return err
			}
			switch a.event {
			case "revise_draft":
				_, err = tx.Exec(`INSERT INTO drafts (decision_id, no, sha256, text, author_id, at) VALUES (1, 1, ?, ?, 1, ?)`, h, text, at)
			case "record_legality_opinion":
				_, err = tx.Exec(`INSERT INTO legality_opinions (decision_id, record_id, draft_hash, outcome, at) VALUES (1, ?, ?, 'legal', ?)`, rec, h, at)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	old.Close()

	db, err := Open(ctx, path, Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.Verify(ctx)
	if err != nil || !res.OK || res.Events != 4 {
		t.Fatalf("a database written before content hashes must verify after the migration: %+v %v", res, err)
	}
	if _, err := db.ExecRaw(ctx, `DROP TRIGGER records_no_update`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecRaw(ctx, `UPDATE records SET data = '{"outcome":"illegal"}' WHERE event = 'record_legality_opinion'`); err != nil {
		t.Fatal(err)
	}
	res, err = db.Verify(ctx)
	if err != nil || res.OK || res.Table != "records" || res.FirstBadSeq != 3 || !strings.Contains(res.Reason, "data differs") {
		t.Fatalf("an altered legacy record must be named: %+v %v", res, err)
	}
	db.Close()
}
