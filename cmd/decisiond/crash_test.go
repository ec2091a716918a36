package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"decisiond/handlers/api"
	"decisiond/handlers/handlerstest"
	"decisiond/store"
	"decisiond/store/crypt"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// The crash test: the real server (this package built with go build) runs
// as a subprocess under concurrent HTTP clients and is killed with SIGKILL
// at random moments, then restarted. After every restart each act that was
// acknowledged (a 2xx answer) is present with its version and audit event,
// each comment of the public answered with a receipt has its receipt page,
// nothing is half-written (verify: the chain, every table against it, the
// signed checkpoints), and every acknowledged create/launch has its webhook
// delivery (the outbox) — sent once the server is back. 5 cycles in the
// default run on SQLite and PostgreSQL; more with -crash.cycles=50 or
// DECISIOND_CRASH_CYCLES=50.

var crashCycles = flag.Int("crash.cycles", 0, "SIGKILL cycles of TestCrash (default 5, or DECISIOND_CRASH_CYCLES)")

func cycles() int {
	if *crashCycles > 0 {
		return *crashCycles
	}
	if n, err := strconv.Atoi(os.Getenv("DECISIOND_CRASH_CYCLES")); err == nil && n > 0 {
		return n
	}
	return 5
}

// buildServer builds the decisiond binary once per test.
func buildServer(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("the crash test builds and runs the server; skipped in -short")
	}
	bin := filepath.Join(t.TempDir(), "decisiond")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// server is one run of the server process.
type server struct {
	cmd     *exec.Cmd
	url     string
	metrics string
	logs    *bytes.Buffer
	done    chan struct{}
}

func startServer(t *testing.T, bin string, args []string) *server {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--demo", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "DECISIOND_WEBHOOK_ATTEMPTS=20")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, logs: &bytes.Buffer{}, done: make(chan struct{})}
	var mu sync.Mutex
	cmd.Stderr = writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		if s.logs.Len() < 1<<20 {
			s.logs.Write(p)
		}
		return len(p), nil
	})
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(s.done) }()
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
		close(lines)
	}()
	deadline := time.After(60 * time.Second)
	for s.url == "" || s.metrics == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("the server stopped before listening:\n%s", s.logs)
			}
			if _, rest, ok := strings.Cut(l, "listening on "); ok {
				s.url = strings.Fields(rest)[0]
			}
			if _, rest, ok := strings.Cut(l, "metrics: "); ok {
				s.metrics = strings.Fields(rest)[0]
			}
		case <-deadline:
			s.cmd.Process.Kill()
			t.Fatalf("the server did not start:\n%s", s.logs)
		}
	}
	return s
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func (s *server) kill(t *testing.T, sig syscall.Signal) {
	t.Helper()
	_ = s.cmd.Process.Signal(sig)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
		t.Errorf("the server did not stop on %v", sig)
	}
}

// ack is one acknowledged act.
type ack struct {
	decision, version, seq int64
	event                  string
}

var httpc = &http.Client{Timeout: 10 * time.Second}

func call(base, method, path, token string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, base+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := httpc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}

// client acts until the server goes away: it creates a decision, launches
// it and revises its draft again and again, recording every 2xx answer.
func client(base string, organ, unit int64, n int, acks chan<- ack) {
	type actRes struct {
		Decision struct{ ID, Version int64 }
		AuditSeq int64 `json:"audit_seq"`
	}
	for d := 0; ; d++ {
		st, b, err := call(base, "POST", "/api/v1/decisions", "demo-office", map[string]any{
			"title": fmt.Sprintf("崩溃测试事项 %d-%d", n, d), "organ_id": organ, "category": "other_major"})
		if err != nil || st != http.StatusCreated {
			return
		}
		var r actRes
		_ = json.Unmarshal(b, &r)
		acks <- ack{r.Decision.ID, r.Decision.Version, r.AuditSeq, "create"}
		id, v := r.Decision.ID, r.Decision.Version
		steps := []struct {
			token, event string
			data         map[string]any
		}{{"demo-office", workflow.EvLaunch, map[string]any{"undertaking_unit_id": unit, "launch_ref": "会议纪要"}}}
		for i := range 3 + rand.IntN(6) {
			steps = append(steps, struct {
				token, event string
				data         map[string]any
			}{"demo-drafter", workflow.EvReviseDraft, map[string]any{"text": fmt.Sprintf("第%d稿 %s", i+1, strings.Repeat("草案内容", 50+rand.IntN(200))), "note": "修改"}})
		}
		for _, s := range steps {
			st, b, err := call(base, "POST", fmt.Sprintf("/api/v1/decisions/%d/events", id), s.token,
				map[string]any{"event": s.event, "expected_version": v, "data": s.data})
			if err != nil {
				return
			}
			if st != http.StatusOK {
				acks <- ack{decision: id, version: -1, event: fmt.Sprintf("HTTP %d %s", st, b)}
				return
			}
			_ = json.Unmarshal(b, &r)
			acks <- ack{id, r.Decision.Version, r.AuditSeq, s.event}
			v = r.Decision.Version
		}
	}
}

// commenter posts comments of the public to the demo's consultation until
// the server goes away, sending each receipt it was answered with.
func commenter(base string, id int64, receipts chan<- string) {
	for i := 0; ; i++ {
		st, b, err := call(base, "POST", fmt.Sprintf("/public/consultations/%d/comments", id), "", map[string]any{
			"text": fmt.Sprintf("崩溃测试意见 %d：%s", i, strings.Repeat("建议", 1+rand.IntN(100)))})
		if err != nil {
			return
		}
		var rc struct{ Receipt string }
		if st != http.StatusCreated || json.Unmarshal(b, &rc) != nil || rc.Receipt == "" {
			receipts <- fmt.Sprintf("HTTP %d %s", st, b)
			return
		}
		receipts <- rc.Receipt
	}
}

// receiver counts the webhook deliveries by audit seq.
type hookReceiver struct {
	mu   sync.Mutex
	seqs map[int64]int
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var p store.WebhookPayload
	b, _ := io.ReadAll(r.Body)
	if json.Unmarshal(b, &p) == nil {
		h.mu.Lock()
		h.seqs[p.AuditSeq]++
		h.mu.Unlock()
	}
	w.WriteHeader(http.StatusNoContent)
}

// TestCrash kills the server with SIGKILL under load, again and again, on
// SQLite and PostgreSQL.
func TestCrash(t *testing.T) {
	// Every exchange of the clients with the API is checked against the
	// OpenAPI description too.
	spec, err := handlerstest.LoadSpec(api.Description())
	if err != nil {
		t.Fatal(err)
	}
	httpc.Transport = &handlerstest.Conform{Base: http.DefaultTransport, Spec: spec, TB: t}
	defer func() { httpc.Transport = nil }()
	bin := buildServer(t)
	n := cycles()
	backends := []string{"sqlite"}
	if os.Getenv(storetest.PostgresEnv) != "" {
		backends = append(backends, "postgres")
	} else {
		t.Logf("PostgreSQL variant skipped: set %s", storetest.PostgresEnv)
	}
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			dir := t.TempDir()
			dsn := filepath.Join(dir, "decisiond.db")
			journal := dsn + ".checkpoints"
			args := []string{"--db", dsn, "--comment-burst", "1000000"}
			if backend == "postgres" {
				dsn = storetest.PostgresDSN(t)
				journal = filepath.Join(dir, "checkpoints")
				if out, err := run(t, "keys", "generate", "--out", filepath.Join(dir, "keys")); err != nil {
					t.Fatalf("keys: %v %s", err, out)
				}
				args = []string{"--db", dsn, "--checkpoint-journal", journal, "--signing-key", filepath.Join(dir, "keys", crypt.PrivateKeyFile),
					"--comment-burst", "1000000"}
			}
			hooks := &hookReceiver{seqs: map[int64]int{}}
			recv := httptest.NewServer(hooks)
			defer recv.Close()

			srv := startServer(t, bin, args)
			var organ, unit int64
			{
				_, b, err := call(srv.url, "GET", "/api/v1/units", "demo-office", nil)
				if err != nil {
					t.Fatal(err)
				}
				var us struct{ Units []workflow.Unit }
				_ = json.Unmarshal(b, &us)
				for _, u := range us.Units {
					switch u.Name {
					case "西宁市人民政府":
						organ = u.ID
					case "西宁市交通运输局":
						unit = u.ID
					}
				}
				st, b, err := call(srv.url, "POST", "/api/v1/webhooks", "demo-sysadmin", map[string]any{"url": recv.URL + "/hook", "events": []string{"create", "launch"}})
				if err != nil || st != http.StatusCreated {
					t.Fatalf("subscribe: %d %s %v", st, b, err)
				}
			}
			if organ == 0 || unit == 0 {
				t.Fatalf("demo organ and unit not found")
			}
			var consultation int64 // the demo's decision in public participation
			{
				_, b, _ := call(srv.url, "GET", "/api/v1/decisions?state=public_participation", "demo-office", nil)
				var ds struct{ Items []struct{ ID int64 } }
				_ = json.Unmarshal(b, &ds)
				if len(ds.Items) != 1 {
					t.Fatalf("the demo's consultation: %s", b)
				}
				consultation = ds.Items[0].ID
			}
			var acked []ack
			var receipts []string
			start := time.Now()
			for c := range n {
				acks := make(chan ack, 10000)
				rcs := make(chan string, 100000)
				var wg sync.WaitGroup
				for i := range 4 {
					wg.Add(1)
					go func() { defer wg.Done(); client(srv.url, organ, unit, c*10+i, acks) }()
				}
				wg.Add(1)
				go func() { defer wg.Done(); commenter(srv.url, consultation, rcs) }()
				time.Sleep(time.Duration(150+rand.IntN(550)) * time.Millisecond)
				srv.kill(t, syscall.SIGKILL)
				wg.Wait()
				close(acks)
				for a := range acks {
					if a.version < 0 {
						t.Fatalf("cycle %d: an act was refused: %s", c, a.event)
					}
					acked = append(acked, a)
				}
				close(rcs)
				for r := range rcs {
					if strings.HasPrefix(r, "HTTP ") {
						t.Fatalf("cycle %d: a comment was refused: %s", c, r)
					}
					receipts = append(receipts, r)
				}
				srv = startServer(t, bin, args)
				checkAcked(t, srv.url, acked)
				for _, r := range receipts {
					if st, _, err := call(srv.url, "GET", "/public/receipts/"+r, "", nil); err != nil || st != http.StatusOK {
						t.Fatalf("cycle %d: comment %s acknowledged with its receipt, missing after the restart: %d %v", c, r, st, err)
					}
				}
				st, b, err := call(srv.url, "GET", "/api/v1/audit/verify", "demo-leader", nil)
				var v struct {
					OK          bool
					Events      int64
					Checkpoints *store.CheckpointReport
				}
				_ = json.Unmarshal(b, &v)
				if err != nil || st != http.StatusOK || !v.OK || v.Checkpoints == nil || !v.Checkpoints.OK {
					t.Fatalf("cycle %d: verify after the restart: %d %s %v\n%s", c, st, b, err, srv.logs)
				}
			}
			elapsed := time.Since(start)

			// The outbox: every acknowledged create and launch is delivered.
			want := map[int64]bool{}
			for _, a := range acked {
				if a.event == "create" || a.event == workflow.EvLaunch {
					want[a.seq] = true
				}
			}
			deadline := time.Now().Add(60 * time.Second)
			missing := len(want)
			for missing > 0 && time.Now().Before(deadline) {
				missing = 0
				hooks.mu.Lock()
				for s := range want {
					if hooks.seqs[s] == 0 {
						missing++
					}
				}
				hooks.mu.Unlock()
				time.Sleep(50 * time.Millisecond)
			}
			if missing > 0 {
				t.Fatalf("%d of %d acknowledged acts' webhook deliveries never arrived", missing, len(want))
			}
			// The metrics listener of the last run counts its acts.
			res, err := httpc.Get(srv.metrics)
			if err != nil || res.StatusCode != http.StatusOK {
				t.Fatalf("metrics listener: %v", err)
			}
			res.Body.Close()
			srv.kill(t, syscall.SIGTERM)
			vargs := []string{"verify", "--db", dsn, "--checkpoints", journal}
			if out, err := run(t, vargs...); err != nil || !strings.HasPrefix(out, "OK: ") {
				t.Fatalf("decisiond verify at the end: %v\n%s", err, out)
			}
			t.Logf("%s: %d SIGKILL cycles, %d acknowledged acts and %d acknowledged comments all present, %d webhook deliveries all arrived, verify OK (%.1f s)",
				backend, n, len(acked), len(receipts), len(want), elapsed.Seconds())
		})
	}
}

// checkAcked: every acknowledged act is in the restarted server — the
// decision at least at the acknowledged version, and its audit event at
// the acknowledged seq with that event and version.
func checkAcked(t *testing.T, base string, acked []ack) {
	t.Helper()
	by := map[int64][]ack{}
	for _, a := range acked {
		by[a.decision] = append(by[a.decision], a)
	}
	for id, as := range by {
		st, b, err := call(base, "GET", fmt.Sprintf("/api/v1/decisions/%d/audit?per_page=200", id), "demo-leader", nil)
		if err != nil || st != http.StatusOK {
			t.Fatalf("audit of decision %d: %d %v", id, st, err)
		}
		var list struct{ Items []store.AuditEvent }
		_ = json.Unmarshal(b, &list)
		bySeq := map[int64]store.AuditEvent{}
		for _, e := range list.Items {
			bySeq[e.Seq] = e
		}
		for _, a := range as {
			e, ok := bySeq[a.seq]
			if !ok || e.Event != a.event || e.Version != a.version {
				t.Fatalf("acknowledged act lost: decision %d %s v%d seq %d (found %+v)", id, a.event, a.version, a.seq, e)
			}
		}
	}
}
