// Command bench measures decisiond the way the durable-workflow peers are
// measured: C clients each create a decision and walk it through the main
// line (the demo's steps, proposal to execution), back to back, through the
// HTTP API and through store.Apply, on SQLite and on PostgreSQL. Beside it,
// in the same run, the physical limit: a minimal loop of one durable commit
// per act (one UPDATE and one INSERT) on the same database and settings.
// It reports acts/s, per-act p50/p99 and the ratio to the limit.
//
//	go run ./bench                                  # SQLite, C = 1, 16, 64, 8 s each
//	DECISIOND_TEST_POSTGRES=postgres://… go run ./bench -db postgres
//	go run ./bench -ci                              # a few seconds; exit 1 when an act costs > 10× a raw commit
//	go run ./bench gen -db /tmp/scale.db -decisions 100000   # the reads-at-scale database
//	go run ./bench reads -db /tmp/scale.db                   # list, trail, deadlines, verify, RSS
//
// The paths are measured one after the other, each on a fresh database.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"decisiond/handlers"
	"decisiond/seeds"
	"decisiond/store"
	"decisiond/workflow"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "gen":
			slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
			gen(os.Args[2:])
			return
		case "reads":
			slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
			reads(os.Args[2:])
			return
		}
	}
	dbKind := flag.String("db", "sqlite", "sqlite, postgres or both")
	clients := flag.String("c", "1,16,64", "client counts")
	dur := flag.Duration("d", 8*time.Second, "measuring window per path and client count")
	paths := flag.String("paths", "raw,apply,http", "what to measure")
	ci := flag.Bool("ci", false, "a short run that fails when an act costs more than -max times a raw commit")
	maxRatio := flag.Float64("max", 10, "with -ci: the largest allowed act time / raw commit time")
	groupCommit := flag.Bool("group-commit", true, "the store's group commit (false: one transaction per act, for comparison)")
	prof := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	keepSchemas = flag.Bool("keep", false, "keep each run's PostgreSQL schema (bench_…) for inspection instead of dropping it")
	flag.Parse()
	defer profile(*prof)()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	if *ci {
		*clients, *dur = "4", 2*time.Second
	}
	noGroup = !*groupCommit
	kinds := []string{*dbKind}
	if *dbKind == "both" {
		kinds = []string{"sqlite", "postgres"}
	}
	var cs []int
	for _, s := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fatal(fmt.Errorf("-c: %q", s))
		}
		cs = append(cs, n)
	}
	fmt.Printf("decisiond bench: each client walks fresh decisions through the main line (%d acts each); %s per measurement\n", 1+len(seeds.FareSteps), *dur)
	fmt.Printf("%-9s %-6s %4s %10s %9s %9s %9s\n", "database", "path", "C", "acts/s", "p50 ms", "p99 ms", "× raw")
	failed := false
	for _, kind := range kinds {
		if kind == "postgres" && os.Getenv("DECISIOND_TEST_POSTGRES") == "" {
			fmt.Println("postgres: skipped (set DECISIOND_TEST_POSTGRES to a DSN)")
			continue
		}
		for _, c := range cs {
			var raw result
			for _, p := range strings.Split(*paths, ",") {
				r, err := measure(kind, p, c, *dur)
				if err != nil {
					fatal(fmt.Errorf("%s %s C=%d: %w", kind, p, c, err))
				}
				if p == "raw" {
					raw = r
				}
				ratio := ""
				if raw.rate > 0 && p != "raw" {
					ratio = fmt.Sprintf("%.2f", r.rate/raw.rate)
					if *ci && r.meanMS() > *maxRatio*raw.meanMS() {
						failed = true
						ratio += fmt.Sprintf("  ← an act costs %.1f× a raw commit (limit %.0f×)", r.meanMS()/raw.meanMS(), *maxRatio)
					}
				}
				fmt.Printf("%-9s %-6s %4d %10.0f %9.2f %9.2f %9s\n", kind, p, c, r.rate, r.p(50), r.p(99), ratio)
			}
		}
	}
	if failed {
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(2)
}

// noGroup turns the store's group commit off.
var noGroup bool

// result is one measurement.
type result struct {
	acts int
	rate float64         // acts per second
	lat  []time.Duration // per act
	wall time.Duration
}

func (r result) p(q int) float64 {
	if len(r.lat) == 0 {
		return 0
	}
	i := len(r.lat) * q / 100
	if i >= len(r.lat) {
		i = len(r.lat) - 1
	}
	return float64(r.lat[i]) / float64(time.Millisecond)
}

func (r result) meanMS() float64 {
	if r.acts == 0 {
		return 0
	}
	var sum time.Duration
	for _, l := range r.lat {
		sum += l
	}
	return float64(sum) / float64(len(r.lat)) / float64(time.Millisecond)
}

// target is a fresh database for one measurement.
type target struct {
	dsn     string
	cleanup func()
}

// keepSchemas: -keep.
var keepSchemas = new(bool)

func fresh(kind string) (*target, error) {
	if kind == "sqlite" {
		dir, err := os.MkdirTemp("", "decisiond-bench-")
		if err != nil {
			return nil, err
		}
		return &target{dsn: filepath.Join(dir, "bench.db"), cleanup: func() { os.RemoveAll(dir) }}, nil
	}
	base := os.Getenv("DECISIOND_TEST_POSTGRES")
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "bench_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return nil, err
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		return nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	if *keepSchemas {
		fmt.Fprintln(os.Stderr, "kept PostgreSQL schema", schema)
		return &target{dsn: u.String(), cleanup: func() { admin.Close() }}, nil
	}
	return &target{dsn: u.String(), cleanup: func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE"); admin.Close() }}, nil
}

// measure runs one path with c clients for d.
func measure(kind, path string, c int, d time.Duration) (result, error) {
	t, err := fresh(kind)
	if err != nil {
		return result{}, err
	}
	defer t.cleanup()
	var act func(ctx context.Context, worker int) (func() (bool, error), error)
	switch path {
	case "raw":
		act, err = rawLoop(kind, t.dsn, c)
	case "apply", "http":
		act, err = walker(t.dsn, path == "http")
	default:
		return result{}, fmt.Errorf("unknown path %q", path)
	}
	if err != nil {
		return result{}, err
	}
	return run(c, d, act)
}

// run drives c workers for d; each worker's step returns whether an act was
// done (the raw loop always; a walker per act).
func run(c int, d time.Duration, mk func(ctx context.Context, worker int) (func() (bool, error), error)) (result, error) {
	ctx := context.Background()
	var mu sync.Mutex
	var all []time.Duration
	var stop atomic.Bool
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	for w := range c {
		step, err := mk(ctx, w)
		if err != nil {
			return result{}, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for !stop.Load() {
				t0 := time.Now()
				ok, err := step()
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					stop.Store(true)
					break
				}
				if ok {
					mine = append(mine, time.Since(t0))
				}
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	time.Sleep(d)
	stop.Store(true)
	wg.Wait()
	wall := time.Since(start)
	if firstErr != nil {
		return result{}, firstErr
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	return result{acts: len(all), rate: float64(len(all)) / wall.Seconds(), lat: all, wall: wall}, nil
}

// rawLoop: one durable commit per act — UPDATE the worker's row, INSERT a
// log row — with the store's own settings (SQLite: one writer connection,
// BEGIN IMMEDIATE, WAL, synchronous=FULL; PostgreSQL: a pool, default
// durability).
func rawLoop(kind, dsn string, c int) (func(context.Context, int) (func() (bool, error), error), error) {
	var db *sql.DB
	var err error
	if kind == "sqlite" {
		db, err = sql.Open("sqlite", store.SQLiteDSN(dsn)+"&_txlock=immediate")
		if err == nil {
			db.SetMaxOpenConns(1)
		}
	} else {
		db, err = sql.Open("pgx", dsn)
		if err == nil {
			db.SetMaxOpenConns(16)
			db.SetMaxIdleConns(16) // as the store's pool: no connection opened again per commit
		}
	}
	if err != nil {
		return nil, err
	}
	for _, s := range []string{
		`CREATE TABLE raw_rows (id INTEGER PRIMARY KEY, version INTEGER NOT NULL)`,
		`CREATE TABLE raw_log (seq INTEGER NOT NULL, row_id INTEGER NOT NULL, at TEXT NOT NULL, data TEXT NOT NULL)`,
	} {
		if _, err := db.Exec(s); err != nil {
			return nil, err
		}
	}
	ph := func(q string) string {
		if kind == "sqlite" {
			return q
		}
		for i := 1; strings.Contains(q, "?"); i++ {
			q = strings.Replace(q, "?", "$"+strconv.Itoa(i), 1)
		}
		return q
	}
	for w := range c {
		if _, err := db.Exec(ph(`INSERT INTO raw_rows (id, version) VALUES (?, 0)`), w); err != nil {
			return nil, err
		}
	}
	var seq atomic.Int64
	payload := strings.Repeat("x", 400) // about an audit event's size
	return func(ctx context.Context, w int) (func() (bool, error), error) {
		return func() (bool, error) {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				return false, err
			}
			defer tx.Rollback()
			if _, err := tx.Exec(ph(`UPDATE raw_rows SET version = version + 1 WHERE id = ?`), w); err != nil {
				return false, err
			}
			if _, err := tx.Exec(ph(`INSERT INTO raw_log (seq, row_id, at, data) VALUES (?, ?, ?, ?)`), seq.Add(1), w, time.Now().UTC().Format(time.RFC3339Nano), payload); err != nil {
				return false, err
			}
			return true, tx.Commit()
		}, nil
	}, nil
}

// walker: each worker creates a decision and walks the demo's main line,
// act after act, through store.Apply or the HTTP API.
func walker(dsn string, viaHTTP bool) (func(context.Context, int) (func() (bool, error), error), error) {
	ctx := context.Background()
	cal, err := workflow.NewCalendar(seeds.BuiltinCalendarYears()...)
	if err != nil {
		return nil, err
	}
	packs, err := seeds.RulePacks()
	if err != nil {
		return nil, err
	}
	var qinghai workflow.RulePack
	for _, p := range packs {
		if p.Code == "qinghai" {
			qinghai = p
		}
	}
	db, err := store.Open(ctx, dsn, store.Options{Calendar: cal, Packs: packs, Rules: qinghai, NoGroupCommit: noGroup})
	if err != nil {
		return nil, err
	}
	fx, err := seeds.Base(ctx, db)
	if err != nil {
		return nil, err
	}
	var srv *httptest.Server
	var client *http.Client
	if viaHTTP {
		srv = httptest.NewServer(handlers.New(handlers.Deps{DB: db, Auth: store.AuthPolicy{AllowDemo: true}}))
		client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	}
	tokens := map[string]string{}
	for _, u := range seeds.DemoUsers {
		tokens[u.Name] = u.Token
	}
	organ := fx.Units[seeds.DemoOrgan]
	post := func(path, who string, body any) (map[string]json.RawMessage, error) {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", srv.URL+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+tokens[who])
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		if res.StatusCode >= 300 {
			return nil, fmt.Errorf("%s: HTTP %d %s", path, res.StatusCode, out)
		}
		var m map[string]json.RawMessage
		return m, json.Unmarshal(out, &m)
	}
	return func(ctx context.Context, w int) (func() (bool, error), error) {
		var id, version int64
		i := -1 // -1: create next
		return func() (bool, error) {
			if i == -1 {
				body := map[string]any{"title": seeds.FareTitle + "（基准）", "organ_id": organ}
				for k, v := range seeds.FareFlags {
					body[k] = v
				}
				if viaHTTP {
					m, err := post("/api/v1/decisions", "office", body)
					if err != nil {
						return false, err
					}
					var d struct {
						Decision struct{ ID, Version int64 } `json:"decision"`
					}
					b, _ := json.Marshal(m)
					json.Unmarshal(b, &d)
					id, version = d.Decision.ID, d.Decision.Version
				} else {
					res, err := db.CreateDecision(ctx, seeds.Data(body), fx.Actors["office"])
					if err != nil {
						return false, err
					}
					id, version = res.Decision.ID, res.Decision.Version
				}
				i = 0
				return true, nil
			}
			st := seeds.FareSteps[i]
			data := st.Payload(&fx.Env)
			if viaHTTP {
				m, err := post(fmt.Sprintf("/api/v1/decisions/%d/events", id), st.Who, map[string]any{"event": st.Event, "expected_version": version, "data": data})
				if err != nil {
					return false, fmt.Errorf("%s: %w", st.Event, err)
				}
				var d struct{ Version int64 }
				if err := json.Unmarshal(m["decision"], &d); err != nil {
					return false, err
				}
				version = d.Version
			} else {
				res, err := db.Apply(ctx, id, workflow.Act{Event: st.Event, Data: seeds.Data(data), Actor: fx.Actors[st.Who]}, version)
				if err != nil {
					return false, fmt.Errorf("%s: %w", st.Event, err)
				}
				version = res.Decision.Version
			}
			i++
			if i == len(seeds.FareSteps) {
				i = -1
			}
			return true, nil
		}, nil
	}, nil
}

// profile starts a CPU profile written to path (nothing when path is
// empty); the returned function stops it.
func profile(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fatal(err)
	}
	return pprof.StopCPUProfile
}
