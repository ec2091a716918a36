package api

import (
	"net/http"
	"strconv"

	"decisiond/handlers/httpx"
	"decisiond/store"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// DecisionView is a decision as the API shows it to one caller.
type DecisionView struct {
	workflow.Decision
	StateLabel      workflow.StateDef   `json:"state_label"`
	AvailableEvents []string            `json:"available_events"`
	Deadlines       []workflow.Deadline `json:"deadlines,omitempty"`
}

// ActResponse is the answer to every act, creation included: the decision
// after the act and the audit event that recorded it.
type ActResponse struct {
	Decision          DecisionView     `json:"decision"`
	AuditSeq          int64            `json:"audit_seq"`
	SpawnedDecisionID *int64           `json:"spawned_decision_id,omitempty"`
	Warnings          []workflow.Label `json:"warnings,omitempty"`
}

func (a *API) view(d workflow.Decision, who workflow.Actor) DecisionView {
	sd, _ := workflow.StateByCode(d.State)
	return DecisionView{Decision: d, StateLabel: sd, AvailableEvents: a.proc.Available(d.State, who)}
}

func (a *API) actResponse(res *store.Result, who workflow.Actor) ActResponse {
	return ActResponse{Decision: a.view(res.Decision, who), AuditSeq: res.AuditSeq, SpawnedDecisionID: res.Spawned, Warnings: res.Warnings}
}

// CreateDecision: POST /api/v1/decisions — record a proposal (201).
func (a *API) CreateDecision(c *gin.Context) {
	who := httpx.Actor(c)
	data, err := httpx.ReadData(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	res, err := a.db.CreateDecision(c.Request.Context(), data, who)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/decisions/"+strconv.FormatInt(res.Decision.ID, 10))
	c.PureJSON(http.StatusCreated, a.actResponse(res, who))
}

// ListDecisions: GET /api/v1/decisions?state=&unit=&q=&page=&per_page=.
func (a *API) ListDecisions(c *gin.Context) {
	var inv workflow.Invalid
	f := store.DecisionFilter{UnitID: httpx.QueryID(c, "unit", &inv), State: httpx.QueryState(c, "state", &inv), Page: httpx.PageOf(c, &inv)}
	if v := c.Query("q"); v != "" {
		f.Text = &v
	}
	if err := inv.Err(); err != nil {
		httpx.Fail(c, err)
		return
	}
	ds, total, err := a.db.Decisions(c.Request.Context(), httpx.Actor(c), f)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	who := httpx.Actor(c)
	items := make([]DecisionView, len(ds))
	for i, d := range ds {
		items[i] = a.view(d, who)
	}
	c.PureJSON(http.StatusOK, Paged[DecisionView]{Items: items, Meta: httpx.Meta(f.Page, total)})
}

// GetDecision: GET /api/v1/decisions/{id} — with the caller's available
// events and the open deadlines.
func (a *API) GetDecision(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	d, err := a.db.Decision(c.Request.Context(), httpx.Actor(c), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	v := a.view(*d, httpx.Actor(c))
	if v.Deadlines, err = a.db.Deadlines(c.Request.Context(), httpx.Actor(c), id); err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, v)
}

// Drafts: GET /api/v1/decisions/{id}/drafts — draft versions, oldest first.
func (a *API) Drafts(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	ds, err := a.db.Drafts(c.Request.Context(), httpx.Actor(c), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, Items[workflow.Draft]{Items: nonNil(ds)})
}

// Records: GET /api/v1/decisions/{id}/records — stage records, oldest first.
func (a *API) Records(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	rs, err := a.db.Records(c.Request.Context(), httpx.Actor(c), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, Items[workflow.Record]{Items: nonNil(rs)})
}
