package api

import (
	"net/http"

	"decisiond/handlers/httpx"
	"decisiond/store"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// DeadlinesView is the open deadlines across decisions.
type DeadlinesView struct {
	Items []store.DecisionDeadline `json:"items"`
	Today string                   `json:"today"`
}

// Deadlines: GET /api/v1/deadlines?overdue=true — open deadlines across
// decisions, soonest first.
func (a *API) Deadlines(c *gin.Context) {
	var inv workflow.Invalid
	overdue := httpx.QueryBool(c, "overdue", &inv)
	if err := inv.Err(); err != nil {
		httpx.Fail(c, err)
		return
	}
	ds, err := a.db.AllDeadlines(c.Request.Context(), httpx.Actor(c), overdue)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, DeadlinesView{Items: nonNil(ds), Today: workflow.FormatDate(workflow.DateOf(a.db.Now()))})
}

// DecisionDeadlines: GET /api/v1/decisions/{id}/deadlines.
func (a *API) DecisionDeadlines(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	ds, err := a.db.Deadlines(c.Request.Context(), httpx.Actor(c), id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, Items[workflow.Deadline]{Items: nonNil(ds)})
}
