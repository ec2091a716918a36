package console

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"decisiond/handlers/auth"
	"decisiond/handlers/httpx"
	"decisiond/store"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// ---- the audit trail (审计追踪) ----

type auditRow struct {
	No                   int
	Seq                  int64
	At, Who, Role        string
	DecisionID           int64
	Title, Event, Change string
	Data                 []dataItem
}

type badge struct {
	State, Text, When string
}

type auditView struct {
	Decision, Person, Unit, Event string
	Since, Until                  string
	UnitOpts, EventOpts           []option
	Rows                          []auditRow
	Pager                         pager
	Badge                         badge
	CSV                           string
	Timeline                      bool
	Title                         string
}

// auditFilter reads the audit trail's filters (decision, person, unit,
// event, time range, page).
func (k *Console) auditFilter(c *gin.Context) (store.AuditFilter, error) {
	var inv workflow.Invalid
	f := store.AuditFilter{DecisionID: httpx.QueryID(c, "decision", &inv), UnitID: httpx.QueryID(c, "unit", &inv),
		Since: httpx.QueryTime(c, "since", &inv), Until: httpx.QueryUntil(c, "until", &inv), Page: httpx.PageOf(c, &inv)}
	if s := strings.TrimSpace(c.Query("person")); s != "" {
		f.Person = &s
	}
	if s := c.Query("event"); s != "" {
		known := false
		for _, l := range workflow.AuditEventCodes(k.proc) {
			known = known || l.Code == s
		}
		if !known {
			inv.Add("event", "未知的事件："+s, "unknown event: "+s)
		}
		f.Event = &s
	}
	if err := inv.Err(); err != nil {
		return f, err
	}
	if f.DecisionID != nil {
		// The decision must exist for the reader: in their scope, or
		// anywhere for whoever reads the whole trail.
		if err := k.db.DecisionAuditVisible(c.Request.Context(), httpx.Actor(c), *f.DecisionID); err != nil {
			return f, err
		}
	}
	return f, nil
}

// Audit: GET /audit — the trail the person may read (a leader their
// organ's whole trail, the auditor all of it), with filters; one
// decision's events as a timeline (?decision=); each event readable; the
// chain badge from the background verification.
func (k *Console) Audit(c *gin.Context) {
	a := httpx.Actor(c)
	f, err := k.auditFilter(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	v, l := k.page(c, "audit")
	v.Title = v.T("审计追踪", "Audit trail")
	f.Desc = f.DecisionID == nil
	if f.PerPage == 0 {
		f.PerPage = 30
	}
	evs, total, err := k.db.Audit(ctx, a, f)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	units, err := k.db.UnitMap(ctx)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	titles, err := k.db.DecisionTitles(ctx, decisionIDs(evs))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	av := auditView{Decision: c.Query("decision"), Person: c.Query("person"), Unit: c.Query("unit"), Event: c.Query("event"),
		Since: c.Query("since"), Until: c.Query("until"), Timeline: f.DecisionID != nil, Badge: k.badge(l)}
	if f.DecisionID != nil {
		av.Title = titles[*f.DecisionID]
	}
	q := c.Request.URL.Query()
	q.Del("page")
	av.CSV = "/audit.csv"
	if e := q.Encode(); e != "" {
		av.CSV += "?" + e
	}
	for _, u := range units {
		id := strconv.FormatInt(u.ID, 10)
		av.UnitOpts = append(av.UnitOpts, option{Value: id, Label: u.Name, Selected: av.Unit == id})
	}
	sortOptions(av.UnitOpts)
	for _, e := range workflow.AuditEventCodes(k.proc) {
		av.EventOpts = append(av.EventOpts, option{Value: e.Code, Label: l.L(e), Selected: av.Event == e.Code})
	}
	limit, offset := f.Norm()
	for i, e := range evs {
		av.Rows = append(av.Rows, k.auditRow(l, offset+i+1, e, titles, units))
	}
	av.Pager = newPager(v, "/audit", c.Request.URL.Query(), f.Page.Page, limit, total)
	v.Data = av
	auth.Render(c, http.StatusOK, "console/audit", v)
}

func (k *Console) auditRow(l lang, no int, e store.AuditEvent, titles map[int64]string, units map[int64]workflow.Unit) auditRow {
	r := auditRow{No: no, Seq: e.Seq, At: storedClock(e.At), Who: e.ActorName, Role: l.L(workflow.RoleLabel(e.Role)),
		Event: l.L(workflow.EventLabel(k.proc, e.Event)), Data: readable(l, e.Event, json.RawMessage(e.Data), units)}
	if e.DecisionID != nil {
		r.DecisionID, r.Title = *e.DecisionID, titles[*e.DecisionID]
	}
	switch {
	case e.From != "" && e.To != "" && e.From != e.To:
		r.Change = l.state(workflow.State(e.From)) + " → " + l.state(workflow.State(e.To))
	case e.To != "" && e.From == "":
		r.Change = "→ " + l.state(workflow.State(e.To))
	}
	return r
}

func decisionIDs(evs []store.AuditEvent) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, e := range evs {
		if e.DecisionID != nil && !seen[*e.DecisionID] {
			seen[*e.DecisionID] = true
			out = append(out, *e.DecisionID)
		}
	}
	return out
}

// badge shows the last background verification of the audit chain.
func (k *Console) badge(l lang) badge {
	res, at := k.bg.Chain()
	v := l.v
	switch {
	case res == nil:
		return badge{State: "pending", Text: v.T("审计链尚未校验（后台校验中）", "The audit chain has not been verified yet (running in the background)")}
	case res.OK:
		return badge{State: "ok", When: clock(at), Text: v.T(fmt.Sprintf("审计链校验通过：共%d条记录，未发现篡改", res.Events),
			fmt.Sprintf("Audit chain verified: %d events, nothing altered", res.Events))}
	}
	return badge{State: "bad", When: clock(at), Text: v.T(fmt.Sprintf("审计链校验未通过：第%d条记录起链条断裂（%s）", res.FirstBadSeq, res.Reason),
		fmt.Sprintf("Audit chain BROKEN at event %d (%s)", res.FirstBadSeq, res.Reason))}
}

// maxExport bounds one CSV export.
const maxExport = 10000

// AuditCSV: GET /audit.csv — what the filters select, as CSV (UTF-8 with
// a BOM so that Excel keeps the Chinese); the export itself is a security
// event in the chain.
func (k *Console) AuditCSV(c *gin.Context) {
	a := httpx.Actor(c)
	f, err := k.auditFilter(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	v, l := k.page(c, "audit")
	units, err := k.db.UnitMap(ctx)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{v.T("序号", "No."), v.T("链序号", "Seq"), v.T("时间", "Time"), v.T("操作人", "Who"), v.T("角色", "Role"),
		v.T("决策事项编号", "Decision id"), v.T("决策事项", "Decision"), v.T("事件", "Event"), v.T("阶段变化", "Stage change"), v.T("内容", "Content"), v.T("哈希", "Hash")})
	rows := 0
	f.Page = store.Page{Page: 1, PerPage: store.MaxPerPage}
	for rows < maxExport {
		evs, _, err := k.db.Audit(ctx, a, f)
		if err != nil {
			httpx.Fail(c, err)
			return
		}
		titles, err := k.db.DecisionTitles(ctx, decisionIDs(evs))
		if err != nil {
			httpx.Fail(c, err)
			return
		}
		for _, e := range evs {
			rows++
			r := k.auditRow(l, rows, e, titles, units)
			dec := ""
			if r.DecisionID != 0 {
				dec = strconv.FormatInt(r.DecisionID, 10)
			}
			_ = w.Write([]string{strconv.Itoa(rows), strconv.FormatInt(e.Seq, 10), r.At, r.Who, r.Role, dec, r.Title, r.Event, r.Change, flatten(r.Data), e.Hash})
		}
		if len(evs) < f.PerPage {
			break
		}
		f.Page.Page++
	}
	w.Flush()
	filter := map[string]any{}
	for key, vs := range c.Request.URL.Query() {
		filter[key] = strings.Join(vs, ",")
	}
	if err := k.db.RecordExport(ctx, a, "audit_csv", filter, rows); err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="audit-%s.csv"`, k.db.Now().In(workflow.ChinaTime).Format("20060102-150405")))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// flatten writes readable items as one line of text.
func flatten(items []dataItem) string {
	var parts []string
	for _, it := range items {
		val := it.Text
		switch {
		case len(it.Items) > 0:
			val = "（" + flatten(it.Items) + "）"
		case len(it.Rows) > 0:
			var rs []string
			for _, r := range it.Rows {
				rs = append(rs, "（"+flatten(r)+"）")
			}
			val = strings.Join(rs, "")
		case len(it.List) > 0:
			val = strings.Join(it.List, "、")
		}
		parts = append(parts, it.Label+"："+val)
	}
	return strings.Join(parts, "；")
}
