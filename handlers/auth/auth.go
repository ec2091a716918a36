// Package auth identifies who sends a request — bearer tokens for API
// clients, session cookies for browsers — and guards routes by role.
package auth

import (
	"strings"

	"decisiond/handlers/httpx"
	"decisiond/store"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// Auth authenticates requests against the store.
type Auth struct {
	db *store.DB
}

// New builds the authenticator.
func New(db *store.DB) *Auth { return &Auth{db: db} }

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

// RequireToken authenticates an API request by its bearer token; every
// /api/v1 call needs one.
func (a *Auth) RequireToken(c *gin.Context) {
	tok, ok := bearer(c.GetHeader("Authorization"))
	if !ok {
		httpx.Fail(c, errNoCredentials)
		return
	}
	u, err := a.db.Authenticate(c.Request.Context(), tok)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	httpx.SetActor(c, u.Actor())
	c.Next()
}
