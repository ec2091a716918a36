package api

import (
	"net/http"
	"time"

	"decisiond/handlers/httpx"
	"decisiond/store"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// NewTokenView is a token just issued: the only time it is shown.
type NewTokenView struct {
	Token string      `json:"token"`
	Info  store.Token `json:"info"`
}

// Tokens: GET /api/v1/tokens?user=N — a person's tokens (one's own; the
// security administrator anyone's).
func (a *API) Tokens(c *gin.Context) {
	var inv workflow.Invalid
	who := httpx.Actor(c)
	uid := who.UserID
	if p := httpx.QueryID(c, "user", &inv); p != nil {
		uid = *p
	}
	if err := inv.Err(); err != nil {
		httpx.Fail(c, err)
		return
	}
	ts, err := a.db.Tokens(c.Request.Context(), who, uid)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, Items[store.Token]{Items: ts})
}

// createTokenRequest is the body of POST /api/v1/tokens.
type createTokenRequest struct {
	Label     string `json:"label"`
	ExpiresAt string `json:"expires_at"` // RFC 3339 or YYYY-MM-DD
	UserID    *int64 `json:"user_id"`
}

// CreateToken: POST /api/v1/tokens {"label", "expires_at"?, "user_id"?} —
// a named token with an expiry (default 90 days, at most a year).
func (a *API) CreateToken(c *gin.Context) {
	var req createTokenRequest
	if !httpx.BindJSON(c, &req) {
		return
	}
	who := httpx.Actor(c)
	nt := store.NewToken{UserID: who.UserID, Label: req.Label}
	if req.UserID != nil {
		nt.UserID = *req.UserID
	}
	if req.ExpiresAt != "" {
		t, err := time.Parse(time.RFC3339, req.ExpiresAt)
		if err != nil {
			d, derr := workflow.ParseDate(req.ExpiresAt)
			if derr != nil {
				httpx.Fail(c, httpx.Invalid("expires_at", "应为 RFC 3339 时间或 YYYY-MM-DD 日期", "must be an RFC 3339 time or a YYYY-MM-DD date"))
				return
			}
			t = d.Add(-8 * time.Hour) // that day's start in China
		}
		nt.ExpiresAt = &t
	}
	tok, info, err := a.db.CreateToken(c.Request.Context(), who, nt)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusCreated, NewTokenView{Token: tok, Info: *info})
}

// RevokeToken: DELETE /api/v1/tokens/{id} — revoked at once.
func (a *API) RevokeToken(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	t, err := a.db.RevokeToken(c.Request.Context(), httpx.Actor(c), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, t)
}
