package store_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// TestMigrateData_SQLiteToPostgres: migrate-data copies the whole demo
// into an empty PostgreSQL database — every table, every hash — and the
// chain verifies there with the same head as on SQLite; a target that is
// not empty is refused, and nothing is written to it.
func TestMigrateData_SQLiteToPostgres(t *testing.T) {
	if os.Getenv(storetest.PostgresEnv) == "" {
		t.Skipf("PostgreSQL test skipped: %s is not set", storetest.PostgresEnv)
	}
	src, path := storetest.OpenSQLite(t, "qinghai")
	if err := seeds.Demo(ctx, src); err != nil {
		t.Fatal(err)
	}
	doc, _, err := src.PutDocument(ctx, seedsActor(t, src, "executor"), "执行报告.pdf", []byte("%PDF-1.4\n%%EOF\n"))
	if err != nil {
		t.Fatal(err)
	}
	fare, _, _ := src.Decisions(ctx, store.System, store.DecisionFilter{Text: ptr(seeds.FareTitle), State: ptr(string(workflow.StInExecution))})
	if len(fare) != 1 {
		t.Fatalf("the demo's fare decision in execution: %d", len(fare))
	}
	if _, err := src.Apply(ctx, fare[0].ID, workflow.Act{Event: workflow.EvReportExecution, Actor: seedsActor(t, src, "executor"),
		Data: raw(map[string]any{"period": "第二季度", "progress": "平稳", "documents": []map[string]any{{"hash": doc.Hash, "title": "执行报告"}}})}, fare[0].Version); err != nil {
		t.Fatal(err)
	}
	want, _ := src.Verify(ctx)
	src.Close()
	ro, err := store.OpenReadOnly(ctx, path, storetest.Options(t, "qinghai"))
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	dsn := storetest.PostgresDSN(t)
	rep, err := store.MigrateData(ctx, ro, dsn, storetest.Options(t, "qinghai"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Head != want.Head || rep.Events != want.Events || rep.Tables["audit_events"] != int(want.Events) || rep.Tables["documents"] != 1 {
		t.Fatalf("report %+v, source %+v", rep, want)
	}
	pg, err := store.Open(ctx, dsn, storetest.Options(t, "qinghai"))
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	v, _ := pg.Verify(ctx)
	if !v.OK || v.Head != want.Head {
		t.Fatalf("the target verifies with the source's head: %+v", v)
	}
	// The copy works on: a new act extends the same chain; ids go on.
	ds, _, err := pg.Decisions(ctx, store.System, store.DecisionFilter{})
	if err != nil || len(ds) == 0 {
		t.Fatal(err)
	}
	office := seedsActor(t, pg, "office")
	res, err := pg.CreateDecision(ctx, seeds.Data(map[string]any{"title": "迁移后的新事项", "organ_id": ds[0].OrganID, "category": "other_major"}), office)
	if err != nil {
		t.Fatalf("a new decision on the target: %v", err)
	}
	if res.Decision.ID <= ds[0].ID || res.AuditSeq != want.Events+1 {
		t.Fatalf("ids and the chain go on after the copy: decision %d, seq %d", res.Decision.ID, res.AuditSeq)
	}
	if _, content, err := pg.DocumentOf(ctx, store.System, fare[0].ID, doc.Hash); err != nil || !strings.HasPrefix(string(content), "%PDF") {
		t.Fatalf("documents are copied with their bytes: %v", err)
	}
	if _, err := store.MigrateData(ctx, ro, dsn, storetest.Options(t, "qinghai")); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("a non-empty target must be refused: %v", err)
	}
}

func seedsActor(t *testing.T, db *store.DB, name string) workflow.Actor {
	t.Helper()
	u, err := db.UserByName(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	return u.Actor()
}

func ptr[T any](v T) *T { return &v }

// TestTwoInstancesOnOnePostgres: two stores (two server processes' worth)
// open one new database at the same moment — the migrations run once,
// under goose's session lock — and fire conflicting acts concurrently: one
// winner per version, and one chain that verifies.
func TestTwoInstancesOnOnePostgres(t *testing.T) {
	if os.Getenv(storetest.PostgresEnv) == "" {
		t.Skipf("PostgreSQL test skipped: %s is not set", storetest.PostgresEnv)
	}
	dsn := storetest.PostgresDSN(t)
	var a, b *store.DB
	var errA, errB error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		a, errA = store.Open(context.Background(), dsn, storetest.Options(t, "qinghai"))
	}()
	go func() {
		defer wg.Done()
		b, errB = store.Open(context.Background(), dsn, storetest.Options(t, "qinghai"))
	}()
	wg.Wait()
	if errA != nil || errB != nil {
		t.Fatalf("two instances starting together: %v / %v", errA, errB)
	}
	defer a.Close()
	defer b.Close()
	fx := storetest.Base(t, a)
	res, err := fx.Run(ctx, a, seeds.FareTitle, seeds.FareFlags, stepsUntil(workflow.EvStartParticipation))
	if err != nil {
		t.Fatal(err)
	}
	drafter := fx.Actors["drafter"]
	id, version := res.Decision.ID, res.Decision.Version
	for round := range 10 {
		var wins, conflicts int
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i, db := range []*store.DB{a, b, a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := db.Apply(ctx, id, workflow.Act{Event: workflow.EvReviseDraft, Actor: drafter,
					Data: raw(map[string]any{"text": "并发修改稿", "note": string(rune('A' + i + round))})}, version)
				mu.Lock()
				defer mu.Unlock()
				switch workflow.ErrorCode(err) {
				case "":
					wins++
				case workflow.CodeVersionConflict:
					conflicts++
				default:
					t.Errorf("round %d: %v", round, err)
				}
			}()
		}
		wg.Wait()
		if wins != 1 || conflicts != 3 {
			t.Fatalf("round %d: %d winners, %d conflicts; want exactly one winner per version", round, wins, conflicts)
		}
		version++
		// Unrelated acts on both instances interleave in one chain.
		for _, db := range []*store.DB{a, b} {
			if _, err := db.CreateDecision(ctx, raw(map[string]any{"title": "并行事项", "organ_id": fx.Units[seeds.DemoOrgan], "category": "other_major"}), fx.Actors["office"]); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, db := range []*store.DB{a, b} {
		if v, _ := db.Verify(ctx); !v.OK {
			t.Fatalf("one chain that verifies: %+v", v)
		}
	}
}
