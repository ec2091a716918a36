package api

import (
	"net/http"

	"decisiond/handlers/httpx"
	"decisiond/store"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// Units: GET /api/v1/units — organs and units.
func (a *API) Units(c *gin.Context) {
	us, err := a.db.Units(c.Request.Context())
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, UnitList{Units: nonNil(us)})
}

// createUnitRequest is the body of POST /api/v1/units.
type createUnitRequest struct {
	Name      string   `json:"name"`
	ShortName string   `json:"short_name"`
	Kind      string   `json:"kind"`
	Parent    *unitRef `json:"parent"`
}

// setOrganRequest is the body of PUT /api/v1/organs/{id}.
type setOrganRequest struct {
	HeadUserID *int64   `json:"head_user_id"`
	ReviewUnit *unitRef `json:"review_unit"`
}

// CreateUnit: POST /api/v1/units {"name", "short_name", "kind", "parent"}
// (system administrator).
func (a *API) CreateUnit(c *gin.Context) {
	var req createUnitRequest
	if !httpx.BindJSON(c, &req) {
		return
	}
	parent, err := a.resolveUnit(c, "parent", req.Parent)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	u, err := a.db.CreateUnit(c.Request.Context(), httpx.Actor(c), store.NewUnit{Name: req.Name, ShortName: req.ShortName, Kind: req.Kind, ParentID: parent})
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusCreated, u)
}

// SetOrgan: PUT /api/v1/organs/{id} {"head_user_id", "review_unit"} — name
// an organ's head and legality-review body (system administrator).
func (a *API) SetOrgan(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	var req setOrganRequest
	if !httpx.BindJSON(c, &req) {
		return
	}
	review, err := a.resolveUnit(c, "review_unit", req.ReviewUnit)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	u, err := a.db.SetOrgan(c.Request.Context(), httpx.Actor(c), id, store.OrganSettings{HeadUserID: req.HeadUserID, ReviewUnitID: review})
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, u)
}

// UnitList is the answer of GET /api/v1/units.
type UnitList struct {
	Units []workflow.Unit `json:"units"`
}
