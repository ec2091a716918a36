package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"decisiond/store"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

func (s *Server) healthz(c *gin.Context) { c.PureJSON(http.StatusOK, gin.H{"status": "ok"}) }

func (s *Server) readyz(c *gin.Context) {
	if err := s.db.Ping(c.Request.Context()); err != nil {
		c.PureJSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "detail": "数据库不可用 / database unavailable"})
		return
	}
	c.PureJSON(http.StatusOK, gin.H{"status": "ready", "database": s.db.Dialect()})
}

type eventView struct {
	workflow.EventDef
	Guards int `json:"guards"`
}

func (s *Server) procedure(c *gin.Context) {
	p := s.db.Procedure()
	evs := []eventView{}
	for _, e := range p.Events() {
		evs = append(evs, eventView{EventDef: e, Guards: len(p.Guards(e.Name))})
	}
	c.PureJSON(http.StatusOK, gin.H{"states": workflow.States, "events": evs, "roles": workflow.AllRoles, "initial": workflow.StProposed})
}

func (s *Server) diagram(c *gin.Context) {
	out, err := s.db.Procedure().Diagram(c.DefaultQuery("format", "mermaid"))
	if err != nil {
		fail(c, err)
		return
	}
	c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(out))
}

func (s *Server) units(c *gin.Context) {
	us, err := s.db.Units(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, gin.H{"units": us})
}

// DecisionView is a decision as the API shows it to one caller.
type DecisionView struct {
	workflow.Decision
	StateLabel      workflow.StateDef   `json:"state_label"`
	AvailableEvents []string            `json:"available_events"`
	Deadlines       []workflow.Deadline `json:"deadlines,omitempty"`
}

func (s *Server) view(d workflow.Decision, a workflow.Actor) DecisionView {
	sd, _ := workflow.StateByCode(d.State)
	return DecisionView{Decision: d, StateLabel: sd, AvailableEvents: s.db.Procedure().Available(d.State, a)}
}

func (s *Server) createDecision(c *gin.Context) {
	body, err := readBody(c.Request)
	if err != nil {
		fail(c, err)
		return
	}
	var probe map[string]any
	if err := decodeStrict(body, &probe); err != nil {
		fail(c, err)
		return
	}
	res, err := s.db.CreateDecision(c.Request.Context(), body, actor(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/decisions/"+strconv.FormatInt(res.Decision.ID, 10))
	c.PureJSON(http.StatusCreated, gin.H{"id": res.Decision.ID, "state": res.Decision.State, "version": res.Decision.Version,
		"decision": s.view(res.Decision, actor(c)), "audit_seq": res.AuditSeq})
}

func pathID(c *gin.Context) (int64, error) {
	n, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || n < 1 {
		return 0, workflow.Errorf(workflow.CodeNotFound, "未找到该决策事项（编号应为正整数）", "decision not found (the id must be a positive integer)")
	}
	return n, nil
}

func pageOf(c *gin.Context, inv *workflow.Invalid) store.Page {
	return store.Page{Page: queryInt(c, "page", inv), PerPage: queryInt(c, "per_page", inv)}
}

func queryInt(c *gin.Context, k string, inv *workflow.Invalid) int {
	v := c.Query(k)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		inv.Add(k, "应为正整数", "must be a positive integer")
	}
	return n
}

func queryID(c *gin.Context, k string, inv *workflow.Invalid) *int64 {
	v := c.Query(k)
	if v == "" {
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		inv.Add(k, "应为正整数编号", "must be a positive integer id")
		return nil
	}
	return &n
}

func queryTime(c *gin.Context, k string, inv *workflow.Invalid) *time.Time {
	v := c.Query(k)
	if v == "" {
		return nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return &t
	}
	if d, err := workflow.ParseDate(v); err == nil {
		t := d.Add(-8 * time.Hour) // a date means that day in China
		return &t
	}
	inv.Add(k, "应为 RFC 3339 时间或 YYYY-MM-DD 日期", "must be an RFC 3339 time or a YYYY-MM-DD date")
	return nil
}

type listMeta struct {
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
	Total   int `json:"total"`
}

func meta(p store.Page, total int) listMeta {
	if p.Page == 0 {
		p.Page = 1
	}
	if p.PerPage == 0 {
		p.PerPage = 20
	}
	if p.PerPage > 200 {
		p.PerPage = 200
	}
	return listMeta{Page: p.Page, PerPage: p.PerPage, Total: total}
}

func (s *Server) listDecisions(c *gin.Context) {
	var inv workflow.Invalid
	f := store.DecisionFilter{UnitID: queryID(c, "unit", &inv), Page: pageOf(c, &inv)}
	if v := c.Query("state"); v != "" {
		if _, ok := workflow.StateByCode(workflow.State(v)); !ok {
			inv.Add("state", "未知状态："+v, "unknown state: "+v)
		}
		f.State = &v
	}
	if v := c.Query("q"); v != "" {
		f.Text = &v
	}
	if err := inv.Err(); err != nil {
		fail(c, err)
		return
	}
	ds, total, err := s.db.Decisions(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	items := make([]DecisionView, len(ds))
	for i, d := range ds {
		items[i] = s.view(d, actor(c))
	}
	c.PureJSON(http.StatusOK, gin.H{"items": items, "meta": meta(f.Page, total)})
}

func (s *Server) getDecision(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	d, err := s.db.Decision(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	v := s.view(*d, actor(c))
	if v.Deadlines, err = s.db.Deadlines(c.Request.Context(), id); err != nil {
		fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, v)
}

// fireEvent: identify, decode, apply, respond.
func (s *Server) fireEvent(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	body, err := readBody(c.Request)
	if err != nil {
		fail(c, err)
		return
	}
	req, err := DecodeEventRequest(body)
	if err != nil {
		fail(c, err)
		return
	}
	res, err := s.db.Apply(c.Request.Context(), id, strings.TrimSpace(req.Event), req.Data, actor(c), req.ExpectedVersion)
	if err != nil {
		fail(c, err)
		return
	}
	out := gin.H{"decision": s.view(res.Decision, actor(c)), "audit_seq": res.AuditSeq}
	if res.Spawned != nil {
		out["spawned_decision_id"] = *res.Spawned
	}
	if len(res.Warnings) > 0 {
		out["warnings"] = res.Warnings
	}
	c.PureJSON(http.StatusOK, out)
}

func (s *Server) drafts(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	ds, err := s.db.Drafts(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	if ds == nil {
		ds = []workflow.Draft{}
	}
	c.PureJSON(http.StatusOK, gin.H{"items": ds})
}

func (s *Server) records(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	rs, err := s.db.Records(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	if rs == nil {
		rs = []workflow.Record{}
	}
	c.PureJSON(http.StatusOK, gin.H{"items": rs})
}

func (s *Server) decisionAudit(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	if _, err := s.db.Decision(c.Request.Context(), id); err != nil {
		fail(c, err)
		return
	}
	s.auditList(c, &id)
}

func (s *Server) audit(c *gin.Context) { s.auditList(c, nil) }

func (s *Server) auditList(c *gin.Context, decisionID *int64) {
	var inv workflow.Invalid
	f := store.AuditFilter{DecisionID: decisionID, ActorID: queryID(c, "actor", &inv),
		Since: queryTime(c, "since", &inv), Until: queryTime(c, "until", &inv), Page: pageOf(c, &inv)}
	if decisionID == nil {
		f.DecisionID = queryID(c, "decision", &inv)
	}
	if err := inv.Err(); err != nil {
		fail(c, err)
		return
	}
	evs, total, err := s.db.Audit(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, gin.H{"items": evs, "meta": meta(f.Page, total)})
}

func (s *Server) verify(c *gin.Context) {
	res, err := s.db.Verify(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, res)
}
