package store_test

import (
	"context"
	"testing"

	"decisiond/seeds"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// BenchmarkApply measures acts per second through store.Apply alone (one
// transaction: lock, load the guards' facts, fire, draft row, stage record,
// audit link, version bump) on SQLite with the clock pinned: repeated
// revise_draft on one decision in drafting, each act with the version the
// previous one returned. BenchmarkHTTPEvent in handlers is the same act
// through the HTTP API.
//
//	go test -run='^$' -bench=. -benchtime=2s ./store ./handlers
func BenchmarkApply(b *testing.B) {
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
	if res.Decision.State != workflow.StDrafting {
		b.Fatalf("setup: want drafting, got %s", res.Decision.State)
	}
	drafter := fx.Actors["drafter"]
	data := seeds.Data(map[string]any{"text": "西宁市城市公共交通票价调整方案（修改稿）……", "note": "基准测试"})
	id, version := res.Decision.ID, res.Decision.Version
	b.ResetTimer()
	for range b.N {
		r, err := db.Apply(bg, id, workflow.Act{Event: workflow.EvReviseDraft, Data: data, Actor: drafter}, version)
		if err != nil {
			b.Fatalf("act at version %d: %v", version, err)
		}
		version = r.Decision.Version
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "acts/s")
}
