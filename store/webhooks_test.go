package store_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// TestWebhooks_OutboxFollowsTheTransaction: a delivery is written in the
// act's own transaction — one per subscription that wants the event — so
// an act that rolls back (a panic just before commit), a refused act and a
// security event leave none, and a committed act always has its delivery.
func TestWebhooks_OutboxFollowsTheTransaction(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			var boom atomic.Bool
			opts := storetest.Options(t, "qinghai")
			opts.BeforeCommit = func() {
				if boom.Load() {
					panic("crash before commit")
				}
			}
			db, _ := b.OpenWith(t, opts)
			fx := storetest.Base(t, db)
			all, _, err := db.CreateWebhook(ctx, store.System, store.NewWebhook{URL: "http://127.0.0.1:9/all", Events: []string{"*"}})
			if err != nil {
				t.Fatal(err)
			}
			other := fx.Units[seeds.DemoOrgan] + 1000
			if _, _, err := db.CreateWebhook(ctx, store.System, store.NewWebhook{URL: "http://127.0.0.1:9/x", Events: []string{"*"}, OrganID: &other}); err == nil {
				t.Fatal("a subscription to an organ that does not exist must be refused")
			}
			organ := fx.Units[seeds.DemoOrgan]
			if _, _, err := db.CreateWebhook(ctx, store.System, store.NewWebhook{URL: "http://127.0.0.1:9/launch", Events: []string{workflow.EvLaunch}, OrganID: &organ}); err != nil {
				t.Fatal(err)
			}
			count := func() int {
				t.Helper()
				_, n, err := db.Deliveries(ctx, store.System, store.DeliveryFilter{})
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			res, err := fx.Run(ctx, db, seeds.FareTitle, seeds.FareFlags, nil)
			if err != nil {
				t.Fatal(err)
			}
			if n := count(); n != 1 {
				t.Fatalf("create: %d deliveries, want 1 (only the subscription to every event)", n)
			}
			launch := workflow.Act{Event: workflow.EvLaunch, Data: raw(seeds.FareSteps[0].Payload(&fx.Env)), Actor: fx.Actors["office"]}

			// Rolled back: no delivery.
			boom.Store(true)
			func() {
				defer func() { _ = recover() }()
				_, _ = db.Apply(ctx, res.Decision.ID, launch, res.Decision.Version)
			}()
			boom.Store(false)
			if n := count(); n != 1 {
				t.Fatalf("a rolled-back act left %d deliveries", n-1)
			}
			// Refused: none either.
			_, err = db.Apply(ctx, res.Decision.ID, workflow.Act{Event: workflow.EvPublish, Data: raw(map[string]any{}), Actor: fx.Actors["office"]}, res.Decision.Version)
			mustCode(t, err, workflow.CodeInvalidTransition)
			if err := db.RecordRefusal(ctx, fx.Actors["office"], "POST", "/x", nil, workflow.CodeForbidden, "test"); err != nil {
				t.Fatal(err)
			}
			if n := count(); n != 1 {
				t.Fatalf("a refused act or a security event left deliveries: %d", n)
			}
			// Committed: one per subscription that wants it.
			after, err := db.Apply(ctx, res.Decision.ID, launch, res.Decision.Version)
			if err != nil {
				t.Fatal(err)
			}
			ds, n, err := db.Deliveries(ctx, store.System, store.DeliveryFilter{})
			if err != nil || n != 3 {
				t.Fatalf("launch: %d deliveries (%v), want 3", n, err)
			}
			var p store.WebhookPayload
			if err := json.Unmarshal(ds[0].Payload, &p); err != nil || p.Event != workflow.EvLaunch || p.AuditSeq != after.AuditSeq ||
				p.DecisionID == nil || *p.DecisionID != res.Decision.ID || p.ToState != string(workflow.StDrafting) || len(p.Hash) != 64 {
				t.Fatalf("payload %+v (%v)", p, err)
			}
			if ds[0].WebhookID == all.ID && ds[1].WebhookID == all.ID {
				t.Fatal("both launch deliveries went to one subscription")
			}
			if v, err := db.Verify(ctx); err != nil || !v.OK {
				t.Fatalf("verify: %+v %v", v, err)
			}
		})
	}
}

// TestWebhooks_SM3HMACUnderGM: a 国密 deployment signs deliveries with
// HMAC-SM3 and names it; the signature verifies with the secret and fails
// on a changed body or another secret.
func TestWebhooks_SM3HMACUnderGM(t *testing.T) {
	var mu sync.Mutex
	var got []*http.Request
	var bodies [][]byte
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, bodies = append(got, r), append(bodies, b)
		mu.Unlock()
	}))
	defer recv.Close()
	opts := storetest.Options(t, "qinghai")
	opts.Crypto = "gm"
	db, err := store.Open(ctx, t.TempDir()+"/gm.db", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fx := storetest.Base(t, db)
	_, secret, err := db.CreateWebhook(ctx, store.System, store.NewWebhook{URL: recv.URL + "/hook", Events: []string{"create"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fx.Run(ctx, db, seeds.FareTitle, seeds.FareFlags, nil); err != nil {
		t.Fatal(err)
	}
	if n, err := db.DeliverDue(ctx, store.WebhookOptions{}, nil); err != nil || n != 1 {
		t.Fatalf("deliver: %d %v", n, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0].Header.Get(store.HeaderSignatureAlg) != "hmac-sm3" {
		t.Fatalf("want one delivery signed hmac-sm3, got %d", len(got))
	}
	sig := got[0].Header.Get(store.HeaderSignature)
	if err := store.VerifyWebhook("gm", secret, sig, bodies[0]); err != nil {
		t.Fatalf("SM3-HMAC signature: %v", err)
	}
	if store.VerifyWebhook("gm", secret, sig, append(bodies[0], ' ')) == nil || store.VerifyWebhook("gm", secret+"x", sig, bodies[0]) == nil ||
		store.VerifyWebhook("intl", secret, sig, bodies[0]) == nil {
		t.Fatal("a changed body, secret or algorithm must not verify")
	}
	ds, _, _ := db.Deliveries(ctx, store.System, store.DeliveryFilter{})
	if len(ds) != 1 || ds[0].Status != store.DeliveryDelivered || ds[0].Attempts != 1 {
		t.Fatalf("delivery after success: %+v", ds)
	}
}

// TestWebhooks_DefaultBackoffDoubles: 30 s, 1 min, 2 min … at most 6 h.
func TestWebhooks_DefaultBackoffDoubles(t *testing.T) {
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute}
	for i, w := range want {
		if got := store.DefaultBackoff(i + 1); got != w {
			t.Errorf("attempt %d: %v, want %v", i+1, got, w)
		}
	}
	if got := store.DefaultBackoff(30); got != 6*time.Hour {
		t.Errorf("cap: %v", got)
	}
}
