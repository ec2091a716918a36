package api

import (
	"net/http"

	"decisiond/handlers/httpx"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// FireEvent: POST /api/v1/decisions/{id}/events
// {"event", "expected_version", "data"} → 200 ActResponse.
func (a *API) FireEvent(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	who := httpx.Actor(c)
	body, err := httpx.ReadBody(c.Request)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	req, err := httpx.DecodeEventRequest(body)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	res, err := a.db.Apply(c.Request.Context(), id, workflow.Act{Event: req.Event, Data: req.Data, Actor: who}, req.ExpectedVersion)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, a.actResponse(res, who))
}
