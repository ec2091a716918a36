package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"decisiond/seeds"
	"decisiond/store"
	"decisiond/workflow"
)

// gen fills a database with decisions walked through the main line by
// concurrent clients through store.Apply (the same path as users' acts,
// group-committed), plus one decision with a long trail, for the
// reads-at-scale measurements. Nothing it makes is committed to git.
//
//	go run ./bench gen -db /tmp/scale.db -decisions 100000
func gen(args []string) {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	dsn := fs.String("db", "", "database to fill (a new SQLite file or PostgreSQL URL)")
	n := fs.Int("decisions", 100000, "decisions to create")
	extra := fs.Int("reports", 5, "execution reports per decision after the main line (acts per decision: 15 + reports)")
	c := fs.Int("c", 32, "concurrent clients")
	fs.Parse(args)
	if *dsn == "" {
		fatal(fmt.Errorf("-db is required"))
	}
	ctx := context.Background()
	db, fx := openScale(ctx, *dsn)
	defer db.Close()
	// One decision with a 200-event trail (the audit-trail read).
	res, err := fx.Run(ctx, db, "长期执行的事项（200条审计记录）", seeds.FareFlags, seeds.FareSteps)
	if err != nil {
		fatal(err)
	}
	for i := 0; res.Decision.Version < 200; i++ {
		if res, err = db.Apply(ctx, res.Decision.ID, workflow.Act{Event: workflow.EvReportExecution, Actor: fx.Actors["executor"],
			Data: seeds.Data(map[string]any{"period": fmt.Sprintf("第%d期", i+1), "progress": "按计划推进"})}, res.Decision.Version); err != nil {
			fatal(err)
		}
	}
	fmt.Printf("decision %d has a trail of %d events\n", res.Decision.ID, res.Decision.Version)
	var made atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for w := range *c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := made.Add(1)
				if i > int64(*n) {
					return
				}
				steps := seeds.FareSteps
				if i%3 == 0 { // a third stop early, spread over the stages
					steps = steps[:int(i)%len(steps)]
				}
				r, err := fx.Run(ctx, db, fmt.Sprintf("西宁市事项%06d（规模测试）", i), seeds.FareFlags, steps)
				if err != nil {
					fatal(fmt.Errorf("worker %d: %w", w, err))
				}
				if len(steps) == len(seeds.FareSteps) {
					for k := range *extra {
						if r, err = db.Apply(ctx, r.Decision.ID, workflow.Act{Event: workflow.EvReportExecution, Actor: fx.Actors["executor"],
							Data: seeds.Data(map[string]any{"period": fmt.Sprintf("第%d期", k+1), "progress": "推进"})}, r.Decision.Version); err != nil {
							fatal(err)
						}
					}
				}
				if i%5000 == 0 {
					fmt.Printf("  %d decisions, %.0f s\n", i, time.Since(start).Seconds())
				}
			}
		}()
	}
	wg.Wait()
	v, _ := db.Verify(ctx)
	fmt.Printf("made %d decisions; %d audit events in %.0f s\n", *n, v.Events, time.Since(start).Seconds())
}

func openScale(ctx context.Context, dsn string) (*store.DB, *seeds.Fixture) {
	cal, err := workflow.NewCalendar(seeds.BuiltinCalendarYears()...)
	if err != nil {
		fatal(err)
	}
	packs, err := seeds.RulePacks()
	if err != nil {
		fatal(err)
	}
	var qh workflow.RulePack
	for _, p := range packs {
		if p.Code == "qinghai" {
			qh = p
		}
	}
	db, err := store.Open(ctx, dsn, store.Options{Calendar: cal, Packs: packs, Rules: qh})
	if err != nil {
		fatal(err)
	}
	if n, _ := db.CountDecisions(ctx); n > 0 {
		fx, err := seeds.Reattach(ctx, db)
		if err != nil {
			fatal(err)
		}
		return db, fx
	}
	fx, err := seeds.Base(ctx, db)
	if err != nil {
		fatal(err)
	}
	return db, fx
}

// reads measures the reads at scale on a generated database: list and
// filter, one decision's trail of 200 events, overdue deadlines across
// decisions, and verify — with the process's peak RSS.
//
//	go run ./bench reads -db /tmp/scale.db
func reads(args []string) {
	fs := flag.NewFlagSet("reads", flag.ExitOnError)
	dsn := fs.String("db", "", "a database made by bench gen")
	runs := fs.Int("n", 200, "repetitions of each read")
	only := fs.String("only", "", "run only the reads whose name contains this (e.g. verify)")
	prof := fs.String("cpuprofile", "", "write a CPU profile of the measured reads to this file")
	fs.Parse(args)
	ctx := context.Background()
	db, fx := openScale(ctx, *dsn)
	defer db.Close()
	office := fx.Actors["office"]
	n, _ := db.CountDecisions(ctx)
	var ms0 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	fmt.Printf("peak RSS after opening %s (Go heap %d MB in use, %d MB from the OS)\n", peakRSS(), ms0.HeapInuse>>20, ms0.Sys>>20)
	v0, _ := db.VerifyChain(ctx) // also warms the caches
	fmt.Printf("database: %d decisions, %d audit events\n", n, v0.Events)
	state := string(workflow.StInExecution)
	text := "规模测试"
	long, _, err := db.Decisions(ctx, office, store.DecisionFilter{Text: ptr("长期执行的事项")})
	if err != nil || len(long) == 0 {
		fatal(fmt.Errorf("no long-trail decision: %v", err))
	}
	defer profile(*prof)()
	measure := func(name string, fn func() error) {
		if !strings.Contains(name, *only) {
			return
		}
		var lat []time.Duration
		for range *runs {
			t0 := time.Now()
			if err := fn(); err != nil {
				fatal(fmt.Errorf("%s: %w", name, err))
			}
			lat = append(lat, time.Since(t0))
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		fmt.Printf("%-44s p50 %7.2f ms   p99 %7.2f ms\n", name, ms(lat[len(lat)/2]), ms(lat[len(lat)*99/100]))
	}
	page := 0
	measure("list (newest first, page of 20)", func() error {
		page = page%50 + 1
		_, _, err := db.Decisions(ctx, office, store.DecisionFilter{Page: store.Page{Page: page}})
		return err
	})
	measure("filter by state (in_execution)", func() error {
		_, _, err := db.Decisions(ctx, office, store.DecisionFilter{State: &state})
		return err
	})
	measure("filter by title text (all match)", func() error {
		_, _, err := db.Decisions(ctx, office, store.DecisionFilter{Text: &text})
		return err
	})
	one := 0
	measure("filter by title text (one match)", func() error {
		one = (one+7919)%98000 + 1000
		t := fmt.Sprintf("事项%06d", one)
		d, _, err := db.Decisions(ctx, office, store.DecisionFilter{Text: &t})
		if err == nil && len(d) != 1 {
			err = fmt.Errorf("%s: %d found", t, len(d))
		}
		return err
	})
	two := "事项"
	measure("filter by two characters (all match)", func() error {
		_, _, err := db.Decisions(ctx, office, store.DecisionFilter{Text: &two})
		return err
	})
	measure("a decision's audit trail (200 events)", func() error {
		id := long[0].ID
		_, _, err := db.Audit(ctx, office, store.AuditFilter{DecisionID: &id, Page: store.Page{PerPage: 200}})
		return err
	})
	dl := *runs
	*runs = max(5, dl/20)
	measure("overdue deadlines across decisions", func() error {
		_, err := db.AllDeadlines(ctx, office, true)
		return err
	})
	measure("the background's due notices (a round)", func() error {
		_, err := db.DueNotices(ctx, 3)
		return err
	})
	*runs = 1
	if !strings.Contains("verify", *only) {
		fmt.Printf("peak RSS %s\n", peakRSS())
		return
	}
	fmt.Printf("peak RSS before verify %s\n", peakRSS())
	t0 := time.Now()
	c, err := db.VerifyChain(ctx)
	if err != nil || !c.OK {
		fatal(fmt.Errorf("verify chain: %+v %v", c, err))
	}
	fmt.Printf("%-44s %7.2f s for %d events (peak RSS %s)\n", "verify: the chain alone", time.Since(t0).Seconds(), c.Events, peakRSS())
	if !store.IsPostgres(*dsn) {
		d, err := readEvents(*dsn, c.Events, runtime.GOMAXPROCS(0))
		if err != nil {
			fatal(err)
		}
		fmt.Printf("%-44s %7.2f s (the driver's floor: every column of every event read, nothing else, %d connections)\n",
			"verify: reading the events alone", d.Seconds(), runtime.GOMAXPROCS(0))
	}
	t0 = time.Now()
	v, err := db.Verify(ctx)
	if err != nil || !v.OK {
		fatal(fmt.Errorf("verify: %+v %v", v, err))
	}
	fmt.Printf("%-44s %7.2f s for %d events (chain and every table)\n", "verify", time.Since(t0).Seconds(), v.Events)
	fmt.Printf("peak RSS %s\n", peakRSS())
}

// readEvents reads every column of the first n audit events on workers
// connections, each its share in one query, and does nothing with them:
// the floor of the chain's verification with this driver.
func readEvents(path string, n int64, workers int) (time.Duration, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	t0 := time.Now()
	errs := make(chan error, workers)
	for w := range int64(workers) {
		go func() {
			lo, hi := n*w/int64(workers), n*(w+1)/int64(workers)
			rows, err := db.Query(`SELECT seq, at, decision_id, organ_id, actor_id, actor_name, role, event, from_state, to_state, version, data, alg, prev_hash, hash
				FROM audit_events WHERE seq > ? AND seq <= ? ORDER BY seq`, lo, hi)
			if err != nil {
				errs <- err
				return
			}
			defer rows.Close()
			var c [15]sql.RawBytes
			dest := make([]any, len(c))
			for i := range c {
				dest[i] = &c[i]
			}
			for rows.Next() {
				if err := rows.Scan(dest...); err != nil {
					errs <- err
					return
				}
			}
			errs <- rows.Err()
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			return 0, err
		}
	}
	return time.Since(t0), nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func ptr[T any](v T) *T { return &v }

// peakRSS reads the process's high-water resident set (Linux).
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return fmt.Sprintf("(Go heap %d MB)", m.Sys>>20)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:"))
		}
	}
	return "?"
}
