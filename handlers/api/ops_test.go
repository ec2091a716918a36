package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"decisiond/handlers"
	"decisiond/handlers/auth"
	"decisiond/handlers/handlerstest"
	"decisiond/handlers/httpx"
	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// scrape reads /metrics with a token and returns its text.
func scrape(t *testing.T, e *env, who string) string {
	t.Helper()
	r := e.Do(t, "GET", "/metrics", tokenOf(t, who), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /metrics as %s: %s", who, r)
	}
	return string(r.Body)
}

// sample is the value of one sample of the exposition text (labels in
// their exposition order, which is by name), or -1 when it is absent.
func sample(text, name, labels string) float64 {
	key := name
	if labels != "" {
		key += "{" + labels + "}"
	}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), key+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err == nil {
				return f
			}
		}
	}
	return -1
}

// TestMetrics_ActCounterRisesWithEventAndOutcome scrapes /metrics before and
// after acts: decisiond_acts_total rises with its event and outcome labels
// (ok, or the refusal's code), refusals are counted by code, latency is by
// route template (never a raw path), and the chain, checkpoint, deadline
// and pool figures are there. Anonymous scrapes are 401.
func TestMetrics_ActCounterRisesWithEventAndOutcome(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newEnv(t, b.Open)
			if r := e.Do(t, "GET", "/metrics", "", nil); r.Status != http.StatusUnauthorized {
				t.Fatalf("anonymous /metrics: want 401, got %s", r)
			}
			before := scrape(t, e, "executor")
			launchOK := `event="launch",outcome="ok"`
			if v := sample(before, "decisiond_acts_total", launchOK); v > 0 {
				t.Fatalf("no launch yet, but the counter is %v", v)
			}
			d := e.CreateFare(t).Decision
			d = e.MustFire(t, "office", d, workflow.EvLaunch, fareStep(t, workflow.EvLaunch).Payload(&e.Fx.Env))
			// A stale version and a wrong role: two refusals with their codes.
			problem(t, e.Fire(t, "drafter", d.ID, workflow.EvReviseDraft, d.Version-1, map[string]any{"text": "x"}), http.StatusConflict, workflow.CodeVersionConflict)
			problem(t, e.Fire(t, "executor", d.ID, workflow.EvReviseDraft, d.Version, map[string]any{"text": "x"}), http.StatusForbidden, workflow.CodeForbidden)
			if _, err := e.DB.Checkpoint(t.Context(), "test"); err != nil {
				t.Fatal(err)
			}

			after := scrape(t, e, "executor")
			for _, c := range []struct {
				labels string
				want   float64
			}{
				{`event="create",outcome="ok"`, 1},
				{launchOK, 1},
				{`event="revise_draft",outcome="version_conflict"`, 1},
				{`event="revise_draft",outcome="forbidden"`, 1},
			} {
				if got := sample(after, "decisiond_acts_total", c.labels); got != c.want {
					t.Errorf("decisiond_acts_total{%s} = %v, want %v", c.labels, got, c.want)
				}
			}
			if v := sample(after, "decisiond_refusals_total", `code="version_conflict"`); v < 1 {
				t.Errorf("refusals by code: version_conflict = %v", v)
			}
			if v := sample(after, "decisiond_refusals_total", `code="unauthenticated"`); v < 1 {
				t.Errorf("refusals by code: unauthenticated = %v", v)
			}
			// The four acts above went through the group commit (refused
			// ones too): at least one commit, at most one per act.
			grouped := sample(after, "decisiond_group_commit_acts_total", "") - max(sample(before, "decisiond_group_commit_acts_total", ""), 0)
			groups := sample(after, "decisiond_group_commits_total", "") - max(sample(before, "decisiond_group_commits_total", ""), 0)
			if grouped < 4 || groups < 1 || groups > grouped {
				t.Errorf("group commit: %v acts in %v commits, want at least 4 acts in at least one commit", grouped, groups)
			}
			route := `method="POST",route="/api/v1/decisions/:id/events",status="200"`
			if v := sample(after, "decisiond_http_request_duration_seconds_count", route); v < 1 {
				t.Errorf("latency by route template: %s = %v", route, v)
			}
			if strings.Contains(after, fmt.Sprintf(`route="/api/v1/decisions/%d`, d.ID)) {
				t.Error("a raw path became a route label")
			}
			seq, _, err := e.DB.ChainHead(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if v := sample(after, "decisiond_audit_chain_length", ""); v != float64(seq) {
				t.Errorf("chain length %v, want %d", v, seq)
			}
			for _, name := range []string{"decisiond_checkpoint_age_seconds", "decisiond_checkpoint_seq", "decisiond_deadlines_open", "decisiond_deadlines_overdue"} {
				if v := sample(after, name, ""); v < 0 {
					t.Errorf("%s missing", name)
				}
			}
			pool := `pool="pool",state="in_use"`
			if b.Name == "sqlite" {
				pool = `pool="writer",state="in_use"`
			}
			if v := sample(after, "decisiond_db_connections", pool); v < 0 {
				t.Errorf("decisiond_db_connections{%s} missing", pool)
			}
			if v := sample(after, "decisiond_webhook_deliveries", `status="dead"`); v != 0 {
				t.Errorf("webhook deliveries dead = %v", v)
			}
		})
	}
}

// lockedBuffer is a log sink safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLogs_JSONWithRequestIDNeverSecrets: every request is one JSON log
// line with its request id (the client's X-Request-ID when sane, a
// generated one otherwise, echoed in the header and in every problem body),
// route template, status, duration and actor — and no token, password,
// session id or document body ever reaches the log.
func TestLogs_JSONWithRequestIDNeverSecrets(t *testing.T) {
	db, _ := storetest.OpenSQLite(t, "qinghai")
	var buf lockedBuffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := handlerstest.StartDeps(t, handlers.Deps{DB: db, Auth: store.AuthPolicy{AllowDemo: true}, Logger: logger,
		Limits: handlers.Limits{SignIn: 1000, Failing: 1000, Expensive: 1000}})

	// A sane id is kept and echoed.
	req, _ := http.NewRequest("GET", e.Srv.URL+"/api/v1/decisions", nil)
	req.Header.Set("Authorization", "Bearer demo-office")
	req.Header.Set(httpx.RequestIDHeader, "oa-trace-2026:0001")
	if r := e.Send(t, nil, req); r.Status != http.StatusOK || r.Header.Get(httpx.RequestIDHeader) != "oa-trace-2026:0001" {
		t.Fatalf("sane request id: %s, header %q", r, r.Header.Get(httpx.RequestIDHeader))
	}
	// An insane one is replaced by a generated id, in the header and the problem.
	req, _ = http.NewRequest("GET", e.Srv.URL+"/api/v1/decisions/999999", nil)
	req.Header.Set("Authorization", "Bearer demo-office")
	req.Header.Set(httpx.RequestIDHeader, `"><script>`+strings.Repeat("x", 200))
	r := e.Send(t, nil, req)
	p := problem(t, r, http.StatusNotFound, workflow.CodeNotFound)
	if !regexp.MustCompile(`^[0-9a-f]{24}$`).MatchString(p.RequestID) {
		t.Fatalf("generated request id %q", p.RequestID)
	}
	// Routes that are not the API: a page refusal and an unknown route carry it too.
	if r := e.Do(t, "GET", "/nowhere", "", nil); handlerstest.Problem(t, r, http.StatusNotFound, workflow.CodeNotFound).RequestID == "" {
		t.Fatal("no request id on an unknown route")
	}

	// Secrets and bodies that must never be logged.
	const marker = "机密草案正文-DRAFT-BODY-7f3a"
	const docMarker = "DOCUMENT-BODY-MARKER-91c2"
	d := e.CreateFare(t).Decision
	d = e.MustFire(t, "office", d, workflow.EvLaunch, fareStep(t, workflow.EvLaunch).Payload(&e.Fx.Env))
	e.MustFire(t, "drafter", d, workflow.EvReviseDraft, map[string]any{"text": marker, "note": "初稿"})
	up := e.Do(t, "POST", "/api/v1/documents", tokenOf(t, "drafter"), rawBody("%PDF-1.4\n"+docMarker+"\n%%EOF\n"))
	if up.Status != http.StatusCreated {
		t.Fatalf("upload: %s", up)
	}
	br := e.Browser(t)
	if r := e.SignIn(t, br, "office", seeds.DemoPassword); r.Status != http.StatusSeeOther {
		t.Fatalf("sign in: %s", r)
	}
	e.SignIn(t, e.Browser(t), "office", "Wrong#Password-5e1d")
	u, _ := url.Parse(e.Srv.URL)
	var session string
	for _, c := range br.Jar.Cookies(u) {
		if c.Name == auth.CookieName {
			session = c.Value
		}
	}
	if session == "" {
		t.Fatal("no session cookie")
	}
	if r := e.Page(t, br, "/"); r.Status != http.StatusOK {
		t.Fatalf("home page: %s", r)
	}
	tok := decode[map[string]any](t, e.Do(t, "POST", "/api/v1/tokens", tokenOf(t, "office"), map[string]any{"label": "日志测试"}))["token"]
	secret, _ := tok.(string)
	if secret == "" {
		t.Fatal("no token issued")
	}
	e.Do(t, "GET", "/api/v1/me", secret, nil)

	logs := buf.String()
	for _, s := range []string{"demo-office", "demo-drafter", seeds.DemoPassword, "Wrong#Password-5e1d", session, secret, marker, docMarker} {
		if strings.Contains(logs, s) {
			t.Errorf("the log holds a secret or a body: %q", s)
		}
	}
	lines, found := 0, false
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON log line: %q", line)
		}
		if rec["msg"] != "http" {
			continue
		}
		lines++
		for _, k := range []string{"request_id", "method", "route", "status", "duration_ms"} {
			if _, ok := rec[k]; !ok {
				t.Errorf("log line without %s: %s", k, line)
			}
		}
		if rec["request_id"] == "oa-trace-2026:0001" {
			found = true
			if rec["route"] != "/api/v1/decisions" || rec["status"] != float64(200) || rec["actor"] != "办公厅王科长" {
				t.Errorf("the traced line: %s", line)
			}
		}
	}
	if !found || lines < 10 {
		t.Fatalf("%d request lines; the traced request found: %v", lines, found)
	}
}
