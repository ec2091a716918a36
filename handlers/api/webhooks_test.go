package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// receiver is a webhook receiver started by the test.
type receiver struct {
	srv  *httptest.Server
	fail atomic.Bool // answer 503 while set

	mu   sync.Mutex
	got  []delivered
	cond chan struct{}
}

type delivered struct {
	header http.Header
	body   []byte
	at     time.Time
	status int
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{cond: make(chan struct{}, 100)}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		status := http.StatusNoContent
		if rc.fail.Load() {
			status = http.StatusServiceUnavailable
		}
		rc.mu.Lock()
		rc.got = append(rc.got, delivered{header: r.Header.Clone(), body: b, at: time.Now(), status: status})
		rc.mu.Unlock()
		w.WriteHeader(status)
		rc.cond <- struct{}{}
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// wait returns the requests received once there are at least n (10 s at most).
func (rc *receiver) wait(t *testing.T, n int) []delivered {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		rc.mu.Lock()
		got := append([]delivered(nil), rc.got...)
		rc.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-rc.cond:
		case <-deadline:
			t.Fatalf("receiver: %d requests, want %d", len(got), n)
		}
	}
}

// TestWebhooks_SignedRetriedDeadLetteredReplayed runs the delivery worker
// against receivers started by the test: the system administrator
// subscribes (audited; the secret shown once and never listed); an act's
// delivery arrives signed and the signature verifies; a failing receiver
// is retried with growing waits, then dead-lettered, visible to the
// administrators with every attempt's outcome; the replay delivers it.
func TestWebhooks_SignedRetriedDeadLetteredReplayed(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newEnv(t, b.Open)
			good, bad := newReceiver(t), newReceiver(t)
			bad.fail.Store(true)

			// Administration: only the system administrator subscribes; bad input is 400.
			body := map[string]any{"url": good.srv.URL + "/decisiond", "events": []string{workflow.EvLaunch, workflow.EvReviseDraft}, "description": "OA 系统"}
			problem(t, e.Do(t, "POST", "/api/v1/webhooks", tokenOf(t, "office"), body), http.StatusForbidden, workflow.CodeForbidden)
			p := problem(t, e.Do(t, "POST", "/api/v1/webhooks", tokenOf(t, "sysadmin"), map[string]any{"url": "ftp://x", "events": []string{"no_such_event"}}),
				http.StatusBadRequest, workflow.CodeValidationFailed)
			if f := strings.Join(fieldsOf(p), ","); f != "url,events[0]" {
				t.Fatalf("fields %s", f)
			}
			r := e.Do(t, "POST", "/api/v1/webhooks", tokenOf(t, "sysadmin"), body)
			if r.Status != http.StatusCreated {
				t.Fatalf("subscribe: %s", r)
			}
			hook := decode[struct {
				ID           int64
				Secret       string
				SignatureAlg string `json:"signature_alg"`
			}](t, r)
			if !strings.HasPrefix(hook.Secret, "whsec_") || hook.SignatureAlg != "hmac-sha256" {
				t.Fatalf("subscription answer: %s", r)
			}
			r = e.Do(t, "POST", "/api/v1/webhooks", tokenOf(t, "sysadmin"), map[string]any{"url": bad.srv.URL + "/down", "events": []string{workflow.EvReviseDraft}})
			if r.Status != http.StatusCreated {
				t.Fatalf("subscribe the failing receiver: %s", r)
			}
			badSecret := decode[struct{ Secret string }](t, r).Secret
			for _, who := range []string{"sysadmin", "auditor"} {
				l := e.Do(t, "GET", "/api/v1/webhooks", tokenOf(t, who), nil)
				if l.Status != http.StatusOK || strings.Contains(string(l.Body), hook.Secret) || !strings.Contains(string(l.Body), "OA 系统") {
					t.Fatalf("list as %s (never the secret): %s", who, l)
				}
			}
			audit := e.Do(t, "GET", "/api/v1/audit?per_page=200", tokenOf(t, "auditor"), nil)
			if !strings.Contains(string(audit.Body), `"webhook_create"`) || strings.Contains(string(audit.Body), hook.Secret) {
				t.Fatal("the subscription must be audited, without its secret")
			}

			// The worker, its clock running from the store's pinned time.
			start := time.Now()
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() {
				defer close(done)
				e.DB.RunWebhooks(ctx, store.WebhookOptions{Poll: 20 * time.Millisecond, MaxAttempts: 3, Timeout: 2 * time.Second,
					Backoff: func(n int) time.Duration { return time.Duration(100<<(n-1)) * time.Millisecond },
					Now:     func() time.Time { return storetest.Now.Add(time.Since(start)) }})
			}()
			defer func() { cancel(); <-done }()

			// A signed delivery of the launch.
			d := e.CreateFare(t).Decision
			d = e.MustFire(t, "office", d, workflow.EvLaunch, fareStep(t, workflow.EvLaunch).Payload(&e.Fx.Env))
			got := good.wait(t, 1)[0]
			if err := store.VerifyWebhook(e.DB.Crypto(), hook.Secret, got.header.Get(store.HeaderSignature), got.body); err != nil {
				t.Fatalf("signature: %v", err)
			}
			if store.VerifyWebhook(e.DB.Crypto(), hook.Secret, got.header.Get(store.HeaderSignature), append(got.body, 'x')) == nil {
				t.Fatal("a changed body must not verify")
			}
			var pl store.WebhookPayload
			if err := json.Unmarshal(got.body, &pl); err != nil || pl.Event != workflow.EvLaunch || pl.DecisionID == nil || *pl.DecisionID != d.ID ||
				pl.Version != d.Version || got.header.Get(store.HeaderEvent) != workflow.EvLaunch || got.header.Get(store.HeaderDelivery) == "" {
				t.Fatalf("delivery %s %v", got.body, got.header)
			}

			// The failing receiver: 3 attempts with growing waits, then dead.
			e.MustFire(t, "drafter", d, workflow.EvReviseDraft, map[string]any{"text": "草案", "note": "初稿"})
			tries := bad.wait(t, 3)
			if len(tries) != 3 {
				t.Fatalf("attempts: %d", len(tries))
			}
			gap1, gap2 := tries[1].at.Sub(tries[0].at), tries[2].at.Sub(tries[1].at)
			if gap1 < 100*time.Millisecond || gap2 < 200*time.Millisecond {
				t.Errorf("backoff: waits %v then %v, want ≥ 100 ms then ≥ 200 ms", gap1, gap2)
			}
			id := tries[0].header.Get(store.HeaderDelivery)
			for _, tr := range tries {
				if tr.header.Get(store.HeaderDelivery) != id {
					t.Fatal("a retry must carry the same delivery id (receivers deduplicate by it)")
				}
			}
			var dead struct {
				Items []store.Delivery
			}
			deadline := time.Now().Add(10 * time.Second)
			for len(dead.Items) == 0 && time.Now().Before(deadline) {
				dead = decode[struct{ Items []store.Delivery }](t, e.Do(t, "GET", "/api/v1/webhook-deliveries?status=dead", tokenOf(t, "auditor"), nil))
				time.Sleep(20 * time.Millisecond)
			}
			if len(dead.Items) != 1 || fmt.Sprint(dead.Items[0].ID) != id || dead.Items[0].Attempts != 3 || dead.Items[0].LastStatus == nil ||
				*dead.Items[0].LastStatus != http.StatusServiceUnavailable {
				t.Fatalf("dead-letter list: %+v", dead.Items)
			}
			one := decode[store.Delivery](t, e.Do(t, "GET", "/api/v1/webhook-deliveries/"+id, tokenOf(t, "sysadmin"), nil))
			if len(one.History) != 3 || one.History[2].HTTPStatus == nil || *one.History[2].HTTPStatus != 503 || one.History[0].Error == "" {
				t.Fatalf("every attempt's outcome: %+v", one.History)
			}
			problem(t, e.Do(t, "GET", "/api/v1/webhook-deliveries/"+id, tokenOf(t, "office"), nil), http.StatusForbidden, workflow.CodeForbidden)

			// Replay: the auditor may not; the system administrator does, once the receiver is back.
			problem(t, e.Do(t, "POST", "/api/v1/webhook-deliveries/"+id+"/replay", tokenOf(t, "auditor"), nil), http.StatusForbidden, workflow.CodeForbidden)
			bad.fail.Store(false)
			if r := e.Do(t, "POST", "/api/v1/webhook-deliveries/"+id+"/replay", tokenOf(t, "sysadmin"), nil); r.Status != http.StatusOK {
				t.Fatalf("replay: %s", r)
			}
			last := bad.wait(t, 4)[3]
			if last.status != http.StatusNoContent || last.header.Get(store.HeaderDelivery) != id {
				t.Fatalf("replayed delivery: %d %s", last.status, last.header.Get(store.HeaderDelivery))
			}
			if err := store.VerifyWebhook(e.DB.Crypto(), badSecret, last.header.Get(store.HeaderSignature), last.body); err != nil {
				t.Fatalf("replayed signature: %v", err)
			}
			deadline = time.Now().Add(10 * time.Second)
			for one.Status != store.DeliveryDelivered && time.Now().Before(deadline) {
				one = decode[store.Delivery](t, e.Do(t, "GET", "/api/v1/webhook-deliveries/"+id, tokenOf(t, "auditor"), nil))
				time.Sleep(20 * time.Millisecond)
			}
			if one.Status != store.DeliveryDelivered || len(one.History) != 4 {
				t.Fatalf("after replay: %+v", one)
			}
			problem(t, e.Do(t, "POST", "/api/v1/webhook-deliveries/"+id+"/replay", tokenOf(t, "sysadmin"), nil), http.StatusConflict, workflow.CodeInvalidTransition)
			audit = e.Do(t, "GET", "/api/v1/audit?per_page=200", tokenOf(t, "auditor"), nil)
			if !strings.Contains(string(audit.Body), `"webhook_replay"`) {
				t.Fatal("the replay must be audited")
			}

			// Disabling is an audited change; a disabled subscription gets nothing new.
			if r := e.Do(t, "PUT", fmt.Sprintf("/api/v1/webhooks/%d", hook.ID), tokenOf(t, "sysadmin"), map[string]any{"active": false}); r.Status != http.StatusOK {
				t.Fatalf("disable: %s", r)
			}
			problem(t, e.Do(t, "PUT", "/api/v1/webhooks/999999", tokenOf(t, "sysadmin"), map[string]any{"active": false}), http.StatusNotFound, workflow.CodeNotFound)
			e.Verify(t)
		})
	}
}
