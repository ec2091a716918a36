package store_test

import (
	"sync/atomic"
	"testing"

	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// TestPanicInWriteTransactionRollsBack: a panic inside a write transaction
// (the BeforeCommit test hook) leaves nothing behind — no version bump, no
// audit event — and the very next act succeeds at once: the deferred
// rollback freed the single SQLite writer.
func TestPanicInWriteTransactionRollsBack(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			var armed atomic.Bool
			opts := storetest.Options(t, "qinghai")
			opts.BeforeCommit = func() {
				if armed.CompareAndSwap(true, false) {
					panic("test hook: panic before commit")
				}
			}
			db, _ := b.OpenWith(t, opts)
			fx := storetest.Base(t, db)
			res, err := fx.Run(ctx, db, seeds.FareTitle, seeds.FareFlags, stepsUntil(workflow.EvStartParticipation))
			if err != nil {
				t.Fatal(err)
			}
			before, _ := db.Verify(ctx)
			act := workflow.Act{Event: workflow.EvReviseDraft, Data: raw(map[string]any{"text": "修改稿", "note": "n"}), Actor: fx.Actors["drafter"]}

			armed.Store(true)
			func() {
				defer func() {
					if recover() == nil {
						t.Fatal("the hook's panic did not reach the caller")
					}
				}()
				_, _ = db.Apply(ctx, res.Decision.ID, act, res.Decision.Version)
			}()

			after, _ := db.Verify(ctx)
			if after.Events != before.Events || after.Head != before.Head {
				t.Fatalf("the panicked act left audit events behind: %d → %d", before.Events, after.Events)
			}
			d, err := db.Decision(ctx, store.System, res.Decision.ID)
			if err != nil || d.Version != res.Decision.Version {
				t.Fatalf("the panicked act changed the decision: %+v %v", d, err)
			}
			got, err := db.Apply(ctx, res.Decision.ID, act, res.Decision.Version)
			if err != nil {
				t.Fatalf("the next act must succeed at once: %v", err)
			}
			if got.Decision.Version != res.Decision.Version+1 {
				t.Fatalf("version %d, want %d", got.Decision.Version, res.Decision.Version+1)
			}
		})
	}
}
