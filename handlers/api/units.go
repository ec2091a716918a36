package api

import (
	"net/http"

	"decisiond/handlers/httpx"
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

// UnitList is the answer of GET /api/v1/units.
type UnitList struct {
	Units []workflow.Unit `json:"units"`
}
