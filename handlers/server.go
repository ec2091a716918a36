// Package handlers is HTTP: gin routes, the JSON API, auth middleware.
// It never writes SQL: every act goes through store.Apply.
package handlers

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"decisiond/store"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// Server holds the HTTP routes.
type Server struct {
	db     *store.DB
	engine *gin.Engine
}

func init() { gin.SetMode(gin.ReleaseMode) }

// New builds the routes. Every route is in this one table.
func New(db *store.DB) *Server {
	s := &Server{db: db, engine: gin.New()}
	r := s.engine
	r.HandleMethodNotAllowed = true
	r.Use(logRequests, recovery)
	r.NoRoute(func(c *gin.Context) {
		fail(c, workflow.Errorf(workflow.CodeNotFound, "没有此地址", "no such route"))
	})
	r.NoMethod(func(c *gin.Context) {
		fail(c, &workflow.Error{Code: CodeMethodNotAllowed, ZH: "不支持此请求方法", EN: "method not allowed"})
	})

	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)

	api := r.Group("/api/v1", s.authenticate)
	api.GET("/procedure", s.procedure)
	api.GET("/procedure/diagram", s.diagram)
	api.GET("/units", s.units)
	api.POST("/decisions", s.createDecision)
	api.GET("/decisions", s.listDecisions)
	api.GET("/decisions/:id", s.getDecision)
	api.POST("/decisions/:id/events", s.fireEvent)
	api.GET("/decisions/:id/drafts", s.drafts)
	api.GET("/decisions/:id/records", s.records)
	api.GET("/decisions/:id/audit", s.decisionAudit)
	api.GET("/decisions/:id/deadlines", s.decisionDeadlines)
	api.GET("/audit", s.audit)
	api.GET("/audit/verify", s.verify)
	api.GET("/deadlines", s.deadlines)
	api.GET("/rules", s.rules)
	api.PUT("/rules/active", s.activateRules)
	api.PUT("/rules/packs/:code", s.putRulePack)
	api.GET("/calendar", s.calendar)
	api.GET("/calendar/workdays", s.workdays)
	api.PUT("/calendar/:year", s.putCalendarYear)
	return s
}

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

func logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	slog.Info("http", "method", c.Request.Method, "path", c.Request.URL.Path, "status", c.Writer.Status(),
		"ms", time.Since(start).Milliseconds(), "user", c.GetString("user"))
}

// recovery turns a panic into a 500 problem (a bug, logged), never a
// dropped connection.
func recovery(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			slog.Error("panic", "path", c.Request.URL.Path, "panic", v)
			fail(c, workflow.Errorf(workflow.CodeInternal, "系统内部错误", "internal error"))
		}
	}()
	c.Next()
}

const actorKey = "actor"

// authenticate resolves the bearer token; every /api/v1 call needs one.
func (s *Server) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(tok) == "" {
		fail(c, workflow.Errorf(workflow.CodeUnauthenticated, "请先登录：请求须带 Authorization: Bearer <令牌>", "sign in first: send Authorization: Bearer <token>"))
		return
	}
	u, err := s.db.Authenticate(c.Request.Context(), strings.TrimSpace(tok))
	if err != nil {
		fail(c, err)
		return
	}
	c.Set(actorKey, u.Actor())
	c.Set("user", u.Name)
	c.Next()
}

func actor(c *gin.Context) workflow.Actor {
	a, _ := c.Get(actorKey)
	return a.(workflow.Actor)
}
