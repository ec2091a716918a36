// Package handlers is HTTP: one route table over the rooms of each
// audience — api (JSON v1), auth (sign-in), console (staff pages), public
// (anonymous pages) — and what they share (httpx, templates, assets).
// It never writes SQL: every act goes through store.Apply.
package handlers

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"decisiond/handlers/api"
	"decisiond/handlers/assets"
	"decisiond/handlers/auth"
	"decisiond/handlers/console"
	"decisiond/handlers/httpx"
	"decisiond/handlers/metrics"
	"decisiond/handlers/public"
	"decisiond/store"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

func init() { gin.SetMode(gin.ReleaseMode) }

// Deps is what the HTTP layer is built from.
type Deps struct {
	DB        *store.DB
	Procedure *workflow.Procedure // built once by cmd and shared with the store
	Auth      store.AuthPolicy    // zero: store.DefaultAuthPolicy
	Limits    Limits              // zero fields: the defaults
	Public    public.Config       // the public site (footer, metadata, caching)
	// MaxDocument bounds an uploaded document in bytes (0: 50 MB).
	MaxDocument int64
	// Metrics is the process's metrics registry (nil: one is made); the
	// serve command shares it with a separate --metrics-addr listener.
	Metrics *metrics.Metrics
	// Logger writes one JSON line per request (nil: slog's default). The
	// request id is added to every line logged with the request's context.
	Logger *slog.Logger
	// Background is the console's background work (the chain badge,
	// deadline reminders, e-mail) that serve runs; nil: the pages show no
	// verification yet.
	Background *console.Background
}

// Limits are the rate limits: a burst, then one more per interval.
type Limits struct {
	SignIn    int // sign-in attempts per address (default 10, then one per 6 s)
	Failing   int // failing credentials per address (default 20, then one per 6 s)
	Expensive int // expensive reads per person: verify, deadlines across decisions, exports (default 6, then one per 10 s)
	// Comments: the public's comment posts per address (default 10, then
	// one per CommentEvery, default 30 s).
	Comments     int
	CommentEvery time.Duration
}

func (l Limits) orDefault() Limits {
	if l.SignIn == 0 {
		l.SignIn = 10
	}
	if l.Failing == 0 {
		l.Failing = 20
	}
	if l.Expensive == 0 {
		l.Expensive = 6
	}
	if l.Comments == 0 {
		l.Comments = 10
	}
	if l.CommentEvery == 0 {
		l.CommentEvery = 30 * time.Second
	}
	return l
}

// Route is one row of the route table (the access-matrix test reads it).
type Route struct{ Method, Path string }

// New builds every route. This file is the one table of them all.
func New(d Deps) http.Handler {
	h, _ := build(d)
	return h
}

// Routes lists every route of the table.
func Routes(d Deps) []Route {
	_, r := build(d)
	var out []Route
	for _, ri := range r.Routes() {
		out = append(out, Route{ri.Method, ri.Path})
	}
	return out
}

func build(d Deps) (http.Handler, *gin.Engine) {
	if d.Procedure == nil {
		d.Procedure = d.DB.Procedure()
	}
	if d.Auth.SessionIdle == 0 {
		allow := d.Auth.AllowDemo
		d.Auth = store.DefaultAuthPolicy
		d.Auth.AllowDemo = allow
	}
	if d.Metrics == nil {
		d.Metrics = metrics.New(d.DB)
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	d.Logger = slog.New(httpx.LogHandler(d.Logger.Handler()))
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.Use(logRequests(d.Logger, d.Metrics), recovery, securityHeaders, cleanRequest, auditRefusals(d.DB))
	r.NoRoute(func(c *gin.Context) {
		httpx.Fail(c, workflow.Errorf(workflow.CodeNotFound, "没有此地址", "no such route"))
	})
	r.NoMethod(func(c *gin.Context) {
		httpx.Fail(c, &workflow.Error{Code: httpx.CodeMethodNotAllowed, ZH: "不支持此请求方法", EN: "method not allowed"})
	})

	a := api.New(d.DB, d.Procedure, d.MaxDocument)
	lim := d.Limits.orDefault()
	au := auth.New(d.DB, d.Auth, httpx.NewLimiter(6*time.Second, lim.SignIn), httpx.NewLimiter(6*time.Second, lim.Failing))
	k := console.New(d.DB, d.Procedure, au, d.Background)
	expensive := perUser(httpx.NewLimiter(10*time.Second, lim.Expensive))

	// Anonymous: health, assets, sign-in, display preferences.
	r.GET("/healthz", a.Healthz)
	r.GET("/readyz", a.Readyz)
	r.GET(assets.Prefix+"*file", gin.WrapH(assets.Handler()))
	r.GET("/login", au.LoginPage)
	r.POST("/login", au.Login)
	r.POST("/logout", au.Logout)
	r.POST("/prefs", auth.Prefs)

	// Public pages: anonymous, cacheable (ETag, Cache-Control), published
	// things only. Formats by suffix: .csv, .xlsx, .json (HTML without one).
	pub := public.New(d.DB, d.Public)
	pub.LimitComments(httpx.NewLimiter(lim.CommentEvery, lim.Comments))
	r.GET("/public", pub.Index)
	r.GET("/public/catalogues", pub.Catalogues)
	r.GET("/public/catalogues/:year", pub.Year)           // the current version; ?organ= for another organ
	r.GET("/public/catalogues/:year/:part", pub.YearPart) // v{n} (every version), report (年度目录执行情况)
	r.GET("/public/decisions/:id", pub.Decision)
	// Public participation online (Art. 14–18): drafts open for comment,
	// comments with receipts (per-address limit), the receipt's page.
	r.GET("/public/consultations", pub.Consultations)
	r.GET("/public/consultations/:id", pub.Consultation)
	r.POST("/public/consultations/:id/comments", pub.PostComment)
	r.GET("/public/receipts", pub.ReceiptLookup)
	r.GET("/public/receipts/:no", pub.Receipt)
	// Prometheus metrics: any signed-in person (a bearer token); serve can
	// also expose them on a separate --metrics-addr.
	r.GET("/metrics", au.RequireToken, noStore, gin.WrapH(d.Metrics.Handler()))

	// Signed-in pages (session cookie).
	pages := r.Group("/", au.RequireSession)
	pages.GET("/", k.Home)
	pages.GET("/password", au.PasswordPage)
	pages.POST("/password", au.ChangePassword)
	pages.POST("/session/extend", au.Extend)
	pages.GET("/decisions/:id", k.Decision)
	pages.POST("/decisions/:id/acts/:event", k.Act)
	pages.POST("/decisions/:id/remind", k.Remind)
	pages.GET("/decisions/:id/print", k.Print)
	pages.GET("/decisions/:id/comments", k.Comments)
	pages.GET("/decisions/:id/comments/:comment_id/attachment", k.CommentAttachment)
	pages.POST("/decisions/:id/comments/handling", k.HandleComments)
	pages.GET("/audit", k.Audit)
	pages.GET("/audit.csv", expensive, k.AuditCSV)
	pages.GET("/dashboard", k.Dashboard)
	pages.GET("/notifications", k.Notifications)
	pages.POST("/notifications/read", k.MarkRead)
	pages.POST("/notifications/email", k.SetEmail)
	pages.GET("/procedure", k.Procedure)

	// The API's OpenAPI 3.1 description and its readable page: anonymous,
	// like the README they restate (no data, only the routes and shapes);
	// tools fetch a description without credentials.
	r.GET("/api/v1/openapi.json", a.OpenAPI)
	r.GET("/api/docs", a.Docs)

	// JSON API v1 (bearer token).
	v1 := r.Group("/api/v1", au.RequireToken, noStore)
	v1.GET("/procedure", a.Procedure)
	v1.GET("/procedure/diagram", a.Diagram)
	v1.GET("/units", a.Units)
	v1.GET("/domains", a.Domains)
	v1.POST("/decisions", a.CreateDecision)
	v1.GET("/decisions", a.ListDecisions)
	v1.GET("/decisions/:id", a.GetDecision)
	v1.POST("/decisions/:id/events", a.FireEvent)
	v1.GET("/decisions/:id/drafts", a.Drafts)
	v1.GET("/decisions/:id/records", a.Records)
	v1.GET("/decisions/:id/audit", a.DecisionAudit)
	v1.GET("/decisions/:id/deadlines", a.DecisionDeadlines)
	v1.GET("/decisions/:id/documents", a.Attachments)
	v1.GET("/decisions/:id/documents/:hash", a.Download)
	v1.GET("/decisions/:id/archive", expensive, a.Archive)
	v1.GET("/decisions/:id/comments", a.Comments)
	v1.GET("/decisions/:id/comments/:comment_id/attachment", a.CommentAttachment)
	v1.POST("/decisions/:id/comments/handling", a.HandleComments)
	v1.POST("/documents", a.UploadDocument)
	v1.GET("/audit", a.Audit)
	v1.GET("/audit/verify", expensive, a.Verify)
	v1.GET("/deadlines", expensive, a.Deadlines)
	v1.GET("/catalogues", a.ListCatalogues)
	v1.POST("/catalogues", a.CreateCatalogue)
	v1.GET("/catalogues/:id", a.GetCatalogue)
	v1.POST("/catalogues/:id/events", a.FireCatalogueEvent)
	v1.GET("/catalogue-reports/:year", a.CatalogueReport)
	v1.GET("/statistics", expensive, a.Statistics)
	v1.GET("/rules", a.Rules)
	v1.PUT("/rules/active", a.ActivateRules)
	v1.PUT("/rules/packs/:code", a.PutRulePack)
	v1.GET("/calendar", a.Calendar)
	v1.GET("/calendar/workdays", a.Workdays)
	v1.PUT("/calendar/:year", a.PutCalendarYear)

	// Administration (三员分立: each act checks its administrator role).
	v1.GET("/me", a.Me)
	v1.PUT("/me/password", a.ChangeMyPassword)
	v1.GET("/users", a.Users)
	v1.POST("/users", a.CreateUser)
	v1.PUT("/users/:id/roles", a.SetRoles)
	v1.PUT("/users/:id/unit", a.SetUserUnit)
	v1.PUT("/users/:id/password", a.SetPassword)
	v1.POST("/users/:id/disable", a.DisableUser)
	v1.POST("/users/:id/enable", a.EnableUser)
	v1.POST("/users/:id/unlock", a.UnlockUser)
	v1.GET("/tokens", a.Tokens)
	v1.POST("/tokens", a.CreateToken)
	v1.DELETE("/tokens/:id", a.RevokeToken)
	v1.POST("/units", a.CreateUnit)
	v1.PUT("/organs/:id", a.SetOrgan)

	// Webhooks (system administrator; the audit administrator reads).
	v1.GET("/webhooks", a.Webhooks)
	v1.POST("/webhooks", a.CreateWebhook)
	v1.PUT("/webhooks/:id", a.UpdateWebhook)
	v1.GET("/webhook-deliveries", a.Deliveries)
	v1.GET("/webhook-deliveries/:id", a.Delivery)
	v1.POST("/webhook-deliveries/:id/replay", a.ReplayDelivery)

	// Cross-site request protection on every state-changing request
	// (Fetch metadata / Origin; API clients without a browser pass).
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		c, _ := gin.CreateTestContext(w)
		c.Request = req
		httpx.Fail(c, &workflow.Error{Code: workflow.CodeForbidden, Rule: "cross_origin",
			ZH: "拒绝跨站请求", EN: "cross-site request refused"})
		_ = d.DB.RecordRefusal(req.Context(), workflow.Actor{Name: "匿名 anonymous", Addr: httpx.ClientAddr(req)}, req.Method, req.URL.Path, nil, workflow.CodeForbidden, "cross_origin")
		d.Metrics.ObserveRefusal(workflow.CodeForbidden)
		d.Logger.InfoContext(req.Context(), "http", "method", req.Method, "route", "cross_origin_refused", "status", http.StatusForbidden)
	}))
	return httpx.WithRequestID(cop.Handler(r)), r
}

// securityHeaders: every response (等保: 安全通信, 入侵防范).
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if c.Request.TLS != nil {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	c.Next()
}

// noStore: API answers are never cached.
func noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// cleanRequest refuses NUL bytes and invalid UTF-8 in the path and the
// query (PostgreSQL cannot store NUL; a record must hold real text). Bodies
// are checked where they are decoded (workflow.CheckJSON).
func cleanRequest(c *gin.Context) {
	check := func(field, s string) bool {
		if strings.ContainsRune(s, 0) || !utf8.ValidString(s) {
			httpx.Fail(c, httpx.Invalid(field, "地址或查询参数含空字符或非法编码", "the path or query contains NUL or invalid UTF-8"))
			return false
		}
		return true
	}
	if !check("path", c.Request.URL.Path) {
		return
	}
	for k, vs := range c.Request.URL.Query() {
		if !check(k, k) {
			return
		}
		for _, v := range vs {
			if !check(k, v) {
				return
			}
		}
	}
	c.Next()
}

// auditRefusals appends a security event for every state-changing request
// answered 403 (等保 安全审计): who, when, from which address, which route.
func auditRefusals(db *store.DB) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		if c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead {
			return
		}
		rule := ""
		if v, ok := c.Get(httpx.RefusalRuleKey); ok {
			rule, _ = v.(string)
		}
		// 403s, and every refusal by a separation-of-duties rule (Art. 36
		// ¶2 keeps its own 422 code).
		if c.Writer.Status() != http.StatusForbidden && !strings.HasPrefix(rule, "sod_") {
			return
		}
		a, ok := httpx.ActorOf(c)
		if !ok {
			a = workflow.Actor{Name: "匿名 anonymous", Addr: httpx.ClientAddr(c.Request)}
		}
		var dec *int64
		if n, err := strconv.ParseInt(c.Param("id"), 10, 64); err == nil && (strings.HasPrefix(c.FullPath(), "/api/v1/decisions/") || strings.HasPrefix(c.FullPath(), "/decisions/")) {
			dec = &n
		}
		code := workflow.CodeForbidden
		if v, ok := c.Get(httpx.RefusalCodeKey); ok {
			code, _ = v.(string)
		}
		if err := db.RecordRefusal(c.Request.Context(), a, c.Request.Method, c.FullPath(), dec, code, rule); err != nil {
			slog.ErrorContext(c.Request.Context(), "record refusal", "err", err)
		}
	}
}

// perUser spends one token of the signed-in person's budget (429 beyond).
func perUser(l *httpx.Limiter) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !l.Allow(strconv.FormatInt(httpx.Actor(c).UserID, 10)) {
			httpx.RateLimited(c, l.Every())
			return
		}
		c.Next()
	}
}

// logRequests writes one log line per request — its id (added from the
// context), method, route template, status, duration, the signed-in
// person and the client's address; never a header, a token, a password,
// a session id or a body — and feeds the latency and refusal metrics.
func logRequests(log *slog.Logger, m *metrics.Metrics) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		took := time.Since(start)
		route, status := c.FullPath(), c.Writer.Status()
		m.ObserveRequest(c.Request.Method, route, status, took)
		attrs := []slog.Attr{slog.String("method", c.Request.Method), slog.String("route", route), slog.Int("status", status),
			slog.Float64("duration_ms", float64(took.Microseconds())/1000), slog.String("addr", httpx.ClientAddr(c.Request))}
		if a, ok := httpx.ActorOf(c); ok {
			attrs = append(attrs, slog.Int64("user_id", a.UserID), slog.String("actor", a.Name))
		}
		if v, ok := c.Get(httpx.RefusalCodeKey); ok {
			code, _ := v.(string)
			m.ObserveRefusal(code)
			attrs = append(attrs, slog.String("code", code))
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		log.LogAttrs(c.Request.Context(), level, "http", attrs...)
	}
}

// recovery turns a panic into a 500 problem (a bug, logged), never a
// dropped connection.
func recovery(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			slog.ErrorContext(c.Request.Context(), "panic", "route", c.FullPath(), "panic", v)
			httpx.Fail(c, workflow.Errorf(workflow.CodeInternal, "系统内部错误", "internal error"))
		}
	}()
	c.Next()
}
