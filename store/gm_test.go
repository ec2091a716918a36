package store_test

import (
	"context"
	"testing"

	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// TestChainAcrossTheSwitchToSM3 (国密, GB/T 39786): a deployment that moves
// from the default SHA-256 to SM3 keeps one chain — the old events keep
// their SHA-256 links, new ones are hashed with SM3 and name it, and the
// whole chain verifies; a tampered SM3 event is found.
func TestChainAcrossTheSwitchToSM3(t *testing.T) {
	path := t.TempDir() + "/gm.db"
	opts := storetest.Options(t, "qinghai")
	db, err := store.Open(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	fx := storetest.Base(t, db)
	res, err := fx.Run(ctx, db, seeds.FareTitle, seeds.FareFlags, stepsUntil(workflow.EvStartParticipation))
	if err != nil {
		t.Fatal(err)
	}
	before, _ := db.Verify(ctx)
	db.Close()

	opts.Crypto = "gm"
	db, err = store.Open(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	act := workflow.Act{Event: workflow.EvReviseDraft, Data: raw(map[string]any{"text": "国密修改稿", "note": "n"}), Actor: fx.Actors["drafter"]}
	if _, err := db.Apply(ctx, res.Decision.ID, act, res.Decision.Version); err != nil {
		t.Fatal(err)
	}
	after, err := db.Verify(ctx)
	if err != nil || !after.OK || after.Events != before.Events+1 {
		t.Fatalf("the chain across the switch: %+v %v", after, err)
	}
	evs, _, _ := db.Audit(ctx, store.System, store.AuditFilter{Page: store.Page{PerPage: 200}})
	algs := map[string]int{}
	for _, e := range evs {
		algs[e.Alg]++
	}
	if algs["sha256"] != int(before.Events) || algs["sm3"] != 1 || evs[len(evs)-1].Alg != "sm3" {
		t.Fatalf("algorithms %v", algs)
	}
	if _, err := db.ExecRaw(ctx, `DROP TRIGGER audit_events_no_update`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecRaw(ctx, `UPDATE audit_events SET actor_name = '篡改' WHERE seq = ?`, after.Events); err != nil {
		t.Fatal(err)
	}
	if v, _ := db.Verify(ctx); v.OK || v.FirstBadSeq != after.Events {
		t.Fatalf("a tampered SM3 event must be found: %+v", v)
	}
}
