// Command dbos runs the peers' workload on DBOS Transact (Go), the embedded
// durable-workflow library issue 11 compares decisiond with: C clients each
// start a workflow of 15 steps (one checkpoint each, as decisiond's main
// line has 15 acts) and wait for it, back to back, on SQLite with
// decisiond's durability or on the same PostgreSQL.
// It is a module of its own so that decisiond does not depend on DBOS.
//
//	cd bench/dbos && go run .                 # SQLite
//	cd bench/dbos && DECISIOND_TEST_POSTGRES=postgres://root@127.0.0.1:5432/test?sslmode=disable go run . -db postgres
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dbos-inc/dbos-transact-golang/dbos"
	_ "github.com/dbos-inc/dbos-transact-golang/dbos/driver/sqlite"
)

const steps = 15

func step(ctx context.Context) (int, error) { return 1, nil }

// walk is one workflow: 15 steps, each checkpointed by DBOS before the next.
func walk(ctx dbos.Context, _ int) (int, error) {
	n := 0
	for range steps {
		t0 := time.Now()
		v, err := dbos.RunAsStep(ctx, step)
		if err != nil {
			return n, err
		}
		record(time.Since(t0))
		n += v
	}
	return n, nil
}

var (
	mu   sync.Mutex
	lats []time.Duration
)

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "dbos:", err)
	os.Exit(1)
}

func record(d time.Duration) {
	mu.Lock()
	lats = append(lats, d)
	mu.Unlock()
}

func main() {
	cs := flag.String("c", "1,16,64", "clients")
	dur := flag.Duration("d", 8*time.Second, "window per measurement")
	kind := flag.String("db", "sqlite", "sqlite (a new file, synchronous=FULL) or postgres (DECISIOND_TEST_POSTGRES)")
	flag.Parse()
	ctx := context.Background()
	cfg := dbos.Config{AppName: "decisiond-bench",
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	name := *kind
	switch *kind {
	case "postgres":
		cfg.DatabaseURL = os.Getenv("DECISIOND_TEST_POSTGRES")
		if cfg.DatabaseURL == "" {
			fmt.Println("dbos: skipped (set DECISIOND_TEST_POSTGRES to a PostgreSQL DSN)")
			return
		}
	case "sqlite":
		// DBOS's own SQLite set-up (BEGIN IMMEDIATE, a pool of 8, 4 idle)
		// with decisiond's durability: WAL, synchronous=FULL (DBOS's
		// default, NORMAL, does not sync each commit).
		dir, err := os.MkdirTemp("", "dbos-bench")
		if err != nil {
			fatal(err)
		}
		defer os.RemoveAll(dir)
		db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "dbos.db")+
			"?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(5000)&_txlock=immediate")
		if err != nil {
			fatal(err)
		}
		defer db.Close()
		db.SetMaxOpenConns(8)
		db.SetMaxIdleConns(4)
		cfg.SQLiteSystemDB = db
	default:
		fatal(fmt.Errorf("-db %q: sqlite or postgres", *kind))
	}
	dc, err := dbos.NewContext(ctx, cfg)
	if err != nil {
		fatal(err)
	}
	dbos.RegisterWorkflow(dc, walk)
	if err := dbos.Launch(dc); err != nil {
		fatal(err)
	}
	defer dbos.Shutdown(dc, 5*time.Second)
	fmt.Printf("DBOS Transact: each client runs workflows of %d steps back to back; %s per measurement\n", steps, *dur)
	fmt.Printf("%-9s %-8s %3s %10s %9s %9s\n", "database", "path", "C", "steps/s", "p50 ms", "p99 ms")
	for _, f := range strings.Split(*cs, ",") {
		c, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || c < 1 {
			fmt.Fprintln(os.Stderr, "dbos: -c", f)
			os.Exit(2)
		}
		mu.Lock()
		lats = nil
		mu.Unlock()
		var done atomic.Int64
		deadline := time.Now().Add(*dur)
		var wg sync.WaitGroup
		var failed atomic.Value
		t0 := time.Now()
		for range c {
			wg.Go(func() {
				for time.Now().Before(deadline) {
					h, err := dbos.RunWorkflow(dc, walk, 0)
					if err == nil {
						_, err = h.GetResult()
					}
					if err != nil {
						failed.Store(err)
						return
					}
					done.Add(steps)
				}
			})
		}
		wg.Wait()
		el := time.Since(t0)
		if err, _ := failed.Load().(error); err != nil {
			fmt.Fprintln(os.Stderr, "dbos:", err)
			os.Exit(1)
		}
		mu.Lock()
		sort.Slice(lats, func(i, j int) bool { return lats[i] < lats[j] })
		p50, p99 := lats[len(lats)/2], lats[len(lats)*99/100]
		mu.Unlock()
		fmt.Printf("%-9s %-8s %3d %10.0f %9.2f %9.2f\n", name, "dbos", c, float64(done.Load())/el.Seconds(),
			float64(p50)/1e6, float64(p99)/1e6)
	}
}
