package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// Health is the answer of /healthz and /readyz.
type Health struct {
	Status   string `json:"status"`
	Database string `json:"database,omitempty"`
	Detail   string `json:"detail,omitempty"`
}

// Healthz: GET /healthz — the process is alive.
func (a *API) Healthz(c *gin.Context) { c.PureJSON(http.StatusOK, Health{Status: "ok"}) }

// Readyz: GET /readyz — the database answers and its schema is current.
func (a *API) Readyz(c *gin.Context) {
	if err := a.db.Ping(c.Request.Context()); err != nil {
		c.PureJSON(http.StatusServiceUnavailable, Health{Status: "unavailable", Detail: "数据库不可用 / database unavailable"})
		return
	}
	c.PureJSON(http.StatusOK, Health{Status: "ready", Database: a.db.Dialect()})
}
