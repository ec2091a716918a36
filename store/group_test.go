package store_test

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// TestGroupCommitRefusedActDoesNotSinkItsNeighbours: acts waiting at the
// same moment commit in one transaction, a savepoint each. One of them is
// refused after its audit event was already appended (it names a document
// that was never uploaded; the attachment check comes after the chain
// link, Art. 24 keeps the act's record only when it commits): its
// savepoint undoes the event, the chain head the group carries in memory
// is put back, and the acts after it in the same group link to the right
// head — the chain verifies, each applied act is there exactly once, the
// refused one left nothing.
func TestGroupCommitRefusedActDoesNotSinkItsNeighbours(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			var armed atomic.Bool
			entered, release := make(chan struct{}), make(chan struct{})
			opts := storetest.Options(t, "qinghai")
			opts.BeforeCommit = func() {
				if armed.CompareAndSwap(true, false) {
					close(entered)
					<-release // hold the appender: the next acts queue up
				}
			}
			db, _ := b.OpenWith(t, opts)
			fx := storetest.Base(t, db)
			const n = 6
			var decisions []workflow.Decision
			for range n {
				res, err := fx.Run(ctx, db, seeds.FareTitle, seeds.FareFlags, stepsUntil(workflow.EvStartParticipation))
				if err != nil {
					t.Fatal(err)
				}
				decisions = append(decisions, res.Decision)
			}
			before, err := db.Verify(ctx)
			if err != nil || !before.OK {
				t.Fatalf("verify before: %+v %v", before, err)
			}
			groups0, acts0 := db.GroupCommits()
			const refused = 3
			act := func(i int) workflow.Act {
				data := map[string]any{"text": "修改稿 " + string(rune('A'+i)), "note": "n"}
				if i == refused {
					data["documents"] = []any{map[string]any{"hash": strings.Repeat("ab", 32), "title": "未上传的文件"}}
				}
				return workflow.Act{Event: workflow.EvReviseDraft, Data: raw(data), Actor: fx.Actors["drafter"]}
			}
			errs := make([]error, n)
			results := make([]*store.Result, n)
			var wg sync.WaitGroup
			armed.Store(true)
			wg.Go(func() { results[0], errs[0] = db.Apply(ctx, decisions[0].ID, act(0), decisions[0].Version) })
			<-entered // act 0's group is committing; the others queue behind it
			for i := 1; i < n; i++ {
				wg.Go(func() { results[i], errs[i] = db.Apply(ctx, decisions[i].ID, act(i), decisions[i].Version) })
			}
			time.Sleep(200 * time.Millisecond) // let them reach the queue
			close(release)
			wg.Wait()

			for i := range n {
				if i == refused {
					var we *workflow.Error
					if !errors.As(errs[i], &we) || we.Code != workflow.CodeValidationFailed {
						t.Fatalf("act %d: want validation_failed for the missing document, got %v", i, errs[i])
					}
					continue
				}
				if errs[i] != nil {
					t.Fatalf("act %d was sunk by its neighbour: %v", i, errs[i])
				}
			}
			groups, acts := db.GroupCommits()
			if acts-acts0 != n || groups-groups0 >= n {
				t.Fatalf("%d acts in %d groups: the queued acts were not committed together", acts-acts0, groups-groups0)
			}
			after, err := db.Verify(ctx)
			if err != nil || !after.OK {
				t.Fatalf("the chain does not verify after the group: %+v %v", after, err)
			}
			if after.Events != before.Events+n-1 {
				t.Fatalf("events %d → %d, want %d new (the refused act leaves none)", before.Events, after.Events, n-1)
			}
			seqs := map[int64]bool{}
			for i, r := range results {
				if i == refused {
					continue
				}
				if seqs[r.AuditSeq] || r.AuditSeq <= before.Events || r.AuditSeq > after.Events {
					t.Fatalf("act %d: audit seq %d out of place (%d..%d)", i, r.AuditSeq, before.Events+1, after.Events)
				}
				seqs[r.AuditSeq] = true
				d, err := db.Decision(ctx, store.System, decisions[i].ID)
				if err != nil || d.Version != decisions[i].Version+1 {
					t.Fatalf("act %d: decision %+v %v", i, d, err)
				}
			}
			d, err := db.Decision(ctx, store.System, decisions[refused].ID)
			if err != nil || d.Version != decisions[refused].Version {
				t.Fatalf("the refused act changed its decision: %+v %v", d, err)
			}
			// The refused decision still takes its next act.
			if _, err := db.Apply(ctx, decisions[refused].ID, act(0), decisions[refused].Version); err != nil {
				t.Fatal(err)
			}
		})
	}
}
