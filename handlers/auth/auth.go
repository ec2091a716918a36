// Package auth identifies who sends a request — bearer tokens for API
// clients, session cookies for browsers — serves sign-in and sign-out, and
// guards routes by role. Every refusal of credentials is 401 at once; the
// budgets of sign-in and of failing credentials are per address.
package auth

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"decisiond/handlers/httpx"
	"decisiond/handlers/templates"
	"decisiond/store"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// CookieName is the session cookie.
const CookieName = "decisiond_session"

// Auth authenticates requests against the store.
type Auth struct {
	db     *store.DB
	policy store.AuthPolicy

	signIn  *httpx.Limiter // sign-in attempts per address
	failing *httpx.Limiter // failing credentials per address (only failures spend it)
}

// New builds the authenticator with the deployment's sign-in policy and
// the per-address budgets of sign-in attempts and of failing credentials.
func New(db *store.DB, p store.AuthPolicy, signIn, failing *httpx.Limiter) *Auth {
	return &Auth{db: db, policy: p, signIn: signIn, failing: failing}
}

// Policy is the sign-in policy in force.
func (a *Auth) Policy() store.AuthPolicy { return a.policy }

var errNoCredentials = workflow.Errorf(workflow.CodeUnauthenticated,
	"请先登录：请求须带 Authorization: Bearer <令牌>", "sign in first: send Authorization: Bearer <token>")

// bearer returns the token of an "Authorization: Bearer …" header; the
// scheme is case-insensitive (RFC 9110 § 11.1).
func bearer(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// actorOf is the actor of an authenticated user with the request's address.
func actorOf(u *store.User, r *http.Request) workflow.Actor {
	a := u.Actor()
	a.Addr = httpx.ClientAddr(r)
	return a
}

// RequireToken authenticates an API request by its bearer token; every
// /api/v1 call needs one. Failing credentials spend the address's budget;
// over it, failures are answered 429 — a valid token from the same address
// still works.
func (a *Auth) RequireToken(c *gin.Context) {
	addr := httpx.ClientAddr(c.Request)
	tok, ok := bearer(c.GetHeader("Authorization"))
	if !ok {
		httpx.Fail(c, errNoCredentials)
		return
	}
	u, err := a.db.Authenticate(c.Request.Context(), tok, a.policy.AllowDemo)
	if err != nil {
		if workflow.ErrorCode(err) == workflow.CodeUnauthenticated && !a.failing.Allow(addr) {
			httpx.RateLimited(c, a.failing.Every())
			return
		}
		httpx.Fail(c, err)
		return
	}
	httpx.SetActor(c, actorOf(u, c.Request))
	c.Next()
}

// session resolves the session cookie, if any.
func (a *Auth) session(c *gin.Context) (*store.User, string, bool) {
	ck, err := c.Request.Cookie(CookieName)
	if err != nil || ck.Value == "" {
		return nil, "", false
	}
	u, err := a.db.Session(c.Request.Context(), a.policy, ck.Value)
	if err != nil {
		return nil, "", false
	}
	return u, ck.Value, true
}

// mustChange reports whether the person must set a new password first.
func (a *Auth) mustChange(u *store.User) bool {
	if u.PasswordTemporary {
		return true
	}
	return a.policy.PasswordMaxAge > 0 && u.PasswordSetAt != nil &&
		a.db.Now().Sub(store.ParseTime(*u.PasswordSetAt)) > a.policy.PasswordMaxAge
}

// RequireSession guards the signed-in pages: without a live session the
// browser goes to the sign-in page (and back afterwards); a person whose
// password must change goes to the password page first.
func (a *Auth) RequireSession(c *gin.Context) {
	u, _, ok := a.session(c)
	if !ok {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		c.Abort()
		return
	}
	if a.mustChange(u) && c.FullPath() != "/password" {
		c.Redirect(http.StatusSeeOther, "/password")
		c.Abort()
		return
	}
	httpx.SetActor(c, actorOf(u, c.Request))
	c.Set(userKey, u)
	c.Next()
}

const userKey = "decisiond.user"

// ViewUser is the signed-in person for the page layout.
func ViewUser(c *gin.Context) *templates.User {
	v, ok := c.Get(userKey)
	if !ok {
		return nil
	}
	u := v.(*store.User)
	tu := &templates.User{Name: u.Name, DisplayName: u.DisplayName}
	for _, r := range u.RoleList() {
		tu.Roles = append(tu.Roles, string(r))
	}
	return tu
}

// RequireRole lets through only a person holding one of the roles (403
// otherwise).
func RequireRole(roles ...workflow.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		a := httpx.Actor(c)
		for _, r := range roles {
			if a.Has(r) {
				c.Next()
				return
			}
		}
		httpx.Fail(c, &workflow.Error{Code: workflow.CodeForbidden, Rule: "role_required",
			ZH: "您的角色无权访问此功能", EN: "your roles may not use this function"})
	}
}

// safeNext keeps a post-sign-in redirect on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n") || strings.HasPrefix(next, "/login") || strings.HasPrefix(next, "/logout") {
		return "/"
	}
	return next
}

// setCookie writes the session cookie: HttpOnly, SameSite=Lax, Secure
// over TLS; it lasts the browser session (the server ends it after 30
// minutes idle or 12 hours in any case).
func setCookie(c *gin.Context, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: CookieName, Value: value, Path: "/", HttpOnly: true,
		Secure: c.Request.TLS != nil, SameSite: http.SameSiteLaxMode, MaxAge: maxAge})
}

// loginView is the sign-in form's data.
type loginView struct {
	Name  string
	Next  string
	Error string
}

// LoginPage: GET /login — the sign-in form (a signed-in person goes home).
func (a *Auth) LoginPage(c *gin.Context) {
	if _, _, ok := a.session(c); ok {
		c.Redirect(http.StatusSeeOther, "/")
		return
	}
	a.renderLogin(c, http.StatusOK, loginView{Next: safeNext(c.Query("next"))})
}

func (a *Auth) renderLogin(c *gin.Context, status int, lv loginView) {
	v := templates.NewView(c.Request, "登录 / Sign in")
	v.Title = v.T("登录", "Sign in")
	v.Data = lv
	Render(c, status, "auth/login", v)
}

// Render writes a page with the headers every page gets.
func Render(c *gin.Context, status int, name string, v *templates.View) {
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Cache-Control", "no-store")
	c.Status(status)
	if err := templates.Render(c.Writer, name, v); err != nil {
		httpx.Fail(c, err)
	}
}

// Login: POST /login — name and password from the form. The address's
// budget of attempts is checked first (429); a failure re-shows the form
// with the reason and the typed name (never the password).
func (a *Auth) Login(c *gin.Context) {
	addr := httpx.ClientAddr(c.Request)
	if !a.signIn.Allow(addr) {
		httpx.RateLimited(c, a.signIn.Every())
		return
	}
	name, pw := strings.TrimSpace(c.PostForm("name")), c.PostForm("password")
	next := safeNext(c.PostForm("next"))
	v := templates.NewView(c.Request, "")
	if name == "" || pw == "" {
		a.renderLogin(c, http.StatusBadRequest, loginView{Name: name, Next: next, Error: v.T("请输入用户名和口令", "Enter your user name and password")})
		return
	}
	res, err := a.db.SignIn(c.Request.Context(), a.policy, name, pw, addr)
	if err != nil {
		e, ok := workflow.AsError(err)
		if !ok {
			httpx.Fail(c, err)
			return
		}
		a.renderLogin(c, http.StatusUnauthorized, loginView{Name: name, Next: next, Error: v.T(e.ZH, e.EN)})
		return
	}
	setCookie(c, res.SessionID, 0)
	if res.MustChangePassword {
		next = "/password"
	}
	c.Redirect(http.StatusSeeOther, next)
}

// Logout: POST /logout — ends the session (a security event).
func (a *Auth) Logout(c *gin.Context) {
	if ck, err := c.Request.Cookie(CookieName); err == nil && ck.Value != "" {
		if err := a.db.SignOut(c.Request.Context(), ck.Value, httpx.ClientAddr(c.Request)); err != nil {
			httpx.Fail(c, err)
			return
		}
	}
	setCookie(c, "", -1)
	c.Redirect(http.StatusSeeOther, "/login")
}

// passwordView is the change-password form's data.
type passwordView struct {
	Required bool
	Error    string
	Done     bool
}

// PasswordPage: GET /password — change one's own password (required first
// when it is temporary or expired).
func (a *Auth) PasswordPage(c *gin.Context) {
	u, _ := c.Get(userKey)
	a.renderPassword(c, http.StatusOK, passwordView{Required: a.mustChange(u.(*store.User)), Done: c.Query("done") == "1"})
}

func (a *Auth) renderPassword(c *gin.Context, status int, pv passwordView) {
	v := templates.NewView(c.Request, "")
	v.Title = v.T("修改口令", "Change password")
	v.User = ViewUser(c)
	v.Data = pv
	Render(c, status, "auth/password", v)
}

// ChangePassword: POST /password — old, new and repeated new password.
func (a *Auth) ChangePassword(c *gin.Context) {
	u, _ := c.Get(userKey)
	v := templates.NewView(c.Request, "")
	pv := passwordView{Required: a.mustChange(u.(*store.User))}
	oldPW, newPW, again := c.PostForm("old_password"), c.PostForm("password"), c.PostForm("password_again")
	if newPW != again {
		pv.Error = v.T("两次输入的新口令不一致", "The two new passwords differ")
		a.renderPassword(c, http.StatusBadRequest, pv)
		return
	}
	if err := a.db.ChangePassword(c.Request.Context(), httpx.Actor(c), oldPW, newPW); err != nil {
		e, ok := workflow.AsError(err)
		if !ok {
			httpx.Fail(c, err)
			return
		}
		pv.Error = v.T(e.ZH, e.EN)
		for _, f := range e.Fields {
			pv.Error = v.T(f.ZH, f.EN)
		}
		a.renderPassword(c, http.StatusBadRequest, pv)
		return
	}
	c.Redirect(http.StatusSeeOther, "/password?done=1")
}

// Prefs: POST /prefs — the language and text-size switches (cookies that
// persist for a year), then back to the page.
func Prefs(c *gin.Context) {
	set := func(name, value string) {
		http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: c.Request.TLS != nil, SameSite: http.SameSiteLaxMode})
	}
	switch c.PostForm("lang") {
	case "zh", "en":
		set(templates.LangCookie, c.PostForm("lang"))
	}
	switch c.PostForm("size") {
	case "large", "normal":
		set(templates.SizeCookie, c.PostForm("size"))
	}
	back := c.PostForm("return")
	if back == "" || !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.ContainsAny(back, "\r\n\\") {
		back = "/"
	}
	c.Redirect(http.StatusSeeOther, back)
}

// SessionEnds tells when the signed-in person's session ends if unused
// (the timeout warning); zero when there is none.
func (a *Auth) SessionEnds(c *gin.Context) time.Time {
	ck, err := c.Request.Cookie(CookieName)
	if err != nil || ck.Value == "" {
		return time.Time{}
	}
	return a.db.SessionExpiry(c.Request.Context(), a.policy, ck.Value)
}

// extendView is the answer to a script's extension.
type extendView struct {
	Ends time.Time `json:"ends"`
	Left int       `json:"left"` // seconds
}

// Extend: POST /session/extend — keep the session alive (the warning's
// button). RequireSession has touched the session; a page goes back where
// it came from, a script gets the new end as JSON.
func (a *Auth) Extend(c *gin.Context) {
	ends := a.SessionEnds(c)
	if !httpx.WantsHTML(c.Request) && strings.Contains(c.GetHeader("Accept"), "json") {
		c.Header("Cache-Control", "no-store")
		c.PureJSON(http.StatusOK, extendView{Ends: ends, Left: int(ends.Sub(a.db.Now()).Seconds())})
		return
	}
	back := c.PostForm("return")
	if back == "" || !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.ContainsAny(back, "\r\n\\") {
		back = "/"
	}
	c.Redirect(http.StatusSeeOther, back)
}
