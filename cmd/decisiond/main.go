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
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"decisiond/handlers"
	"decisiond/handlers/console"
	"decisiond/handlers/httpx"
	"decisiond/handlers/metrics"
	"decisiond/handlers/public"
	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/crypt"
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
		} else if !errors.Is(err, errVerifyFailed) && !errors.Is(err, errArchiveBroken) {
			fmt.Fprintln(os.Stderr, "decisiond:", err)
		}
		os.Exit(1)
	}
}

const usage = `decisiond — 重大行政决策程序引擎 / major administrative decision procedure engine

usage:
  decisiond serve [--addr :8080] [--db PATH|DSN] [--demo] [--rules CODE] [--metrics-addr ADDR] [--log-format json|text]
  decisiond migrate [--db …]
  decisiond seed --demo [--db …]
  decisiond user create --name N [--role R[,R]] [--unit UNIT] [--display-name D] [--head]
  decisiond user disable|enable|unlock --name N
  decisiond user passwd --name N --password-stdin [--temporary]
  decisiond user roles --name N --role R[,R]
  decisiond user list
  decisiond token create --user N [--label L] [--expires 90d|YYYY-MM-DD|never]
  decisiond token list --user N
  decisiond token revoke --token T | --user N
  decisiond unit create --name N [--short-name S] --kind organ|unit [--parent UNIT]
  decisiond organ set --organ UNIT [--head USER] [--review-unit UNIT]
  decisiond verify [--db …]              # the audit chain, every table, the checkpoints and every published catalogue anchor
  decisiond backup --to FILE [--db SOURCE]
  decisiond restore --from FILE --db TARGET
  decisiond keys generate --out DIR [--crypto intl|gm]
  decisiond archive export --decision N [--out FILE]
  decisiond migrate-data --from SQLITE-FILE --to postgres://… [--to-journal FILE]
  decisiond archive verify FILE [--public-key PEM]

serve: --demo loads demo data and lets the demo passwords and demo-* tokens
work; it listens only on a loopback address unless --demo-on-network.
--smtp-addr host:port and --smtp-from e-mail notifications to people who
gave an address (password in DECISIOND_SMTP_PASSWORD).
--lock-failures (5), --lock-minutes (15), --password-max-age-days (90; 0
never), --session-idle-minutes (30), --session-max-hours (12).
The public pages (/public) take their footer and metadata from --site-name,
--site-domain, --site-id-code (网站标识码), --site-sponsor (主办单位),
--site-contact, --site-icp (ICP备案号), --site-psb (公安机关备案号) and
--site-error-report-url (我为政府网站找错); empty shows nothing.
--public-max-age-seconds (300) is their Cache-Control max-age.
The public's comments: --comment-burst (10) posts per network address at
once, then one per --comment-every-seconds (30); the address is kept only
as a hash salted with --address-salt-file (made beside the signing key on
first start when not given). A comment may carry one file (PDF, OFD, DOCX,
XLSX, JPEG, PNG) of at most --comment-attachment-mb (10; 0: none).

--db takes a SQLite file path (default ./data/decisiond.db) or a PostgreSQL
URL (postgres://…). Every flag may also be set as DECISIOND_<FLAG>, e.g.
DECISIOND_DB, DECISIOND_ADDR, DECISIOND_RULES.
`

var errVerifyFailed = errors.New("audit chain verification failed")

// config is what every subcommand shares.
type config struct {
	db           string
	rules        string
	crypto       string
	journal      string
	documentsDir string
}

func newFlags(name string, cfg *config, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.db, "db", env("DB", DefaultDB), "SQLite path or PostgreSQL URL")
	fs.StringVar(&cfg.rules, "rules", env("RULES", "qinghai"), "rule pack code (national, qinghai)")
	fs.StringVar(&cfg.crypto, "crypto", env("CRYPTO", crypt.SuiteIntl), "intl (SHA-256, Ed25519) or gm (国密: SM3, SM2)")
	fs.StringVar(&cfg.journal, "checkpoint-journal", env("CHECKPOINT_JOURNAL", ""), "append-only checkpoint journal (default <db>.checkpoints on SQLite)")
	fs.StringVar(&cfg.documentsDir, "documents-dir", env("DOCUMENTS_DIR", ""), "keep document contents in this folder instead of the database")
	return fs
}

// journalPath is the checkpoint journal: as configured, or beside the
// SQLite file; PostgreSQL has none unless configured.
func (cfg config) journalPath() string {
	if cfg.journal != "" || store.IsPostgres(cfg.db) {
		return cfg.journal
	}
	return cfg.db + ".checkpoints"
}

func env(k, def string) string {
	if v, ok := os.LookupEnv("DECISIOND_" + k); ok && v != "" {
		return v
	}
	return def
}

// Run executes one subcommand.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return RunIO(ctx, args, os.Stdin, stdout, stderr)
}

// RunIO executes one subcommand reading secrets (--password-stdin) from stdin.
func RunIO(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	var cfg config
	switch cmd {
	case "serve":
		cfg, sc, err := serveFlags(rest, stderr)
		if err != nil {
			return err
		}
		return serve(ctx, cfg, sc, stdout, stderr)
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
		return userCmd(ctx, rest, stdin, stdout, stderr)
	case "token":
		return tokenCmd(ctx, rest, stdout, stderr)
	case "unit", "organ":
		return unitCmd(ctx, cmd, rest, stdout, stderr)
	case "keys":
		return keysCmd(rest, stdout, stderr)
	case "archive":
		return archiveCmd(ctx, rest, stdout, stderr)
	case "migrate-data":
		return migrateDataCmd(ctx, rest, stdout, stderr)
	case "backup":
		return backupCmd(ctx, rest, stdout, stderr)
	case "restore":
		return restoreCmd(ctx, rest, stdout, stderr)
	case "verify":
		fs := newFlags("verify", &cfg, stderr)
		checkpoints := fs.String("checkpoints", "", "the checkpoint journal to compare with (default: the database's own; a missing one is then only a warning)")
		pubKey := fs.String("public-key", "", "the deployment's public key (PEM): checkpoints must be signed with it")
		if err := fs.Parse(rest); err != nil {
			return err
		}
		return verifyCmd(ctx, cfg, *checkpoints, *pubKey, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// serveFlags reads serve's flags (and their DECISIOND_* variables).
func serveFlags(args []string, stderr io.Writer) (config, serveConfig, error) {
	var cfg config
	var sc serveConfig
	fs := newFlags("serve", &cfg, stderr)
	fs.StringVar(&sc.addr, "addr", env("ADDR", "127.0.0.1:8080"), "listen address")
	fs.BoolVar(&sc.demo, "demo", envBool("DEMO"), "load demo data into a new database; demo credentials work")
	fs.BoolVar(&sc.demoOnNetwork, "demo-on-network", envBool("DEMO_ON_NETWORK"), "allow --demo on a non-loopback address")
	fs.StringVar(&sc.signingKey, "signing-key", env("SIGNING_KEY", ""), "PEM private key that signs checkpoints (default: made on first start beside the database)")
	fs.StringVar(&sc.addressSalt, "address-salt-file", env("ADDRESS_SALT_FILE", ""), "the secret the addresses of the public's comments are hashed with (default: made on first start beside the signing key)")
	sc.limits.Comments = envInt("COMMENT_BURST", 10)
	fs.Func("comment-burst", "comments one network address may post at once (default 10)", intInto(&sc.limits.Comments))
	sc.limits.CommentEvery = time.Duration(envInt("COMMENT_EVERY_SECONDS", 30)) * time.Second
	fs.Func("comment-every-seconds", "then one more comment per this many seconds (default 30)", durInto(&sc.limits.CommentEvery, time.Second))
	attachMB := envInt("COMMENT_ATTACHMENT_MB", 10)
	fs.Func("comment-attachment-mb", "largest file a public comment may carry, in MB (default 10; 0: comments take no file)", intInto(&attachMB))
	fs.StringVar(&sc.witness, "checkpoint-witness", env("CHECKPOINT_WITNESS", ""), "URL each checkpoint is also posted to (an external witness)")
	sc.interval = time.Duration(envInt("CHECKPOINT_MINUTES", 60)) * time.Minute
	fs.Func("checkpoint-minutes", "sign the chain head this often (default 60; 0 only at publications)", durInto(&sc.interval, time.Minute))
	sc.maxDocMB = envInt("MAX_DOCUMENT_MB", 50)
	fs.Func("max-document-mb", "largest document accepted, in MB (default 50)", intInto(&sc.maxDocMB))
	fs.StringVar(&sc.metricsAddr, "metrics-addr", env("METRICS_ADDR", ""), "also serve /metrics without a token on this address (e.g. 127.0.0.1:9090)")
	fs.StringVar(&sc.logFormat, "log-format", env("LOG_FORMAT", "json"), "json (one JSON object per line) or text")
	fs.StringVar(&sc.groupCommit, "group-commit", env("GROUP_COMMIT", "true"), "commit the acts waiting at the same moment together: true or false (auto, the earlier default, is true)")
	sc.webhookAttempts = envInt("WEBHOOK_ATTEMPTS", 8)
	fs.Func("webhook-attempts", "attempts before a webhook delivery is dead (default 8)", intInto(&sc.webhookAttempts))
	fs.StringVar(&sc.smtp.Addr, "smtp-addr", env("SMTP_ADDR", ""), "mail relay host:port for e-mailed notifications (empty: no e-mail)")
	fs.StringVar(&sc.smtp.From, "smtp-from", env("SMTP_FROM", ""), "sender address of e-mailed notifications")
	fs.StringVar(&sc.smtp.User, "smtp-user", env("SMTP_USER", ""), "SMTP user (the password is read from DECISIOND_SMTP_PASSWORD)")
	policyFlags(fs, &sc.policy)
	siteFlags(fs, &sc.public)
	if err := fs.Parse(args); err != nil {
		return cfg, sc, err
	}
	if sc.logFormat != "json" && sc.logFormat != "text" {
		return cfg, sc, fmt.Errorf("--log-format %q: json or text", sc.logFormat)
	}
	sc.public.CommentAttachmentMax = int64(attachMB) << 20
	if attachMB <= 0 {
		sc.public.CommentAttachmentMax = -1 // no attachments
	}
	return cfg, sc, nil
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
	if !crypt.ValidSuite(cfg.crypto) {
		return store.Options{}, fmt.Errorf("--crypto %q: intl or gm", cfg.crypto)
	}
	return store.Options{Calendar: cal, Packs: packs, Rules: *pack, Procedure: procedure, Crypto: cfg.crypto,
		CheckpointJournal: cfg.journalPath(), DocumentsDir: cfg.documentsDir}, nil
}

// procedure is the procedure machine, built once for the process.
var procedure = workflow.New()

// serveConfig is what serve takes beyond the shared flags.
type serveConfig struct {
	addr          string
	demo          bool
	demoOnNetwork bool
	policy        store.AuthPolicy
	signingKey    string
	addressSalt   string
	witness       string
	interval      time.Duration
	maxDocMB      int
	metricsAddr   string
	logFormat     string
	// webhookAttempts before a delivery is dead; webhookPoll how often due
	// deliveries are looked for (tests shorten it).
	webhookAttempts int
	webhookPoll     time.Duration
	public          public.Config
	smtp            console.SMTPConfig
	limits          handlers.Limits
	// groupCommit: true (the default) or false; auto, the earlier default
	// (which kept it off on PostgreSQL while its pool reopened connections
	// under load), now means true.
	groupCommit string
}

// siteFlags binds the public site's configuration (《政府网站发展指引》: the
// footer and <meta> of every public page). Empty values show nothing.
func siteFlags(fs *flag.FlagSet, c *public.Config) {
	s := &c.Site
	for _, f := range []struct {
		dst        *string
		name, help string
	}{
		{&s.Name, "site-name", "the site's name (SiteName), e.g. 西宁市人民政府"},
		{&s.Domain, "site-domain", "the site's domain (SiteDomain), e.g. www.xining.gov.cn"},
		{&s.IDCode, "site-id-code", "网站标识码 (SiteIDCode)"},
		{&s.Sponsor, "site-sponsor", "主办单位 shown in the footer"},
		{&s.Contact, "site-contact", "联系方式 shown in the footer"},
		{&s.ICP, "site-icp", "ICP备案号, e.g. 青ICP备12345678号"},
		{&s.PSB, "site-psb", "公安机关备案号, e.g. 青公网安备 63010002000001号"},
		{&s.ErrorReportURL, "site-error-report-url", "the 「我为政府网站找错」 link of the site"},
	} {
		*f.dst = env(strings.ToUpper(strings.ReplaceAll(f.name, "-", "_")), "")
		fs.StringVar(f.dst, f.name, *f.dst, f.help)
	}
	c.MaxAge = time.Duration(envInt("PUBLIC_MAX_AGE_SECONDS", 300)) * time.Second
	fs.Func("public-max-age-seconds", "how long browsers and caches may keep a public page (default 300)", durInto(&c.MaxAge, time.Second))
}

func envBool(k string) bool { v := env(k, ""); return v == "true" || v == "1" }

func envInt(k string, def int) int {
	if v := env(k, ""); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}

// policyFlags binds the sign-in policy (等保 2.0 level 3 defaults).
func policyFlags(fs *flag.FlagSet, p *store.AuthPolicy) {
	d := store.DefaultAuthPolicy
	p.MaxFailures = envInt("LOCK_FAILURES", d.MaxFailures)
	p.LockFor = time.Duration(envInt("LOCK_MINUTES", int(d.LockFor/time.Minute))) * time.Minute
	p.PasswordMaxAge = time.Duration(envInt("PASSWORD_MAX_AGE_DAYS", int(d.PasswordMaxAge/(24*time.Hour)))) * 24 * time.Hour
	p.SessionIdle = time.Duration(envInt("SESSION_IDLE_MINUTES", int(d.SessionIdle/time.Minute))) * time.Minute
	p.SessionMax = time.Duration(envInt("SESSION_MAX_HOURS", int(d.SessionMax/time.Hour))) * time.Hour
	fs.Func("lock-failures", "failed sign-ins before the account locks (default 5)", intInto(&p.MaxFailures))
	fs.Func("lock-minutes", "how long a lock lasts (default 15)", durInto(&p.LockFor, time.Minute))
	fs.Func("password-max-age-days", "days before a password must be changed; 0 never (default 90)", durInto(&p.PasswordMaxAge, 24*time.Hour))
	fs.Func("session-idle-minutes", "a session ends after this long unused (default 30)", durInto(&p.SessionIdle, time.Minute))
	fs.Func("session-max-hours", "a session ends after this long in any case (default 12)", durInto(&p.SessionMax, time.Hour))
}

func intInto(dst *int) func(string) error {
	return func(s string) error {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return errors.New("a non-negative integer is expected")
		}
		*dst = n
		return nil
	}
}

func durInto(dst *time.Duration, unit time.Duration) func(string) error {
	return func(s string) error {
		var n int
		if err := intInto(&n)(s); err != nil {
			return err
		}
		*dst = time.Duration(n) * unit
		return nil
	}
}

// loopback reports whether a listen address is only reachable from this
// machine.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// executableHash identifies this program by the SHA-256 of its executable
// (empty when it cannot be read): the background rebuilds the deadline
// index at start only for a configuration or a program it was not last
// rebuilt for.
func executableHash() string {
	p, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := os.Open(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

// serveMemoryLimit is the server's default soft memory limit for Go
// (debug.SetMemoryLimit; the environment's GOMEMLIMIT overrides it).
const serveMemoryLimit = 48 << 20

func serve(ctx context.Context, cfg config, sc serveConfig, stdout, stderr io.Writer) error {
	var lh slog.Handler = slog.NewJSONHandler(stderr, nil)
	if sc.logFormat == "text" {
		lh = slog.NewTextHandler(stderr, nil)
	}
	logger := slog.New(httpx.LogHandler(lh))
	slog.SetDefault(logger)
	if sc.demo && !loopback(sc.addr) && !sc.demoOnNetwork {
		return fmt.Errorf("--demo 的演示口令和令牌是公开的，只在本机回环地址上提供；%s 不是回环地址（确需在网络上演示请加 --demo-on-network） / "+
			"--demo's passwords and tokens are public, so it listens only on a loopback address; %s is not one (add --demo-on-network to demonstrate on a network)", sc.addr, sc.addr)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		// A soft limit on the Go heap: the collector works harder near it
		// instead of letting the heap double (GOMEMLIMIT overrides).
		debug.SetMemoryLimit(serveMemoryLimit)
	}
	opts, err := options(cfg)
	if err != nil {
		return err
	}
	switch sc.groupCommit {
	case "true", "on", "1", "auto", "":
	case "false", "off", "0":
		opts.NoGroupCommit = true
	default:
		return fmt.Errorf("--group-commit %q: true 或 false / true or false", sc.groupCommit)
	}
	signer, keyNote, err := signingKey(cfg, sc.signingKey)
	if err != nil {
		return err
	}
	opts.Signer, opts.CheckpointWitness = signer, sc.witness
	salt, saltNote, err := addressSalt(cfg, sc.addressSalt)
	if err != nil {
		return err
	}
	opts.AddressSalt = salt
	db, err := store.Open(ctx, cfg.db, opts)
	if err != nil {
		return err
	}
	defer db.Close()
	if sc.demo {
		switch err := seeds.Demo(ctx, db); {
		case errors.Is(err, seeds.ErrAlreadySeeded):
			slog.Info("database already holds data; demo not loaded again", "db", cfg.db)
		case err != nil:
			return fmt.Errorf("demo data: %w", err)
		}
	}
	ln, err := net.Listen("tcp", sc.addr)
	if err != nil {
		return err
	}
	sc.policy.AllowDemo = sc.demo
	// The console's background work (the chain badge, deadline reminders,
	// e-mail) runs in one goroutine, stopped and waited for on shutdown.
	bo := console.BackgroundOptions{Build: executableHash()}
	if sc.smtp.Addr != "" {
		if sc.smtp.From == "" {
			return errors.New("--smtp-from is required with --smtp-addr")
		}
		sc.smtp.Password = os.Getenv("DECISIOND_SMTP_PASSWORD")
		bo.SMTP = &sc.smtp
	}
	work := console.NewBackground(db, bo)
	bctx, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	var background sync.WaitGroup
	background.Add(1)
	go func() { defer background.Done(); work.Run(bctx) }()
	defer func() { stopBackground(); background.Wait() }()
	m := metrics.New(db)
	srv := &http.Server{Handler: handlers.New(handlers.Deps{DB: db, Procedure: procedure, Auth: sc.policy, Public: sc.public, MaxDocument: int64(sc.maxDocMB) << 20,
		Metrics: m, Logger: logger, Background: work, Limits: sc.limits}),
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: time.Minute}
	var msrv *http.Server
	if sc.metricsAddr != "" {
		mln, err := net.Listen("tcp", sc.metricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("--metrics-addr: %w", err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", m.Handler())
		msrv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := msrv.Serve(mln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				slog.Error("metrics listener", "err", err)
			}
		}()
		fmt.Fprintf(stdout, "指标 / metrics: http://%s/metrics (no token; keep this address private)\n", mln.Addr())
	}
	url := "http://" + ln.Addr().String()
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
		url = fmt.Sprintf("http://localhost:%d", tcp.Port)
	}
	fmt.Fprintf(stdout, "decisiond 已启动 / listening on %s (address %s; database: %s %s, rules: %s)\n", url, ln.Addr(), db.Dialect(), cfg.db, cfg.rules)
	if sc.demo {
		printDemo(stdout, url)
	} else {
		fmt.Fprintf(stdout, "登录 / sign in: %s/login\n", url)
	}
	fmt.Fprintln(stdout, keyNote)
	if saltNote != "" {
		fmt.Fprintln(stdout, saltNote)
	}
	if _, err := db.Checkpoint(ctx, "start"); err != nil {
		slog.Error("checkpoint at start", "err", err)
	}
	bg, stopBG := context.WithCancel(ctx)
	defer stopBG()
	go db.RunCheckpoints(bg, sc.interval)
	// The webhook worker sends the outbox; on shutdown it finishes the
	// delivery in flight before the database closes.
	hooksDone := make(chan struct{})
	go func() {
		defer close(hooksDone)
		db.RunWebhooks(bg, store.WebhookOptions{MaxAttempts: sc.webhookAttempts, Poll: sc.webhookPoll})
	}()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var serveErr error
	select {
	case serveErr = <-errc:
	case <-ctx.Done():
	}
	slog.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && serveErr == nil {
		serveErr = err
	}
	if msrv != nil {
		_ = msrv.Shutdown(sctx)
	}
	stopBG()
	select {
	case <-hooksDone:
	case <-sctx.Done():
		slog.Warn("webhook worker did not stop in time")
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		return nil
	}
	return serveErr
}

func printDemo(w io.Writer, url string) {
	if url == "" {
		url = "http://127.0.0.1:8080"
	}
	fmt.Fprintf(w, "演示账号 / demo accounts — 在浏览器打开 / open %s/login ，口令 / password: %s\n", url, seeds.DemoPassword)
	fmt.Fprintln(w, "（演示口令和 demo-* 令牌仅在 --demo 运行时有效 / demo passwords and demo-* tokens work only while --demo is on）")
	for _, u := range seeds.DemoUsers {
		fmt.Fprintf(w, "  %-9s %-16s %-20s token %s\n", u.Name, strings.Join(u.Roles, ","), u.DisplayName, u.Token)
	}
	fmt.Fprintf(w, "API: curl -H 'Authorization: Bearer demo-office' %s/api/v1/decisions\n", url)
}
