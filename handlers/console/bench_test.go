package console_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"decisiond/handlers"
	"decisiond/handlers/handlerstest"
	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// The console's pages with 10,000 decisions in the database.
//
//	go test -run='^$' -bench=Console -benchtime=300x ./handlers/console
//
// The data is made once per run through the store, as users would: 10,000
// proposals by db.CreateDecision (each audited, each indexed for the
// queue), 1,000 of them launched to the undertaking unit by db.Apply, and
// the bus-fare decision walked into execution. The SQLite file lives in
// /dev/shm where there is one, so that making the data is quick; the pages
// read it through the same code either way.

const benchDecisions = 10000

type benchData struct {
	env  *handlerstest.Env
	fare int64
	br   map[string]*http.Client
	err  error
}

var (
	benchOnce sync.Once
	bench     benchData
)

func benchWorld(b *testing.B) *benchData {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("/dev/shm", "decisiond-bench-")
		if err != nil {
			dir, err = os.MkdirTemp("", "decisiond-bench-")
		}
		if err != nil {
			bench.err = err
			return
		}
		// The data outlives each benchmark's b.Cleanup: it is shared by
		// the benchmarks of the run and removed with the process's temp.
		db, err := store.Open(context.Background(), filepath.Join(dir, "bench.db"), storetest.Options(b, "qinghai"))
		if err != nil {
			bench.err = err
			return
		}
		env := handlerstest.StartWith(&keepAlive{b}, db, store.AuthPolicy{AllowDemo: true}, handlers.Limits{SignIn: 10000, Failing: 10000, Expensive: 10000})
		ctx := context.Background()
		office := env.Fx.Actors["office"]
		launch := seeds.Data(map[string]any{"undertaking_unit_id": env.Fx.Units["西宁市交通运输局"], "launch_ref": "市政府常务会议纪要"})
		start := time.Now()
		for i := range benchDecisions - 1 {
			res, err := db.CreateDecision(ctx, seeds.Data(map[string]any{"title": fmt.Sprintf("基准测试决策事项第%05d号", i+1),
				"organ_id": env.Fx.Units[seeds.DemoOrgan], "category": workflow.Categories[i%len(workflow.Categories)]}), office)
			if err != nil {
				bench.err = err
				return
			}
			if i%10 == 0 {
				if _, err := db.Apply(ctx, res.Decision.ID, workflow.Act{Event: workflow.EvLaunch, Data: launch, Actor: office}, 1); err != nil {
					bench.err = err
					return
				}
			}
		}
		res, err := env.Fx.Run(ctx, db, seeds.FareTitle, seeds.FareFlags, seeds.FareSteps)
		if err != nil {
			bench.err = err
			return
		}
		bench.env, bench.fare, bench.br = env, res.Decision.ID, map[string]*http.Client{}
		for _, u := range []string{"office", "drafter", "leader"} {
			br := env.Browser(b)
			if r := env.SignIn(b, br, u, seeds.DemoPassword); r.Status != http.StatusSeeOther {
				bench.err = fmt.Errorf("sign in %s: %s", u, r)
				return
			}
			bench.br[u] = br
		}
		if n, err := db.CountDecisions(ctx); err != nil || n != benchDecisions {
			bench.err = fmt.Errorf("made %d decisions (%v)", n, err)
			return
		}
		fmt.Fprintf(os.Stderr, "bench: %d decisions made in %s\n", benchDecisions, time.Since(start).Round(time.Second))
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return &bench
}

// keepAlive lends a benchmark's helpers to setup that outlives it: its
// cleanups are never run (the process ends with them).
type keepAlive struct{ *testing.B }

func (k *keepAlive) Cleanup(func()) {}

func (k *keepAlive) TempDir() string {
	d, err := os.MkdirTemp("", "decisiond-bench-")
	if err != nil {
		k.Fatal(err)
	}
	return d
}

// renderTimes GETs path as who b.N times and reports the p50 and p99
// render times (the whole HTTP round trip on the loopback).
func renderTimes(b *testing.B, d *benchData, who, path, want string) {
	br := d.br[who]
	url := d.env.Srv.URL + path
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Accept", "text/html")
		t0 := time.Now()
		res, err := br.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		times = append(times, time.Since(t0))
		if err != nil || res.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(want)) {
			b.Fatalf("GET %s: HTTP %d (%v)", path, res.StatusCode, err)
		}
	}
	b.StopTimer()
	slices.Sort(times)
	pct := func(p float64) float64 {
		return float64(times[min(len(times)-1, int(float64(len(times))*p))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkConsoleQueue: the office's 待办 (9,999 proposals and more,
// overdue first) and the drafter's (1,000 launched).
func BenchmarkConsoleQueue(b *testing.B) {
	d := benchWorld(b)
	b.Run("office-todo", func(b *testing.B) { renderTimes(b, d, "office", "/", "基准测试决策事项") })
	b.Run("drafter-todo", func(b *testing.B) { renderTimes(b, d, "drafter", "/", "基准测试决策事项") })
	b.Run("office-search", func(b *testing.B) {
		renderTimes(b, d, "office", "/?tab=mine&q=%E7%AC%AC09", "基准测试决策事项")
	})
}

// BenchmarkConsoleDecision: the bus-fare decision's page (in execution,
// 16 acts) among 10,000 decisions.
func BenchmarkConsoleDecision(b *testing.B) {
	d := benchWorld(b)
	b.Run("leader", func(b *testing.B) { renderTimes(b, d, "leader", fmt.Sprintf("/decisions/%d", d.fare), "办理进度") })
	b.Run("audit-timeline", func(b *testing.B) {
		renderTimes(b, d, "leader", fmt.Sprintf("/audit?decision=%d", d.fare), "办理时间线")
	})
}
