package store_test

import (
	"testing"

	"decisiond/seeds"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// TestVerify_ActsDuringVerification: on a working server acts land while
// a verification runs (at 2,000,000 events it takes most of a minute).
// Rows that acts wrote after the chain was walked — a decision that moved
// on, a new decision, its records, drafts and comments — are the next
// verification's to vouch for, not a cut tail; but a row changed after the
// walk with no event to account for it is still found.
func TestVerify_ActsDuringVerification(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := b.Open(t)
			fx := storetest.Base(t, db)
			ctx := t.Context()
			steps := seeds.FareSteps[:6]
			a, err := fx.Run(ctx, db, seeds.FareTitle, seeds.FareFlags, steps[:3])
			if err != nil {
				t.Fatal(err)
			}
			ran := false
			db.AfterChainWalkForTest(func() {
				ran = true
				res := a
				for _, st := range steps[3:] {
					act := workflow.Act{Event: st.Event, Data: seeds.Data(st.Payload(&fx.Env)), Actor: fx.Actors[st.Who]}
					if res, err = db.Apply(ctx, res.Decision.ID, act, res.Decision.Version); err != nil {
						t.Errorf("%s: %v", st.Event, err)
						return
					}
				}
				if _, err := fx.Run(ctx, db, "验证期间新建的事项", seeds.FareFlags, steps); err != nil {
					t.Error(err)
				}
			})
			v, err := db.Verify(ctx)
			if err != nil || !ran {
				t.Fatalf("verify: %v (acts ran: %v)", err, ran)
			}
			if !v.OK {
				t.Fatalf("acts that landed during the verification were taken for a cut tail: seq %d, %s %d: %s", v.FirstBadSeq, v.Table, v.RowID, v.Reason)
			}
			db.AfterChainWalkForTest(nil)
			if v2, err := db.Verify(ctx); err != nil || !v2.OK || v2.Events <= v.Events {
				t.Fatalf("the next verification: %+v, %v (the first covered %d events)", v2, err, v.Events)
			}
			// A row changed after the walk with no act behind it.
			db.AfterChainWalkForTest(func() {
				if err := db.TamperForTest(ctx, `UPDATE decisions SET version = version + 1, updated_at = '2999-01-01T00:00:00Z' WHERE id = ?`, a.Decision.ID); err != nil {
					t.Error(err)
				}
			})
			v3, err := db.Verify(ctx)
			if err != nil || v3.OK || v3.Table != "decisions" || v3.RowID != a.Decision.ID {
				t.Fatalf("a decision changed after the walk without an event: %+v, %v", v3, err)
			}
			db.AfterChainWalkForTest(nil)
		})
	}
}
