package auth_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"decisiond/handlers"
	"decisiond/handlers/handlerstest"
	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	os.Exit(m.Run())
}

// server starts a test server whose clock the test moves.
func server(t *testing.T, b storetest.Backend, p store.AuthPolicy, l handlers.Limits) (*handlerstest.Env, *workflow.FixedClock) {
	t.Helper()
	opts := storetest.Options(t, "qinghai")
	clock := opts.Clock.(*workflow.FixedClock)
	db, _ := b.OpenWith(t, opts)
	if l == (handlers.Limits{}) {
		l = handlers.Limits{SignIn: 10000, Failing: 10000, Expensive: 10000}
	}
	return handlerstest.StartWith(t, db, p, l), clock
}

// events returns the audit events of a kind, read by the auditor.
func events(t *testing.T, e *handlerstest.Env, kind string) []store.AuditEvent {
	t.Helper()
	var out []store.AuditEvent
	for page := 1; ; page++ {
		r := e.Do(t, "GET", fmt.Sprintf("/api/v1/audit?per_page=200&page=%d", page), handlerstest.Token(t, "auditor"), nil)
		al := handlerstest.Decode[handlerstest.AuditList](t, r)
		for _, ev := range al.Items {
			if ev.Event == kind {
				out = append(out, ev)
			}
		}
		if page*200 >= al.Meta.Total {
			return out
		}
	}
}

// TestSignIn_LockoutAfterFiveFailures (等保 2.0: 登录失败处理): five wrong
// passwords lock the account for 15 minutes; the sixth attempt is refused
// even with the right password until the lock expires; every failure and
// the lock are in the audit trail, with the address and never a password.
func TestSignIn_LockoutAfterFiveFailures(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e, clock := server(t, b, store.AuthPolicy{AllowDemo: true}, handlers.Limits{})
			br := e.Browser(t)
			for i := 1; i <= 5; i++ {
				r := e.SignIn(t, br, "drafter", fmt.Sprintf("Wrong#pass%d", i))
				if r.Status != http.StatusUnauthorized {
					t.Fatalf("attempt %d: %s", i, r)
				}
				if i < 5 && !strings.Contains(string(r.Body), "用户名或口令不正确") {
					t.Fatalf("attempt %d must say the name or password is wrong: %s", i, r)
				}
				if i == 5 && !strings.Contains(string(r.Body), "账号已锁定") {
					t.Fatalf("the fifth failure must lock the account: %s", r)
				}
				if !strings.Contains(string(r.Body), `value="drafter"`) {
					t.Errorf("the form keeps the typed name")
				}
			}
			clock.T = clock.T.Add(14 * time.Minute)
			if r := e.SignIn(t, br, "drafter", seeds.DemoPassword); r.Status != http.StatusUnauthorized || !strings.Contains(string(r.Body), "账号已锁定") {
				t.Fatalf("the sixth attempt, with the right password, within the lock: %s", r)
			}
			if got := len(events(t, e, "sign_in_failed")); got != 6 {
				t.Errorf("want 6 sign_in_failed events (5 wrong, 1 while locked), got %d", got)
			}
			locks := events(t, e, "account_locked")
			if len(locks) != 1 {
				t.Fatalf("want one account_locked event, got %d", len(locks))
			}
			var d map[string]any
			_ = json.Unmarshal(locks[0].Data, &d)
			if d["address"] != "127.0.0.1" || d["name"] != "drafter" {
				t.Errorf("the lock event names who and where: %s", locks[0].Data)
			}
			for _, ev := range events(t, e, "sign_in_failed") {
				if bytes.Contains(ev.Data, []byte("Wrong#pass")) || bytes.Contains(ev.Data, []byte(seeds.DemoPassword)) {
					t.Fatalf("a password reached the audit data: %s", ev.Data)
				}
			}
			clock.T = clock.T.Add(time.Minute + time.Second)
			if r := e.SignIn(t, br, "drafter", seeds.DemoPassword); r.Status != http.StatusSeeOther {
				t.Fatalf("after the lock expires the right password works: %s", r)
			}
			if r := e.Page(t, br, "/"); r.Status != http.StatusOK {
				t.Fatalf("signed in: %s", r)
			}
			if got := len(events(t, e, "sign_in")); got != 1 {
				t.Errorf("want one sign_in event, got %d", got)
			}
		})
	}
}

// TestUnlockBySecurityAdministrator: the security administrator lifts a
// lock at once (audited).
func TestUnlockBySecurityAdministrator(t *testing.T) {
	e, _ := server(t, storetest.Backends(t)[0], store.AuthPolicy{AllowDemo: true}, handlers.Limits{})
	br := e.Browser(t)
	for range 5 {
		e.SignIn(t, br, "drafter", "Wrong#pass1")
	}
	id := e.Fx.Actors["drafter"].UserID
	if r := e.Do(t, "POST", fmt.Sprintf("/api/v1/users/%d/unlock", id), handlerstest.Token(t, "sysadmin"), nil); r.Status != http.StatusForbidden {
		t.Fatalf("only the security administrator unlocks: %s", r)
	}
	if r := e.Do(t, "POST", fmt.Sprintf("/api/v1/users/%d/unlock", id), handlerstest.Token(t, "secadmin"), nil); r.Status != http.StatusOK {
		t.Fatalf("unlock: %s", r)
	}
	if r := e.SignIn(t, br, "drafter", seeds.DemoPassword); r.Status != http.StatusSeeOther {
		t.Fatalf("after unlock: %s", r)
	}
	if len(events(t, e, "unlock_account")) != 1 {
		t.Error("the unlock is audited")
	}
}

// TestDisabledUserStopsAtOnce: disabling a person ends their sessions and
// refuses their tokens on the very next request; re-enabling lets the
// tokens work again (the sessions are gone).
func TestDisabledUserStopsAtOnce(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e, _ := server(t, b, store.AuthPolicy{AllowDemo: true}, handlers.Limits{})
			br := e.Browser(t)
			if r := e.SignIn(t, br, "drafter", seeds.DemoPassword); r.Status != http.StatusSeeOther {
				t.Fatal(r)
			}
			tok := handlerstest.Token(t, "drafter")
			if r := e.Do(t, "GET", "/api/v1/me", tok, nil); r.Status != http.StatusOK {
				t.Fatal(r)
			}
			id := e.Fx.Actors["drafter"].UserID
			if r := e.Do(t, "POST", fmt.Sprintf("/api/v1/users/%d/disable", id), handlerstest.Token(t, "sysadmin"), nil); r.Status != http.StatusOK {
				t.Fatalf("disable: %s", r)
			}
			if r := e.Page(t, br, "/"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
				t.Fatalf("a disabled person's session must stop at once: %s", r)
			}
			handlerstest.Problem(t, e.Do(t, "GET", "/api/v1/me", tok, nil), http.StatusUnauthorized, workflow.CodeUnauthenticated)
			if r := e.SignIn(t, br, "drafter", seeds.DemoPassword); r.Status != http.StatusUnauthorized {
				t.Fatalf("a disabled person cannot sign in: %s", r)
			}
			if r := e.Do(t, "POST", fmt.Sprintf("/api/v1/users/%d/enable", id), handlerstest.Token(t, "sysadmin"), nil); r.Status != http.StatusOK {
				t.Fatalf("enable: %s", r)
			}
			if r := e.Do(t, "GET", "/api/v1/me", tok, nil); r.Status != http.StatusOK {
				t.Fatalf("re-enabled: %s", r)
			}
		})
	}
}

// TestTokens_NamedExpiringRevocable: a person issues named tokens with an
// expiry, lists them (never the token itself), and revokes one; a revoked
// and an expired token get 401 at once; only a hash is stored.
func TestTokens_NamedExpiringRevocable(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e, clock := server(t, b, store.AuthPolicy{AllowDemo: true}, handlers.Limits{})
			me := handlerstest.Token(t, "drafter")
			type created struct {
				Token string      `json:"token"`
				Info  store.Token `json:"info"`
			}
			issue := func(label, expires string) created {
				body := map[string]any{"label": label}
				if expires != "" {
					body["expires_at"] = expires
				}
				r := e.Do(t, "POST", "/api/v1/tokens", me, body)
				if r.Status != http.StatusCreated {
					t.Fatalf("issue %s: %s", label, r)
				}
				return handlerstest.Decode[created](t, r)
			}
			short := issue("一小时", clock.T.Add(time.Hour).Format(time.RFC3339))
			long := issue("默认有效期", "")
			if long.Info.ExpiresAt == nil || !strings.HasPrefix(*long.Info.ExpiresAt, clock.T.Add(store.DefaultTokenLifetime).UTC().Format("2006-01-02")) {
				t.Errorf("the default expiry is 90 days: %v", long.Info.ExpiresAt)
			}
			handlerstest.Problem(t, e.Do(t, "POST", "/api/v1/tokens", me, map[string]any{"label": "太久", "expires_at": clock.T.AddDate(2, 0, 0).Format(time.RFC3339)}),
				http.StatusBadRequest, workflow.CodeValidationFailed)
			list := handlerstest.Decode[struct {
				Items []store.Token `json:"items"`
			}](t, e.Do(t, "GET", "/api/v1/tokens", me, nil))
			if len(list.Items) != 3 { // the demo token and the two new ones
				t.Fatalf("want 3 tokens listed, got %+v", list.Items)
			}
			raw, _ := json.Marshal(list)
			if bytes.Contains(raw, []byte(short.Token)) || bytes.Contains(raw, []byte(long.Token)) {
				t.Fatal("the token list must never show a token")
			}
			for _, tok := range []string{short.Token, long.Token} {
				if r := e.Do(t, "GET", "/api/v1/me", tok, nil); r.Status != http.StatusOK {
					t.Fatalf("a new token works: %s", r)
				}
			}
			if r := e.Do(t, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", long.Info.ID), handlerstest.Token(t, "office"), nil); r.Status != http.StatusNotFound {
				t.Fatalf("another person's token is not found for the office: %s", r)
			}
			if r := e.Do(t, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", long.Info.ID), me, nil); r.Status != http.StatusOK {
				t.Fatalf("revoke: %s", r)
			}
			handlerstest.Problem(t, e.Do(t, "GET", "/api/v1/me", long.Token, nil), http.StatusUnauthorized, workflow.CodeUnauthenticated)
			clock.T = clock.T.Add(61 * time.Minute)
			handlerstest.Problem(t, e.Do(t, "GET", "/api/v1/me", short.Token, nil), http.StatusUnauthorized, workflow.CodeUnauthenticated)
			if n := len(events(t, e, "create_token")); n < 2 {
				t.Errorf("token creation is audited: %d events", n)
			}
			if n := len(events(t, e, "revoke_token")); n != 1 {
				t.Errorf("token revocation is audited: %d events", n)
			}
		})
	}
}

// TestTemporaryPassword: a password set with temporary must be changed at
// the next sign-in before anything else; one set without it need not.
func TestTemporaryPassword(t *testing.T) {
	e, _ := server(t, storetest.Backends(t)[0], store.AuthPolicy{AllowDemo: true}, handlers.Limits{})
	id := e.Fx.Actors["drafter"].UserID
	set := func(pw string, temporary bool) {
		r := e.Do(t, "PUT", fmt.Sprintf("/api/v1/users/%d/password", id), handlerstest.Token(t, "sysadmin"), map[string]any{"password": pw, "temporary": temporary})
		if r.Status != http.StatusOK {
			t.Fatalf("set password: %s", r)
		}
		if strings.Contains(string(r.Body), pw) {
			t.Fatal("the password is echoed")
		}
	}
	handlerstest.Problem(t, e.Do(t, "PUT", fmt.Sprintf("/api/v1/users/%d/password", id), handlerstest.Token(t, "sysadmin"), map[string]any{"password": "abcdefgh"}),
		http.StatusBadRequest, workflow.CodeValidationFailed)
	set("Temp#2026a", true)
	br := e.Browser(t)
	if r := e.SignIn(t, br, "drafter", "Temp#2026a"); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/password" {
		t.Fatalf("a temporary password leads to the password page: %s %v", r, r.Header)
	}
	if r := e.Page(t, br, "/"); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/password" {
		t.Fatalf("nothing else before the change: %s", r)
	}
	r := e.Form(t, br, "/password", url.Values{"old_password": {"Temp#2026a"}, "password": {"Mine#2026b"}, "password_again": {"Mine#2026b"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("change: %s", r)
	}
	if r := e.Page(t, br, "/"); r.Status != http.StatusOK {
		t.Fatalf("after the change the work queue opens: %s", r)
	}
	set("Fixed#2026c", false)
	br2 := e.Browser(t)
	if r := e.SignIn(t, br2, "drafter", "Fixed#2026c"); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/" {
		t.Fatalf("a non-temporary password needs no change: %s %v", r, r.Header)
	}
}

// TestSession_IdleAndAbsoluteTimeouts: 30 minutes without use end a
// session; so do 12 hours in any case.
func TestSession_IdleAndAbsoluteTimeouts(t *testing.T) {
	e, clock := server(t, storetest.Backends(t)[0], store.AuthPolicy{AllowDemo: true}, handlers.Limits{})
	br := e.Browser(t)
	e.SignIn(t, br, "office", seeds.DemoPassword)
	clock.T = clock.T.Add(29 * time.Minute)
	if r := e.Page(t, br, "/"); r.Status != http.StatusOK {
		t.Fatalf("29 minutes idle: %s", r)
	}
	clock.T = clock.T.Add(31 * time.Minute)
	if r := e.Page(t, br, "/"); r.Status != http.StatusSeeOther {
		t.Fatalf("31 minutes idle must end the session: %s", r)
	}
	br = e.Browser(t)
	e.SignIn(t, br, "office", seeds.DemoPassword)
	for range 12 * 3 {
		clock.T = clock.T.Add(20 * time.Minute)
		if r := e.Page(t, br, "/"); r.Status != http.StatusOK {
			if clock.T.Sub(storetest.Now) < 12*time.Hour {
				t.Fatalf("an active session ended early: %s", r)
			}
			return
		}
	}
	t.Fatal("an active session outlived 12 hours")
}

// TestDemoCredentialsOnlyUnderDemo: without --demo the demo tokens and the
// demo passwords do not authenticate; tokens and passwords made with the
// command line work regardless.
func TestDemoCredentialsOnlyUnderDemo(t *testing.T) {
	e, _ := server(t, storetest.Backends(t)[0], store.AuthPolicy{AllowDemo: false}, handlers.Limits{})
	handlerstest.Problem(t, e.Do(t, "GET", "/api/v1/me", "demo-office", nil), http.StatusUnauthorized, workflow.CodeUnauthenticated)
	if r := e.SignIn(t, e.Browser(t), "office", seeds.DemoPassword); r.Status != http.StatusUnauthorized {
		t.Fatalf("a demo password without --demo: %s", r)
	}
	ctx := t.Context()
	id := e.Fx.Actors["office"].UserID
	tok, _, err := e.DB.CreateToken(ctx, store.System, store.NewToken{UserID: id, Label: "cli"})
	if err != nil {
		t.Fatal(err)
	}
	if r := e.Do(t, "GET", "/api/v1/me", tok, nil); r.Status != http.StatusOK {
		t.Fatalf("a command-line token works: %s", r)
	}
	if err := e.DB.SetPassword(ctx, store.System, id, "Real#2026x", false); err != nil {
		t.Fatal(err)
	}
	// A demo account with a real password is still a demo account.
	if r := e.SignIn(t, e.Browser(t), "office", "Real#2026x"); r.Status != http.StatusUnauthorized {
		t.Fatalf("a demo account stays closed without --demo: %s", r)
	}
	unit := e.Fx.Units["西宁市人民政府办公厅"]
	u, err := e.DB.CreateUser(ctx, store.System, store.NewUser{Name: "clerk2", Roles: []string{"office"}, UnitID: &unit})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.DB.SetPassword(ctx, store.System, u.ID, "Real#2026x", false); err != nil {
		t.Fatal(err)
	}
	if r := e.SignIn(t, e.Browser(t), "clerk2", "Real#2026x"); r.Status != http.StatusSeeOther {
		t.Fatalf("a command-line password works: %s", r)
	}
}

// TestCrossSiteRequestsRefused: a state-changing request from another site
// (Sec-Fetch-Site: cross-site, or a foreign Origin) is refused with 403
// and recorded; the same request from the site itself passes.
func TestCrossSiteRequestsRefused(t *testing.T) {
	e, _ := server(t, storetest.Backends(t)[0], store.AuthPolicy{AllowDemo: true}, handlers.Limits{})
	br := e.Browser(t)
	e.SignIn(t, br, "office", seeds.DemoPassword)
	for _, h := range []map[string]string{{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}} {
		req, _ := http.NewRequest("POST", e.Srv.URL+"/logout", nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		if r := e.Send(t, br, req); r.Status != http.StatusForbidden {
			t.Fatalf("cross-site POST with %v: %s", h, r)
		}
	}
	if r := e.Page(t, br, "/"); r.Status != http.StatusOK {
		t.Fatalf("the session survives a refused cross-site sign-out: %s", r)
	}
	if n := len(events(t, e, "request_refused")); n != 2 {
		t.Errorf("both refusals are audited, got %d", n)
	}
}

// TestRateLimits: sign-in attempts and failing credentials are budgeted per
// address (429 with Retry-After and a Chinese message) — and a valid token
// from the same address still works; expensive reads are budgeted per
// person.
func TestRateLimits(t *testing.T) {
	e, _ := server(t, storetest.Backends(t)[0], store.AuthPolicy{AllowDemo: true}, handlers.Limits{SignIn: 3, Failing: 3, Expensive: 2})
	br := e.Browser(t)
	for i := range 3 {
		if r := e.SignIn(t, br, "nobody", "x"); r.Status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %s", i+1, r)
		}
	}
	r := e.SignIn(t, br, "office", seeds.DemoPassword)
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" || !strings.Contains(string(r.Body), "请求过于频繁") {
		t.Errorf("the sign-in page answers 429 saying when to come back, in Chinese: %s %v", r, r.Header)
	}
	for i := range 3 {
		handlerstest.Problem(t, e.Do(t, "GET", "/api/v1/me", fmt.Sprintf("guess-%d", i), nil), http.StatusUnauthorized, workflow.CodeUnauthenticated)
	}
	handlerstest.Problem(t, e.Do(t, "GET", "/api/v1/me", "guess-4", nil), http.StatusTooManyRequests, "rate_limited")
	if r := e.Do(t, "GET", "/api/v1/me", handlerstest.Token(t, "office"), nil); r.Status != http.StatusOK {
		t.Fatalf("a valid token from the same address still works: %s", r)
	}
	leader := handlerstest.Token(t, "leader")
	for range 2 {
		if r := e.Do(t, "GET", "/api/v1/audit/verify", leader, nil); r.Status != http.StatusOK {
			t.Fatal(r)
		}
	}
	handlerstest.Problem(t, e.Do(t, "GET", "/api/v1/audit/verify", leader, nil), http.StatusTooManyRequests, "rate_limited")
	if r := e.Do(t, "GET", "/api/v1/audit/verify", handlerstest.Token(t, "auditor"), nil); r.Status != http.StatusOK {
		t.Fatalf("another person's budget is their own: %s", r)
	}
}

// TestSecurityHeaders: every response carries the security headers; the
// CSP forbids inline script and style and framing; the API is never cached.
func TestSecurityHeaders(t *testing.T) {
	e, _ := server(t, storetest.Backends(t)[0], store.AuthPolicy{AllowDemo: true}, handlers.Limits{})
	for _, r := range []handlerstest.Response{
		e.Do(t, "GET", "/api/v1/decisions", handlerstest.Token(t, "office"), nil),
		e.Do(t, "GET", "/api/v1/nothing", "", nil),
		e.Page(t, e.Browser(t), "/login"),
		e.Do(t, "GET", "/healthz", "", nil),
	} {
		csp := r.Header.Get("Content-Security-Policy")
		if csp == "" || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("CSP %q", csp)
		}
		if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Referrer-Policy") == "" {
			t.Errorf("headers %v", r.Header)
		}
	}
	if cc := e.Do(t, "GET", "/api/v1/me", handlerstest.Token(t, "office"), nil).Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("API Cache-Control %q", cc)
	}
	if r := e.Do(t, "GET", "/api/v1/me", "", nil); !strings.EqualFold(r.Header.Get("WWW-Authenticate")[:6], "Bearer") {
		t.Errorf("401 names the scheme: %v", r.Header)
	}
	// The scheme is case-insensitive.
	req, _ := http.NewRequest("GET", e.Srv.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "bEaReR "+handlerstest.Token(t, "office"))
	if r := e.Send(t, nil, req); r.Status != http.StatusOK {
		t.Errorf("bEaReR: %s", r)
	}
}
