package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

var ctx = context.Background()

func mustCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := workflow.ErrorCode(err); got != code {
		t.Fatalf("want error code %q, got %q (%v)", code, got, err)
	}
}

func raw(v any) map[string]any { return seeds.Data(v) }

// stepsUntil returns the fare steps before the first step of event stop.
func stepsUntil(stop string) []seeds.Step {
	for i, s := range seeds.FareSteps {
		if s.Event == stop {
			return seeds.FareSteps[:i]
		}
	}
	panic("no step " + stop)
}

func stepOf(event string) seeds.Step {
	for _, s := range seeds.FareSteps {
		if s.Event == event {
			return s
		}
	}
	panic("no step " + event)
}

func TestLifecycleAndChain(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := b.Open(t)
			fx := storetest.Base(t, db)
			before, err := db.Verify(ctx)
			if err != nil || !before.OK {
				t.Fatalf("verify before: %+v %v", before, err)
			}
			res, err := fx.Run(ctx, db, seeds.FareTitle, seeds.FareFlags, append(append([]seeds.Step{}, seeds.FareSteps...), seeds.FareComplete))
			if err != nil {
				t.Fatal(err)
			}
			d := res.Decision
			if d.State != workflow.StCompleted {
				t.Fatalf("state %s, want completed", d.State)
			}
			acts := int64(len(seeds.FareSteps) + 2) // create + steps + complete
			if d.Version != acts {
				t.Fatalf("version %d, want %d (one per act)", d.Version, acts)
			}
			after, err := db.Verify(ctx)
			if err != nil || !after.OK || after.Events != before.Events+acts {
				t.Fatalf("verify after: %+v %v (want %d events)", after, err, before.Events+acts)
			}
			evs, total, err := db.Audit(ctx, store.System, store.AuditFilter{DecisionID: &d.ID, Page: store.Page{PerPage: 200}})
			if err != nil || int64(total) != acts {
				t.Fatalf("audit for decision: %d events, err %v", total, err)
			}
			for i, e := range evs {
				if e.Version != int64(i+1) {
					t.Errorf("audit event %d has version %d", i, e.Version)
				}
			}
			recs, err := db.Records(ctx, store.System, d.ID)
			if err != nil || int64(len(recs)) != acts-1 {
				t.Fatalf("records: %d, %v", len(recs), err)
			}
		})
	}
}

// TestCoreInvariantTrigger_Art25 proves that the database itself refuses
// to put a decision on the meeting agenda without a passing legality
// opinion on its current draft (Art. 25 ¶2), whatever SQL is run.
func TestCoreInvariantTrigger_Art25(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := b.Open(t)
			fx := storetest.Base(t, db)
			rawUpdate := func(t *testing.T, id int64) error {
				t.Helper()
				_, err := db.ExecRaw(ctx, `UPDATE decisions SET state = 'collective_decision' WHERE id = ?`, id)
				if err != nil && !strings.Contains(err.Error(), "legality_review_required") {
					t.Fatalf("refused, but not by the core-invariant trigger: %v", err)
				}
				return err
			}
			toReview := stepsUntil(workflow.EvRecordLegalityOpinion)
			opinion := stepOf(workflow.EvRecordLegalityOpinion)
			withOutcome := func(outcome string) seeds.Step {
				return seeds.Step{Who: "reviewer", Event: workflow.EvRecordLegalityOpinion, Data: func(e *seeds.Env) map[string]any {
					m := opinion.Payload(e)
					m["outcome"] = outcome
					return m
				}}
			}
			resubmit := stepOf(workflow.EvSubmitLegalityReview)

			t.Run("no opinion", func(t *testing.T) {
				res, err := fx.Run(ctx, db, "无审查意见", seeds.FareFlags, toReview)
				if err != nil {
					t.Fatal(err)
				}
				if err := rawUpdate(t, res.Decision.ID); err == nil {
					t.Fatal("raw UPDATE to collective_decision without any legality opinion succeeded")
				}
			})
			t.Run("passing opinion followed by an illegal one", func(t *testing.T) {
				steps := append(append([]seeds.Step{}, toReview...), withOutcome(workflow.OutcomeLegal), resubmit, withOutcome(workflow.OutcomeIllegal))
				res, err := fx.Run(ctx, db, "后经审查不合法", seeds.FareFlags, steps)
				if err != nil {
					t.Fatal(err)
				}
				if err := rawUpdate(t, res.Decision.ID); err == nil {
					t.Fatal("raw UPDATE succeeded although the latest opinion is illegal")
				}
			})
			t.Run("passing opinion on an older draft", func(t *testing.T) {
				revise := seeds.Step{Who: "drafter", Event: workflow.EvReviseDraft, Data: func(*seeds.Env) map[string]any {
					return map[string]any{"text": "修改后的草案", "note": "根据审查意见修改"}
				}}
				steps := append(append([]seeds.Step{}, toReview...), withOutcome(workflow.OutcomeLegal), revise)
				res, err := fx.Run(ctx, db, "草案已修改", seeds.FareFlags, steps)
				if err != nil {
					t.Fatal(err)
				}
				if err := rawUpdate(t, res.Decision.ID); err == nil {
					t.Fatal("raw UPDATE succeeded although the opinion was given on an older draft")
				}
				// Nor may the draft hash be rewritten to match the old opinion
				// while the decision sits on the agenda.
				if _, err := db.ExecRaw(ctx, `INSERT INTO decisions (title, organ_id, category, state, version, created_by, created_at, updated_at, state_since)
					VALUES ('直接插入', ?, 'other_major', 'collective_decision', 1, 1, 'x', 'x', 'x')`, fx.Units[seeds.DemoOrgan]); err == nil {
					t.Fatal("raw INSERT of a decision already on the agenda succeeded")
				}
			})
			t.Run("passing opinion on the current draft is allowed", func(t *testing.T) {
				res, err := fx.Run(ctx, db, "审查通过", seeds.FareFlags, append(append([]seeds.Step{}, toReview...), withOutcome(workflow.OutcomeLegal)))
				if err != nil {
					t.Fatal(err)
				}
				if err := rawUpdate(t, res.Decision.ID); err != nil {
					t.Fatalf("the trigger refused a lawful move: %v", err)
				}
			})
		})
	}
}

// TestAuditAppendOnly: audit events, stage records and legality opinions
// are never updated or deleted (dissent stays verbatim, Art. 30, 38 ¶3).
func TestAuditAppendOnly(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := b.Open(t)
			fx := storetest.Base(t, db)
			if _, err := fx.Run(ctx, db, seeds.FareTitle, seeds.FareFlags, seeds.FareSteps); err != nil {
				t.Fatal(err)
			}
			for _, q := range []string{
				`UPDATE audit_events SET actor_name = 'x' WHERE seq = 1`,
				`DELETE FROM audit_events WHERE seq = 1`,
				`UPDATE records SET data = '{}' WHERE event = 'approve'`,
				`DELETE FROM records WHERE event = 'approve'`,
				`UPDATE legality_opinions SET outcome = 'legal'`,
				`DELETE FROM legality_opinions`,
			} {
				if _, err := db.ExecRaw(ctx, q); err == nil {
					t.Errorf("%s: succeeded, want refused by a trigger", q)
				}
			}
			if v, _ := db.Verify(ctx); !v.OK {
				t.Fatalf("chain broken: %+v", v)
			}
		})
	}
}

// TestConcurrentSameVersion: of 20 acts with the same expected_version
// exactly one wins; the rest get version_conflict; the chain stays whole.
func TestConcurrentSameVersion(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := b.Open(t)
			fx := storetest.Base(t, db)
			res, err := fx.Run(ctx, db, seeds.FareTitle, seeds.FareFlags, seeds.FareSteps[:2])
			if err != nil {
				t.Fatal(err)
			}
			before, _ := db.Verify(ctx)
			var wg sync.WaitGroup
			errs := make([]error, 20)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = db.Apply(ctx, res.Decision.ID, workflow.Act{Event: workflow.EvReviseDraft, Data: raw(map[string]any{"text": "并发修改", "note": "n"}), Actor: fx.Actors["drafter"]}, res.Decision.Version)
				}()
			}
			wg.Wait()
			ok, conflicts := 0, 0
			for _, err := range errs {
				switch workflow.ErrorCode(err) {
				case "":
					ok++
				case workflow.CodeVersionConflict:
					conflicts++
				default:
					t.Errorf("unexpected error: %v", err)
				}
			}
			if ok != 1 || conflicts != 19 {
				t.Fatalf("ok=%d conflicts=%d, want 1 and 19", ok, conflicts)
			}
			after, _ := db.Verify(ctx)
			if !after.OK || after.Events != before.Events+1 {
				t.Fatalf("verify: %+v, want %d events", after, before.Events+1)
			}
		})
	}
}

func TestApplyErrors(t *testing.T) {
	db, _ := storetest.OpenSQLite(t, "qinghai")
	fx := storetest.Base(t, db)
	res, err := fx.Run(ctx, db, seeds.FareTitle, seeds.FareFlags, nil)
	if err != nil {
		t.Fatal(err)
	}
	id, v := res.Decision.ID, res.Decision.Version
	_, err = db.Apply(ctx, 9999, workflow.Act{Event: workflow.EvLaunch, Data: nil, Actor: fx.Actors["office"]}, 1)
	mustCode(t, err, workflow.CodeNotFound)
	_, err = db.Apply(ctx, id, workflow.Act{Event: workflow.EvLaunch, Data: nil, Actor: fx.Actors["office"]}, v+1)
	mustCode(t, err, workflow.CodeVersionConflict)
	_, err = db.Apply(ctx, id, workflow.Act{Event: workflow.EvLaunch, Data: raw(map[string]any{"undertaking_unit_id": fx.Units["西宁市交通运输局"], "launch_ref": "x"}), Actor: fx.Actors["drafter"]}, v)
	mustCode(t, err, workflow.CodeForbidden)
	_, err = db.Apply(ctx, id, workflow.Act{Event: workflow.EvPublish, Data: nil, Actor: fx.Actors["office"]}, v)
	mustCode(t, err, workflow.CodeInvalidTransition)
	_, err = db.Apply(ctx, id, workflow.Act{Event: workflow.EvDecline, Data: raw(map[string]any{"reason": "  "}), Actor: fx.Actors["office"]}, v)
	mustCode(t, err, workflow.CodeReasonRequired)
	_, err = db.Apply(ctx, id, workflow.Act{Event: workflow.EvLaunch, Data: raw(map[string]any{"undertaking_unit_id": "three"}), Actor: fx.Actors["office"]}, v)
	mustCode(t, err, workflow.CodeValidationFailed)
	var we *workflow.Error
	if !errors.As(err, &we) || len(we.Fields) != 2 {
		t.Fatalf("want two field errors (mistyped id, missing launch_ref), got %+v", we)
	}
	_, err = db.Apply(ctx, id, workflow.Act{Event: workflow.EvLaunch, Data: raw(map[string]any{"undertaking_unit_id": 9999, "launch_ref": "x"}), Actor: fx.Actors["office"]}, v)
	mustCode(t, err, workflow.CodeValidationFailed)
	// Nothing of the refused acts was kept.
	d, _ := db.Decision(ctx, store.System, id)
	if d.Version != v || d.State != workflow.StProposed {
		t.Fatalf("refused acts changed the decision: %+v", d)
	}
	if v, _ := db.Verify(ctx); !v.OK {
		t.Fatal("chain broken")
	}
}
