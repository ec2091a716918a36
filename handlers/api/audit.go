package api

import (
	"net/http"
	"time"

	"decisiond/handlers/httpx"
	"decisiond/store"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// DecisionAudit: GET /api/v1/decisions/{id}/audit — one decision's trail.
func (a *API) DecisionAudit(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	// The decision must exist for the caller: in their scope, or anywhere
	// for whoever reads the whole trail (the auditor).
	if err := a.db.DecisionAuditVisible(c.Request.Context(), httpx.Actor(c), id); err != nil {
		httpx.Fail(c, err)
		return
	}
	a.auditList(c, &id)
}

// Audit: GET /api/v1/audit?decision=&actor=&since=&until=&page= — the
// audit log in chain order.
func (a *API) Audit(c *gin.Context) { a.auditList(c, nil) }

func (a *API) auditList(c *gin.Context, decisionID *int64) {
	var inv workflow.Invalid
	f := store.AuditFilter{DecisionID: decisionID, ActorID: httpx.QueryID(c, "actor", &inv),
		Since: httpx.QueryTime(c, "since", &inv), Until: httpx.QueryTime(c, "until", &inv), Page: httpx.PageOf(c, &inv)}
	if decisionID == nil {
		f.DecisionID = httpx.QueryID(c, "decision", &inv)
	}
	if err := inv.Err(); err != nil {
		httpx.Fail(c, err)
		return
	}
	evs, total, err := a.db.Audit(c.Request.Context(), httpx.Actor(c), f)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, Paged[store.AuditEvent]{Items: nonNil(evs), Meta: httpx.Meta(f.Page, total)})
}

// VerifyView is the answer of audit/verify: the chain and the tables
// checked against it, and the chain against its signed checkpoints.
type VerifyView struct {
	store.VerifyResult
	Checkpoints *store.CheckpointReport `json:"checkpoints,omitempty"`
}

// verifyWriteTimeout is how long the answer of a verification may take.
const verifyWriteTimeout = 15 * time.Minute

// Verify: GET /api/v1/audit/verify — walk the chain (the auditor and
// leaders; rate-limited per person).
func (a *API) Verify(c *gin.Context) {
	if !workflow.MayVerify(httpx.Actor(c)) {
		httpx.Fail(c, &workflow.Error{Code: workflow.CodeForbidden, Rule: "role_required",
			ZH: "仅审计管理员和领导可校验审计链", EN: "only the auditor and leaders verify the audit chain"})
		return
	}
	// Millions of events outlast the server's one-minute write timeout
	// (2,000,000 took 40–70 s on a 2-core machine): this answer may take
	// up to a quarter of an hour; the rate limit keeps it rare.
	_ = http.NewResponseController(c.Writer).SetWriteDeadline(time.Now().Add(verifyWriteTimeout))
	res, err := a.db.Verify(c.Request.Context())
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	out := VerifyView{VerifyResult: *res}
	if j := a.db.CheckpointJournal(); j != "" {
		if out.Checkpoints, err = a.db.VerifyCheckpoints(c.Request.Context(), j, false, nil); err != nil {
			httpx.Fail(c, err)
			return
		}
		out.OK = out.OK && out.Checkpoints.OK
	}
	c.PureJSON(http.StatusOK, out)
}
