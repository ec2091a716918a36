package api

import (
	"net/http"

	"decisiond/handlers/httpx"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// RulesView is the rule pack in force and the stored packs.
type RulesView struct {
	Active workflow.RulePack   `json:"active"`
	Packs  []workflow.RulePack `json:"packs"`
}

// Rules: GET /api/v1/rules.
func (a *API) Rules(c *gin.Context) {
	active, err := a.db.ActiveRules(c.Request.Context())
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	packs, err := a.db.RulePacks(c.Request.Context())
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, RulesView{Active: active, Packs: nonNil(packs)})
}

// activateRulesRequest is the body of PUT /api/v1/rules/active.
type activateRulesRequest struct {
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

// putRulePackRequest is the body of PUT /api/v1/rules/packs/{code}.
type putRulePackRequest struct {
	Pack   workflow.RulePack `json:"pack"`
	Reason string            `json:"reason"`
}

// ActivateRules: PUT /api/v1/rules/active {"code", "reason"} (audited).
func (a *API) ActivateRules(c *gin.Context) {
	var req activateRulesRequest
	if !httpx.BindJSON(c, &req) {
		return
	}
	if req.Code == "" {
		httpx.Fail(c, httpx.Invalid("code", "必填：规则包代码", "is required: the rule pack code"))
		return
	}
	if err := a.db.ActivateRulePack(c.Request.Context(), httpx.Actor(c), req.Code, req.Reason); err != nil {
		httpx.Fail(c, err)
		return
	}
	a.Rules(c)
}

// PutRulePack: PUT /api/v1/rules/packs/{code} {"pack": {...}, "reason"} (audited).
func (a *API) PutRulePack(c *gin.Context) {
	var req putRulePackRequest
	if !httpx.BindJSON(c, &req) {
		return
	}
	if req.Pack.Code != c.Param("code") {
		httpx.Fail(c, httpx.Invalid("pack.code", "规则包代码应与地址中的代码一致", "pack.code must match the code in the path"))
		return
	}
	if err := a.db.PutRulePack(c.Request.Context(), httpx.Actor(c), req.Pack, req.Reason); err != nil {
		httpx.Fail(c, err)
		return
	}
	a.Rules(c)
}
