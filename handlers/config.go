package handlers

import (
	"encoding/json"
	"net/http"
	"strconv"

	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// rules: GET /api/v1/rules — the pack in force and the stored packs.
func (s *Server) rules(c *gin.Context) {
	active, err := s.db.ActiveRules(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	packs, err := s.db.RulePacks(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, gin.H{"active": active, "packs": packs})
}

// activateRules: PUT /api/v1/rules/active {"code", "reason"} (admin, audited).
func (s *Server) activateRules(c *gin.Context) {
	var req struct {
		Code   string `json:"code"`
		Reason string `json:"reason"`
	}
	if !bindJSON(c, &req) {
		return
	}
	if req.Code == "" {
		fail(c, invalid("code", "必填：规则包代码", "is required: the rule pack code"))
		return
	}
	if err := s.db.ActivateRulePack(c.Request.Context(), actor(c), req.Code, req.Reason); err != nil {
		fail(c, err)
		return
	}
	s.rules(c)
}

// putRulePack: PUT /api/v1/rules/packs/{code} {"pack": {...}, "reason"} (admin, audited).
func (s *Server) putRulePack(c *gin.Context) {
	var req struct {
		Pack   workflow.RulePack `json:"pack"`
		Reason string            `json:"reason"`
	}
	if !bindJSON(c, &req) {
		return
	}
	if req.Pack.Code != c.Param("code") {
		fail(c, invalid("pack.code", "规则包代码应与地址中的代码一致", "pack.code must match the code in the path"))
		return
	}
	if err := s.db.PutRulePack(c.Request.Context(), actor(c), req.Pack, req.Reason); err != nil {
		fail(c, err)
		return
	}
	s.rules(c)
}

// calendar: GET /api/v1/calendar — the years of the working-day calendar.
func (s *Server) calendar(c *gin.Context) {
	years, err := s.db.CalendarYears(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, gin.H{"years": years})
}

// putCalendarYear: PUT /api/v1/calendar/{year} — load or correct one year
// of official holidays and adjusted workdays (admin, audited).
func (s *Server) putCalendarYear(c *gin.Context) {
	year, err := strconv.Atoi(c.Param("year"))
	if err != nil {
		fail(c, invalid("year", "年份应为数字", "the year must be a number"))
		return
	}
	var y workflow.CalendarYear
	if !bindJSON(c, &y) {
		return
	}
	if y.Year == 0 {
		y.Year = year
	}
	if y.Year != year {
		fail(c, invalid("year", "请求体中的年份应与地址中的年份一致", "the year in the body must match the path"))
		return
	}
	if err := s.db.LoadCalendarYear(c.Request.Context(), actor(c), y); err != nil {
		fail(c, err)
		return
	}
	s.calendar(c)
}

// workdays: GET /api/v1/calendar/workdays?from=YYYY-MM-DD&n=7 — the n-th
// working day after a date (the date itself does not count, Art. 26).
func (s *Server) workdays(c *gin.Context) {
	var inv workflow.Invalid
	from, err := workflow.ParseDate(c.Query("from"))
	if err != nil {
		inv.Add("from", "应为日期（YYYY-MM-DD）", "must be a date (YYYY-MM-DD)")
	}
	n := 7
	if v := c.Query("n"); v != "" {
		if n, err = strconv.Atoi(v); err != nil || n < 0 || n > 366 {
			inv.Add("n", "应为0至366之间的整数", "must be an integer from 0 to 366")
		}
	}
	if err := inv.Err(); err != nil {
		fail(c, err)
		return
	}
	cal, err := s.db.CurrentCalendar(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	due, err := cal.AddWorkdays(from, n)
	if err != nil {
		fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, gin.H{"from": workflow.FormatDate(from), "working_days": n, "date": workflow.FormatDate(due)})
}

// deadlines: GET /api/v1/deadlines?overdue=true — open deadlines across
// decisions, soonest first.
func (s *Server) deadlines(c *gin.Context) {
	overdue := false
	switch c.Query("overdue") {
	case "", "false", "0":
	case "true", "1":
		overdue = true
	default:
		fail(c, invalid("overdue", "应为 true 或 false", "must be true or false"))
		return
	}
	ds, err := s.db.AllDeadlines(c.Request.Context(), overdue)
	if err != nil {
		fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, gin.H{"items": ds, "today": workflow.FormatDate(workflow.DateOf(s.db.Now()))})
}

func (s *Server) decisionDeadlines(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	ds, err := s.db.Deadlines(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.PureJSON(http.StatusOK, gin.H{"items": ds})
}

// bindJSON decodes a size-limited JSON object body strictly (unknown
// fields refused) and writes the problem itself on failure.
func bindJSON(c *gin.Context, v any) bool {
	body, err := readBody(c.Request)
	if err != nil {
		fail(c, err)
		return false
	}
	var probe map[string]json.RawMessage
	if err := decodeStrict(body, &probe); err != nil {
		fail(c, err)
		return false
	}
	dec := json.NewDecoder(bytesReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		fail(c, invalid(fieldOf(err), "字段类型或名称有误："+err.Error(), "wrong field type or name: "+err.Error()))
		return false
	}
	return true
}
