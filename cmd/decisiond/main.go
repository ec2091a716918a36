// Command decisiond runs the major administrative decision procedure engine.
//
//	decisiond serve [--addr :8080] [--db PATH|DSN] [--demo] [--rules qinghai]
//	decisiond migrate [--db …]
//	decisiond seed --demo [--db …]
//	decisiond user create --name N --role R[,R] --unit UNIT [--display-name D] [--head]
//	decisiond token create --user N [--label L]
//	decisiond verify [--db …]
//
// Every flag may also be set as DECISIOND_<FLAG> (e.g. DECISIOND_DB).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"decisiond/handlers"
	"decisiond/seeds"
	"decisiond/store"
	"decisiond/workflow"
)

// DefaultDB is the embedded SQLite database used when none is configured.
const DefaultDB = "./data/decisiond.db"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, nil)))
	if err := Run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		var e *workflow.Error
		if errors.As(err, &e) {
			fmt.Fprintln(os.Stderr, "decisiond:", e.Detail())
			for _, f := range e.Fields {
				fmt.Fprintf(os.Stderr, "  %s: %s / %s\n", f.Field, f.ZH, f.EN)
			}
		} else if !errors.Is(err, errVerifyFailed) {
			fmt.Fprintln(os.Stderr, "decisiond:", err)
		}
		os.Exit(1)
	}
}

const usage = `decisiond — 重大行政决策程序引擎 / major administrative decision procedure engine

usage:
  decisiond serve [--addr :8080] [--db PATH|DSN] [--demo] [--rules CODE]
  decisiond migrate [--db …]
  decisiond seed --demo [--db …]
  decisiond user create --name N --role R[,R] --unit UNIT [--display-name D] [--head]
  decisiond token create --user N [--label L]
  decisiond verify [--db …]

--db takes a SQLite file path (default ./data/decisiond.db) or a PostgreSQL
URL (postgres://…). Every flag may also be set as DECISIOND_<FLAG>, e.g.
DECISIOND_DB, DECISIOND_ADDR, DECISIOND_RULES.
`

var errVerifyFailed = errors.New("audit chain verification failed")

// config is what every subcommand shares.
type config struct {
	db    string
	rules string
}

func newFlags(name string, cfg *config, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.db, "db", env("DB", DefaultDB), "SQLite path or PostgreSQL URL")
	fs.StringVar(&cfg.rules, "rules", env("RULES", "qinghai"), "rule pack code (national, qinghai)")
	return fs
}

func env(k, def string) string {
	if v, ok := os.LookupEnv("DECISIOND_" + k); ok && v != "" {
		return v
	}
	return def
}

// Run executes one subcommand.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	var cfg config
	switch cmd {
	case "serve":
		fs := newFlags("serve", &cfg, stderr)
		addr := fs.String("addr", env("ADDR", "127.0.0.1:8080"), "listen address")
		demo := fs.Bool("demo", env("DEMO", "") == "true" || env("DEMO", "") == "1", "load demo data into a new database")
		if err := fs.Parse(rest); err != nil {
			return err
		}
		return serve(ctx, cfg, *addr, *demo, stdout)
	case "migrate":
		fs := newFlags("migrate", &cfg, stderr)
		if err := fs.Parse(rest); err != nil {
			return err
		}
		db, err := open(ctx, cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		fmt.Fprintln(stdout, "schema up to date:", cfg.db)
		return nil
	case "seed":
		fs := newFlags("seed", &cfg, stderr)
		demo := fs.Bool("demo", false, "load the demo data")
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if !*demo {
			return errors.New("seed: only --demo is available")
		}
		db, err := open(ctx, cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		if err := seeds.Demo(ctx, db); err != nil {
			return err
		}
		printDemo(stdout, "")
		return nil
	case "user":
		return userCmd(ctx, rest, stdout, stderr)
	case "token":
		return tokenCmd(ctx, rest, stdout, stderr)
	case "verify":
		fs := newFlags("verify", &cfg, stderr)
		if err := fs.Parse(rest); err != nil {
			return err
		}
		db, err := openReadOnly(ctx, cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		res, err := db.Verify(ctx)
		if err != nil {
			return err
		}
		if !res.OK {
			fmt.Fprintf(stdout, "BROKEN: audit chain broken at seq %d: %s (%d events verified before it)\n", res.FirstBadSeq, res.Reason, res.Events)
			return errVerifyFailed
		}
		fmt.Fprintf(stdout, "OK: %d audit events verified; head %s\n", res.Events, res.Head)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// open opens the store (migrating it) with the built-in calendar, the
// chosen rule pack and the procedure built once for store and handlers.
func open(ctx context.Context, cfg config) (*store.DB, error) {
	opts, err := options(cfg)
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, cfg.db, opts)
}

// openReadOnly opens an existing database for reading only (verify).
func openReadOnly(ctx context.Context, cfg config) (*store.DB, error) {
	opts, err := options(cfg)
	if err != nil {
		return nil, err
	}
	return store.OpenReadOnly(ctx, cfg.db, opts)
}

func options(cfg config) (store.Options, error) {
	cal, err := workflow.NewCalendar(seeds.BuiltinCalendarYears()...)
	if err != nil {
		return store.Options{}, fmt.Errorf("built-in calendar: %w", err)
	}
	packs, err := seeds.RulePacks()
	if err != nil {
		return store.Options{}, err
	}
	var pack *workflow.RulePack
	for i := range packs {
		if packs[i].Code == cfg.rules {
			pack = &packs[i]
		}
	}
	if pack == nil {
		return store.Options{}, fmt.Errorf("unknown rule pack %q", cfg.rules)
	}
	return store.Options{Calendar: cal, Packs: packs, Rules: *pack, Procedure: procedure}, nil
}

// procedure is the procedure machine, built once for the process.
var procedure = workflow.New()

func serve(ctx context.Context, cfg config, addr string, demo bool, stdout io.Writer) error {
	db, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if demo {
		switch err := seeds.Demo(ctx, db); {
		case errors.Is(err, seeds.ErrAlreadySeeded):
			slog.Info("database already holds data; demo not loaded again", "db", cfg.db)
		case err != nil:
			return fmt.Errorf("demo data: %w", err)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handlers.New(handlers.Deps{DB: db, Procedure: procedure}), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: time.Minute}
	url := "http://" + ln.Addr().String()
	if strings.HasPrefix(ln.Addr().String(), "[::]") || strings.HasPrefix(ln.Addr().String(), "0.0.0.0") {
		url = "http://localhost:" + ln.Addr().(*net.TCPAddr).AddrPort().String()[strings.LastIndex(ln.Addr().String(), ":")+1:]
	}
	fmt.Fprintf(stdout, "decisiond 已启动 / listening on %s  (database: %s %s, rules: %s)\n", url, db.Dialect(), cfg.db, cfg.rules)
	if demo {
		printDemo(stdout, url)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	slog.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

func printDemo(w io.Writer, url string) {
	if url == "" {
		url = "http://127.0.0.1:8080"
	}
	fmt.Fprintln(w, "演示账号令牌 / demo sign-in tokens (send as  Authorization: Bearer <token>):")
	for _, u := range seeds.DemoUsers {
		fmt.Fprintf(w, "  %-9s %-14s %-24s token %s\n", u.Name, strings.Join(u.Roles, ","), u.DisplayName, u.Token)
	}
	fmt.Fprintf(w, "try: curl -H 'Authorization: Bearer demo-office' %s/api/v1/decisions\n", url)
}

func userCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: decisiond user create --name N --role R[,R] --unit UNIT")
	}
	var cfg config
	fs := newFlags("user create", &cfg, stderr)
	name := fs.String("name", "", "login name")
	display := fs.String("display-name", "", "name shown in records (default: the login name)")
	roles := fs.String("role", "", "roles, comma-separated: "+roleCodes())
	unit := fs.String("unit", "", "unit name (as in GET /api/v1/units)")
	head := fs.Bool("head", false, "the head of the decision organ (行政首长)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	db, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	nu := store.NewUser{Name: *name, DisplayName: *display, Head: *head}
	for _, r := range strings.Split(*roles, ",") {
		if r = strings.TrimSpace(r); r != "" {
			nu.Roles = append(nu.Roles, r)
		}
	}
	if *unit != "" {
		u, err := db.UnitByName(ctx, *unit)
		if err != nil {
			return err
		}
		nu.UnitID = &u.ID
	}
	u, err := db.CreateUser(ctx, store.System, nu)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "user %s created (id %d, roles %s)\n", u.Name, u.ID, u.Roles)
	return nil
}

func roleCodes() string {
	var out []string
	for _, r := range workflow.AllRoles {
		out = append(out, r.Code)
	}
	return strings.Join(out, ", ")
}

func tokenCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: decisiond token create --user N")
	}
	var cfg config
	fs := newFlags("token create", &cfg, stderr)
	user := fs.String("user", "", "login name")
	label := fs.String("label", "cli", "what the token is for")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	db, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	tok, err := db.CreateToken(ctx, store.System, *user, *label, "")
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}
