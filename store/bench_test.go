package store_test

import (
	"context"
	"fmt"
	"testing"

	"decisiond/seeds"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// BenchmarkActHistory: an act costs the same whatever the decision's
// history. A decision in drafting with 10 or 4,000 earlier draft versions
// takes one more revise_draft — the act does not load the history it does
// not read (workflow.EventDef.Reads). Compare ns/op of the two.
//
//	go test -run='^$' -bench=ActHistory -benchtime=400x ./store
func BenchmarkActHistory(b *testing.B) {
	for _, n := range []int{10, 4000} {
		b.Run(fmt.Sprintf("revise_draft/history=%d", n), func(b *testing.B) {
			bg := context.Background()
			db, _ := storetest.OpenSQLite(b, "qinghai")
			fx := storetest.Base(b, db)
			var setup []seeds.Step
			for _, s := range seeds.FareSteps {
				if s.Event == workflow.EvStartParticipation {
					break
				}
				setup = append(setup, s)
			}
			res, err := fx.Run(bg, db, seeds.FareTitle, seeds.FareFlags, setup)
			if err != nil {
				b.Fatal(err)
			}
			drafter := fx.Actors["drafter"]
			id, version := res.Decision.ID, res.Decision.Version
			act := func(i int) {
				r, err := db.Apply(bg, id, workflow.Act{Event: workflow.EvReviseDraft, Actor: drafter,
					Data: seeds.Data(map[string]any{"text": fmt.Sprintf("修改稿第%d稿", i), "note": "基准测试"})}, version)
				if err != nil {
					b.Fatalf("act at version %d: %v", version, err)
				}
				version = r.Decision.Version
			}
			for i := range n {
				act(i)
			}
			b.ResetTimer()
			for i := range b.N {
				act(n + i)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "acts/s")
		})
	}
}
