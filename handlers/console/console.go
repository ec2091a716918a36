// Package console is the signed-in pages of legal staff and leaders: the
// work queue, the decision page with the forms of its acts, the audit
// trail, the dashboard, notifications and reminders, the procedure and the
// printable process record. Every page keeps one order — identify, load,
// decode, validate, apply, one response call — and never writes SQL; every
// act goes through store.Apply.
package console

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"decisiond/handlers/auth"
	"decisiond/handlers/httpx"
	"decisiond/handlers/templates"
	"decisiond/store"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// Console holds what the pages need.
type Console struct {
	db   *store.DB
	proc *workflow.Procedure
	auth *auth.Auth
	bg   *Background
}

// New builds the console. bg is the background work whose results the
// pages show (the chain badge); nil shows none yet.
func New(db *store.DB, proc *workflow.Procedure, au *auth.Auth, bg *Background) *Console {
	if bg == nil {
		bg = NewBackground(db, BackgroundOptions{})
	}
	return &Console{db: db, proc: proc, auth: au, bg: bg}
}

// page starts the view of a signed-in page: the person, their unread
// notifications, when their session ends, the navigation item.
func (k *Console) page(c *gin.Context, nav string) (*templates.View, lang) {
	v := templates.NewView(c.Request, "")
	v.User = auth.ViewUser(c)
	v.Nav = nav
	if v.User != nil {
		a := httpx.Actor(c)
		v.User.Unread, _ = k.db.Unread(c.Request.Context(), a.UserID)
		v.User.Leader = mayDashboard(a)
		v.User.SessionEnds = k.auth.SessionEnds(c)
		if !v.User.SessionEnds.IsZero() {
			v.User.SessionLeft = int(v.User.SessionEnds.Sub(k.db.Now()).Seconds())
		}
	}
	return v, lang{v: v, p: k.proc}
}

// isAdmin reports whether the actor is one of the three administrators.
func isAdmin(a workflow.Actor) bool {
	return slices.ContainsFunc(workflow.AdminRoles, a.Has)
}

// ---- the work queue (工作台) ----

type tabLink struct {
	Code, Label, URL string
	Current          bool
}

type stageCount struct {
	Label, URL string
	N          int
	Current    bool
}

type queueRow struct {
	No                  int
	ID                  int64
	Title, Unit, Stage  string
	Deadline, DueOn     string
	Overdue             bool
	Event, Change, When string
}

type queueView struct {
	Admin      bool
	Roles      []string
	Tab        string
	Tabs       []tabLink
	Stages     []stageCount
	Q, Since   string
	Until      string
	Unit       string
	Stage      string
	UnitOpts   []option
	StageOpts  []option
	Rows       []queueRow
	Pager      pager
	ResetURL   string
	EmptyLabel string
}

// Home: GET / — the work queue: 待办 (awaiting an act of this person, with
// the deadline of each, overdue first), 已办 (acts this person took), 我发起的
// (proposals they recorded); counts per stage; a search form over title,
// unit, stage and dates; paginated tables with 序号 first and 操作 last.
func (k *Console) Home(c *gin.Context) {
	a := httpx.Actor(c)
	v, l := k.page(c, "queue")
	v.Title = v.T("工作台", "Work queue")
	var inv workflow.Invalid
	tab := c.DefaultQuery("tab", "todo")
	if tab != "todo" && tab != "done" && tab != "mine" {
		inv.Add("tab", "应为 todo、done 或 mine", "must be todo, done or mine")
	}
	f := store.QueueFilter{UnitID: httpx.QueryID(c, "unit", &inv), State: httpx.QueryState(c, "stage", &inv),
		Since: httpx.QueryTime(c, "since", &inv), Until: httpx.QueryUntil(c, "until", &inv), Page: httpx.PageOf(c, &inv)}
	if s := c.Query("q"); s != "" {
		f.Text = &s
	}
	if err := inv.Err(); err != nil {
		httpx.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	qv := queueView{Admin: isAdmin(a), Tab: tab, Q: c.Query("q"), Since: c.Query("since"), Until: c.Query("until"),
		Unit: c.Query("unit"), Stage: c.Query("stage"), ResetURL: "/?tab=" + tab}
	for _, r := range a.Roles {
		qv.Roles = append(qv.Roles, l.L(workflow.RoleLabel(string(r))))
	}
	if qv.Admin {
		v.Data = qv
		auth.Render(c, http.StatusOK, "console/home", v)
		return
	}
	counts, err := k.db.StageCounts(ctx, a)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	units, err := k.db.Units(ctx)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	q := c.Request.URL.Query()
	for _, t := range []struct{ code, zh, en string }{{"todo", "待办", "To do"}, {"done", "已办", "Done"}, {"mine", "我发起的", "Started by me"}} {
		qv.Tabs = append(qv.Tabs, tabLink{Code: t.code, Label: v.T(t.zh, t.en), URL: "/?tab=" + t.code, Current: t.code == tab})
	}
	for _, s := range workflow.States {
		if n := counts[s.Code]; n > 0 {
			qv.Stages = append(qv.Stages, stageCount{Label: v.T(s.ZH, s.EN), N: n, URL: "/?tab=" + tab + "&stage=" + string(s.Code), Current: qv.Stage == string(s.Code)})
		}
		qv.StageOpts = append(qv.StageOpts, option{Value: string(s.Code), Label: v.T(s.ZH, s.EN), Selected: qv.Stage == string(s.Code)})
	}
	for _, u := range units {
		id := strconv.FormatInt(u.ID, 10)
		qv.UnitOpts = append(qv.UnitOpts, option{Value: id, Label: u.Name, Selected: qv.Unit == id})
	}
	unitName := map[int64]string{}
	for _, u := range units {
		unitName[u.ID] = u.Name
	}
	limit, offset := f.Norm()
	var total int
	switch tab {
	case "done":
		items, n, err := k.db.Done(ctx, a, f)
		if err != nil {
			httpx.Fail(c, err)
			return
		}
		total = n
		for i, it := range items {
			change := l.state(workflow.State(it.From)) + " → " + l.state(workflow.State(it.To))
			if it.From == it.To || it.From == "" {
				change = v.T("阶段未变：", "stage unchanged: ") + l.state(workflow.State(it.To))
			}
			qv.Rows = append(qv.Rows, queueRow{No: offset + i + 1, ID: it.DecisionID, Title: it.Title, Stage: l.state(workflow.State(it.State)),
				Event: l.L(workflow.EventLabel(k.proc, it.Event)), Change: change, When: storedClock(it.At)})
		}
		qv.EmptyLabel = v.T("没有已办事项。", "You have not acted on any decision yet.")
	default:
		qt := store.TabTodo
		qv.EmptyLabel = v.T("没有待办事项。", "Nothing awaits you.")
		if tab == "mine" {
			qt, qv.EmptyLabel = store.TabMine, v.T("您没有登记过决策事项建议。", "You have not recorded any proposal.")
		}
		items, n, err := k.db.Queue(ctx, a, qt, f)
		if err != nil {
			httpx.Fail(c, err)
			return
		}
		total = n
		for i, it := range items {
			row := queueRow{No: offset + i + 1, ID: it.ID, Title: it.Title, Stage: l.state(it.State), When: clock(it.CreatedAt)}
			if it.UndertakingUnitID != nil {
				row.Unit = unitName[*it.UndertakingUnitID]
			}
			if len(it.Deadlines) > 0 {
				d := it.Deadlines[0]
				row.Deadline, row.DueOn, row.Overdue = v.T(d.ZH, d.EN), d.DueOn, d.Overdue
			}
			qv.Rows = append(qv.Rows, row)
		}
	}
	qv.Pager = newPager(v, "/", q, f.Page.Page, limit, total)
	v.Data = qv
	auth.Render(c, http.StatusOK, "console/home", v)
}

// mayDashboard: the dashboard is the leaders' (and their office's).
func mayDashboard(a workflow.Actor) bool {
	return a.Has(workflow.RoleLeader) || a.Has(workflow.RoleOffice)
}

// back is a same-site path to return to, or def.
func back(s, def string) string {
	if s == "" || s[0] != '/' || len(s) > 1 && (s[1] == '/' || s[1] == '\\') {
		return def
	}
	if u, err := url.Parse(s); err != nil || u.Host != "" || u.Scheme != "" {
		return def
	}
	return s
}
