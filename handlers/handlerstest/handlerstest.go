// Package handlerstest is what every handler package's tests share: a test
// server over a real store (SQLite, and PostgreSQL when configured),
// request helpers and problem assertions.
package handlerstest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"decisiond/handlers"
	"decisiond/handlers/console"
	"decisiond/handlers/httpx"
	"decisiond/handlers/public"
	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// ---- test harness: a real server on a real store ----

// Env is one test server over one store loaded with the demo organ, units
// and users (seeds.Base).
type Env struct {
	DB   *store.DB
	Fx   *seeds.Fixture
	Srv  *httptest.Server
	HTTP *http.Client
	// Demo is what the whole demo loaded (NewWith with Options.Demo).
	Demo *seeds.DemoData
	// Background is the console's background work, not running: a test
	// calls Round when it wants the chain badge, reminders or e-mail.
	Background *console.Background
}

// New starts a test server over a store opened by open, loaded with the
// demo organ, units and users; demo credentials work (as under --demo).
func New(tb testing.TB, open func(testing.TB) (*store.DB, string)) *Env {
	tb.Helper()
	return NewWith(tb, open, Options{})
}

// Options change what NewWith starts.
type Options struct {
	// Public configures the public site (footer, metadata, caching).
	Public public.Config
	// Demo loads the whole demo (decisions and the 2026 catalogue,
	// seeds.LoadDemo) instead of the organ, units and users alone.
	Demo bool
	// Limits are the rate limits (zero: generous enough for a test's
	// many requests).
	Limits handlers.Limits
}

// NewWith starts a test server as New does, with options.
func NewWith(tb testing.TB, open func(testing.TB) (*store.DB, string), o Options) *Env {
	tb.Helper()
	db, _ := open(tb)
	l := generous
	if o.Limits != (handlers.Limits{}) {
		l = o.Limits
	}
	return startWith(tb, handlers.Deps{DB: db, Auth: store.AuthPolicy{AllowDemo: true}, Limits: l}, o)
}

// generous rate limits: enough for a test's many requests.
var generous = handlers.Limits{SignIn: 10000, Failing: 10000, Expensive: 10000, Comments: 10000}

// Start loads the demo organ, units and users into db and starts a test
// server over it with the sign-in policy p (zero durations: the defaults)
// and rate limits generous enough for a test's many requests.
func Start(tb testing.TB, db *store.DB, p store.AuthPolicy) *Env {
	tb.Helper()
	return StartWith(tb, db, p, generous)
}

// StartWith is Start with the given rate limits (zero fields: the
// production defaults).
func StartWith(tb testing.TB, db *store.DB, p store.AuthPolicy, l handlers.Limits) *Env {
	tb.Helper()
	return startWith(tb, handlers.Deps{DB: db, Auth: p, Limits: l}, Options{})
}

// StartDeps loads the demo organ, units and users into d.DB and starts a
// test server built from d (a logger, metrics …); a sign-in policy without
// durations takes the defaults (keeping AllowDemo).
func StartDeps(tb testing.TB, d handlers.Deps) *Env {
	tb.Helper()
	return startWith(tb, d, Options{})
}

func startWith(tb testing.TB, d handlers.Deps, o Options) *Env {
	tb.Helper()
	if d.Auth.SessionIdle == 0 {
		allow := d.Auth.AllowDemo
		d.Auth = store.DefaultAuthPolicy
		d.Auth.AllowDemo = allow
	}
	if d.Public == (public.Config{}) {
		d.Public = o.Public
	}
	e := &Env{DB: d.DB}
	if o.Demo {
		dd, err := seeds.LoadDemo(context.Background(), d.DB)
		if err != nil {
			tb.Fatal(err)
		}
		e.Demo, e.Fx = dd, dd.Fixture
	} else {
		e.Fx = storetest.Base(tb, d.DB)
	}
	if d.Background == nil {
		d.Background = console.NewBackground(d.DB, console.BackgroundOptions{})
	}
	e.Background = d.Background
	e.Srv = httptest.NewServer(handlers.New(d))
	tb.Cleanup(e.Srv.Close)
	e.HTTP = e.Srv.Client()
	e.conform(tb) // every exchange with /api/v1 is checked against the OpenAPI description
	return e
}

// Browser is an HTTP client that keeps cookies and does not follow
// redirects (so tests see each 303), like a browser session.
func (e *Env) Browser(tb testing.TB) *http.Client {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &http.Client{Jar: jar, Transport: e.HTTP.Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Form posts a form with the browser (same-origin, as a page's form would).
func (e *Env) Form(tb testing.TB, b *http.Client, path string, form url.Values) Response {
	tb.Helper()
	req, err := http.NewRequest("POST", e.Srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return e.Send(tb, b, req)
}

// Page gets a page with the browser.
func (e *Env) Page(tb testing.TB, b *http.Client, path string) Response {
	tb.Helper()
	req, err := http.NewRequest("GET", e.Srv.URL+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	return e.Send(tb, b, req)
}

// Send sends a prepared request with client c (nil: the plain client).
func (e *Env) Send(tb testing.TB, c *http.Client, req *http.Request) Response {
	tb.Helper()
	if c == nil {
		c = e.HTTP
	}
	res, err := c.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatalf("%s %s: read body: %v", req.Method, req.URL.Path, err)
	}
	return Response{Status: res.StatusCode, Header: res.Header, Body: out}
}

// SignIn signs a browser in with a name and password; it returns the
// answer (303 on success).
func (e *Env) SignIn(tb testing.TB, b *http.Client, name, password string) Response {
	tb.Helper()
	return e.Form(tb, b, "/login", url.Values{"name": {name}, "password": {password}})
}

// Response is an HTTP response with its body read.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r Response) String() string {
	b := r.Body
	if len(b) > 600 {
		b = append(b[:600:600], "…"...)
	}
	return fmt.Sprintf("HTTP %d %s", r.Status, b)
}

// RawBody is a request body sent byte for byte (not JSON-encoded).
type RawBody []byte

// Do sends one request as the holder of token ("" sends no Authorization
// header). body is nil, a RawBody, or a value encoded as JSON.
func (e *Env) Do(tb testing.TB, method, path, token string, body any) Response {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case RawBody:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.Srv.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.Send(tb, nil, req)
}

// Decode decodes a JSON response body.
func Decode[T any](tb testing.TB, r Response) T {
	tb.Helper()
	var v T
	if err := json.Unmarshal(r.Body, &v); err != nil {
		tb.Fatalf("decode %T from %s: %v", v, r, err)
	}
	return v
}

// DemoUser returns the demo account of a seeds.Step's Who.
func DemoUser(tb testing.TB, who string) seeds.DemoUser {
	tb.Helper()
	for _, u := range seeds.DemoUsers {
		if u.Name == who {
			return u
		}
	}
	tb.Fatalf("no demo user %q", who)
	return seeds.DemoUser{}
}

// Token is the demo token of a demo user.
func Token(tb testing.TB, who string) string { return DemoUser(tb, who).Token }

// DecisionJSON is the part of a DecisionView the tests look at.
type DecisionJSON struct {
	ID               int64    `json:"id"`
	State            string   `json:"state"`
	Version          int64    `json:"version"`
	CurrentDraftHash *string  `json:"current_draft_hash"`
	AvailableEvents  []string `json:"available_events"`
}

// ActJSON is the answer to an act (creation included).
type ActJSON struct {
	Decision          DecisionJSON `json:"decision"`
	AuditSeq          int64        `json:"audit_seq"`
	SpawnedDecisionID *int64       `json:"spawned_decision_id"`
}

// AuditList is a page of the audit log.
type AuditList struct {
	Items []store.AuditEvent `json:"items"`
	Meta  struct {
		Page, PerPage, Total int
	} `json:"meta"`
}

// CreateFare creates the bus-fare decision through the API as the office.
func (e *Env) CreateFare(tb testing.TB) ActJSON {
	tb.Helper()
	body := map[string]any{"title": seeds.FareTitle, "organ_id": e.Fx.Units[seeds.DemoOrgan]}
	for k, v := range seeds.FareFlags {
		body[k] = v
	}
	r := e.Do(tb, "POST", "/api/v1/decisions", Token(tb, "office"), body)
	if r.Status != http.StatusCreated {
		tb.Fatalf("create: want 201, got %s", r)
	}
	c := Decode[ActJSON](tb, r)
	if d := c.Decision; d.ID < 1 || d.State != string(workflow.StProposed) || d.Version != 1 || c.AuditSeq < 1 {
		tb.Fatalf("create: want a new decision in proposed at version 1, got %+v", c)
	}
	if loc := r.Header.Get("Location"); loc != fmt.Sprintf("/api/v1/decisions/%d", c.Decision.ID) {
		tb.Errorf("create: Location = %q", loc)
	}
	return c
}

// EventBody is the body of an act.
func EventBody(event string, version int64, data any) map[string]any {
	return map[string]any{"event": event, "expected_version": version, "data": data}
}

// EventsPath is the events route of a decision.
func EventsPath(id int64) string { return fmt.Sprintf("/api/v1/decisions/%d/events", id) }

// Fire posts one event and returns the raw response.
func (e *Env) Fire(tb testing.TB, who string, id int64, event string, version int64, data any) Response {
	tb.Helper()
	return e.Do(tb, "POST", EventsPath(id), Token(tb, who), EventBody(event, version, data))
}

// MustFire posts one event, which must succeed: 200, the version up by
// exactly one, the state the event's target.
func (e *Env) MustFire(tb testing.TB, who string, d DecisionJSON, event string, data any) DecisionJSON {
	tb.Helper()
	r := e.Fire(tb, who, d.ID, event, d.Version, data)
	if r.Status != http.StatusOK {
		tb.Fatalf("%s by %s (v%d, %s): want 200, got %s", event, who, d.Version, d.State, r)
	}
	got := Decode[ActJSON](tb, r).Decision
	def, ok := e.DB.Procedure().Event(event)
	if !ok {
		tb.Fatalf("no event %s", event)
	}
	if want := def.Target(workflow.State(d.State)); got.State != string(want) {
		tb.Fatalf("%s from %s: want state %s, got %s", event, d.State, want, got.State)
	}
	if got.Version != d.Version+1 {
		tb.Fatalf("%s: want version %d, got %d", event, d.Version+1, got.Version)
	}
	if got.ID != d.ID {
		tb.Fatalf("%s: response names decision %d, want %d", event, got.ID, d.ID)
	}
	return got
}

// RunSteps fires the steps in order through the API, each with the token
// of its demo user and its payload computed from the fixture's Env.
func (e *Env) RunSteps(tb testing.TB, d DecisionJSON, steps []seeds.Step) DecisionJSON {
	tb.Helper()
	for _, st := range steps {
		d = e.MustFire(tb, st.Who, d, st.Event, st.Payload(&e.Fx.Env))
	}
	return d
}

// GetDecision reads a decision as who.
func (e *Env) GetDecision(tb testing.TB, who string, id int64) (DecisionJSON, map[string]json.RawMessage) {
	tb.Helper()
	r := e.Do(tb, "GET", fmt.Sprintf("/api/v1/decisions/%d", id), Token(tb, who), nil)
	if r.Status != http.StatusOK {
		tb.Fatalf("GET decision %d as %s: %s", id, who, r)
	}
	return Decode[DecisionJSON](tb, r), Decode[map[string]json.RawMessage](tb, r)
}

// Verify walks the chain through the API; it must verify.
func (e *Env) Verify(tb testing.TB) store.VerifyResult {
	tb.Helper()
	r := e.Do(tb, "GET", "/api/v1/audit/verify", Token(tb, "leader"), nil)
	if r.Status != http.StatusOK {
		tb.Fatalf("audit/verify: %s", r)
	}
	v := Decode[store.VerifyResult](tb, r)
	if !v.OK || v.FirstBadSeq != 0 || len(v.Head) != 64 {
		tb.Fatalf("audit/verify: want ok with a head hash, got %+v", v)
	}
	return v
}

// AuditTotal is the number of audit events the API reports.
func (e *Env) AuditTotal(tb testing.TB) int {
	tb.Helper()
	r := e.Do(tb, "GET", "/api/v1/audit?per_page=1", Token(tb, "leader"), nil)
	if r.Status != http.StatusOK {
		tb.Fatalf("audit: %s", r)
	}
	return Decode[AuditList](tb, r).Meta.Total
}

// StepsBefore returns the fare steps before the first step of event stop.
func StepsBefore(tb testing.TB, stop string) []seeds.Step {
	tb.Helper()
	for i, s := range seeds.FareSteps {
		if s.Event == stop {
			return seeds.FareSteps[:i:i]
		}
	}
	tb.Fatalf("no fare step %s", stop)
	return nil
}

// FareStep returns the first fare step of event.
func FareStep(tb testing.TB, event string) seeds.Step {
	tb.Helper()
	for _, s := range seeds.FareSteps {
		if s.Event == event {
			return s
		}
	}
	tb.Fatalf("no fare step %s", event)
	return seeds.Step{}
}

// Han and Latin match Chinese and English text.
var Han = regexp.MustCompile(`\p{Han}`)
var Latin = regexp.MustCompile(`[A-Za-z]{3,}`)

// Problem checks r is an RFC 9457 problem with the status and code, a
// Chinese and English detail, and never a 500; it returns the problem.
func Problem(tb testing.TB, r Response, status int, code string) httpx.Problem {
	tb.Helper()
	if r.Status >= 500 {
		tb.Fatalf("server error: %s", r)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		tb.Errorf("Content-Type = %q, want application/problem+json (%s)", ct, r)
	}
	p := Decode[httpx.Problem](tb, r)
	if r.Status != status || p.Code != code {
		tb.Fatalf("want %d %s, got %s", status, code, r)
	}
	if p.Status != status {
		tb.Errorf("problem status %d != HTTP status %d", p.Status, status)
	}
	if p.Type != "urn:decisiond:problem:"+code || p.Title == "" {
		tb.Errorf("problem type %q / title %q", p.Type, p.Title)
	}
	if !Han.MatchString(p.Detail) || !Latin.MatchString(p.Detail) {
		tb.Errorf("detail must be in Chinese and English: %q", p.Detail)
	}
	if p.RequestID == "" || p.RequestID != r.Header.Get(httpx.RequestIDHeader) {
		tb.Errorf("problem request_id %q must be the X-Request-ID header %q", p.RequestID, r.Header.Get(httpx.RequestIDHeader))
	}
	return p
}

// FieldsOf names the fields of a problem's errors[].
func FieldsOf(p httpx.Problem) []string {
	out := make([]string, len(p.Errors))
	for i, f := range p.Errors {
		out[i] = f.Field
	}
	return out
}
