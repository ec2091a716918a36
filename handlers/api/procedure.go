package api

import (
	"net/http"

	"decisiond/handlers/httpx"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// EventView is one event of the procedure with the number of its guards.
type EventView struct {
	workflow.EventDef
	Guards int `json:"guards"`
}

// ProcedureView is the procedure as GET /api/v1/procedure shows it.
type ProcedureView struct {
	States  []workflow.StateDef `json:"states"`
	Events  []EventView         `json:"events"`
	Roles   []workflow.Label    `json:"roles"`
	Initial workflow.State      `json:"initial"`
}

// Procedure: GET /api/v1/procedure — states, events, roles.
func (a *API) Procedure(c *gin.Context) {
	evs := []EventView{}
	for _, e := range a.proc.Events() {
		evs = append(evs, EventView{EventDef: e, Guards: len(a.proc.Guards(e.Name))})
	}
	c.PureJSON(http.StatusOK, ProcedureView{States: workflow.States, Events: evs, Roles: workflow.AllRoles, Initial: workflow.StProposed})
}

// Diagram: GET /api/v1/procedure/diagram?format=mermaid|dot — drawn by the
// machine itself.
func (a *API) Diagram(c *gin.Context) {
	out, err := a.proc.Diagram(c.DefaultQuery("format", "mermaid"))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(out))
}

// DomainsView is the closed vocabulary of policy domains (QH (八)).
type DomainsView struct {
	Items []workflow.Label `json:"items"`
	// MandatoryRiskDomains are the active rule pack's domains in which risk
	// assessment is never waived.
	MandatoryRiskDomains []string `json:"mandatory_risk_domains"`
	RulePack             string   `json:"rule_pack"`
}

// Domains: GET /api/v1/domains — the policy domains a decision's domains
// and a rule pack's mandatory list take, exactly as written.
func (a *API) Domains(c *gin.Context) {
	p := a.db.Rules()
	m := p.MandatoryRiskDomains
	if m == nil {
		m = []string{}
	}
	c.PureJSON(http.StatusOK, DomainsView{Items: workflow.PolicyDomains, MandatoryRiskDomains: m, RulePack: p.Code})
}
