// Package handlers is HTTP: one route table over the rooms of each
// audience — api (JSON v1), auth (sign-in), console (staff pages), public
// (anonymous pages) — and what they share (httpx, templates, assets).
// It never writes SQL: every act goes through store.Apply.
package handlers

import (
	"log/slog"
	"net/http"
	"time"

	"decisiond/handlers/api"
	"decisiond/handlers/assets"
	"decisiond/handlers/auth"
	"decisiond/handlers/httpx"
	"decisiond/store"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

func init() { gin.SetMode(gin.ReleaseMode) }

// Deps is what the HTTP layer is built from.
type Deps struct {
	DB        *store.DB
	Procedure *workflow.Procedure // built once by cmd and shared with the store
}

// New builds every route. This file is the one table of them all.
func New(d Deps) http.Handler {
	if d.Procedure == nil {
		d.Procedure = d.DB.Procedure()
	}
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.Use(logRequests, recovery)
	r.NoRoute(func(c *gin.Context) {
		httpx.Fail(c, workflow.Errorf(workflow.CodeNotFound, "没有此地址", "no such route"))
	})
	r.NoMethod(func(c *gin.Context) {
		httpx.Fail(c, &workflow.Error{Code: httpx.CodeMethodNotAllowed, ZH: "不支持此请求方法", EN: "method not allowed"})
	})

	a := api.New(d.DB, d.Procedure)
	au := auth.New(d.DB)

	r.GET("/healthz", a.Healthz)
	r.GET("/readyz", a.Readyz)
	r.GET(assets.Prefix+"*file", gin.WrapH(assets.Handler()))

	v1 := r.Group("/api/v1", au.RequireToken)
	v1.GET("/procedure", a.Procedure)
	v1.GET("/procedure/diagram", a.Diagram)
	v1.GET("/units", a.Units)
	v1.POST("/decisions", a.CreateDecision)
	v1.GET("/decisions", a.ListDecisions)
	v1.GET("/decisions/:id", a.GetDecision)
	v1.POST("/decisions/:id/events", a.FireEvent)
	v1.GET("/decisions/:id/drafts", a.Drafts)
	v1.GET("/decisions/:id/records", a.Records)
	v1.GET("/decisions/:id/audit", a.DecisionAudit)
	v1.GET("/decisions/:id/deadlines", a.DecisionDeadlines)
	v1.GET("/audit", a.Audit)
	v1.GET("/audit/verify", a.Verify)
	v1.GET("/deadlines", a.Deadlines)
	v1.GET("/rules", a.Rules)
	v1.PUT("/rules/active", a.ActivateRules)
	v1.PUT("/rules/packs/:code", a.PutRulePack)
	v1.GET("/calendar", a.Calendar)
	v1.GET("/calendar/workdays", a.Workdays)
	v1.PUT("/calendar/:year", a.PutCalendarYear)
	return r
}

func logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	who := ""
	if a, ok := httpx.ActorOf(c); ok {
		who = a.Name
	}
	slog.Info("http", "method", c.Request.Method, "route", c.FullPath(), "status", c.Writer.Status(),
		"ms", time.Since(start).Milliseconds(), "user", who)
}

// recovery turns a panic into a 500 problem (a bug, logged), never a
// dropped connection.
func recovery(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			slog.Error("panic", "route", c.FullPath(), "panic", v)
			httpx.Fail(c, workflow.Errorf(workflow.CodeInternal, "系统内部错误", "internal error"))
		}
	}()
	c.Next()
}
