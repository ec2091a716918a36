package console

import (
	"fmt"
	"net/http"

	"decisiond/handlers/auth"
	"decisiond/handlers/httpx"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// ---- the leaders' dashboard (领导看板) ----

// bar is one bar of a chart drawn server-side as SVG.
type bar struct {
	Label, Class string
	N            int
	Y, W, TextX  int
}

// chart is a horizontal bar chart with its text equivalent (the table
// the template prints under it).
type chart struct {
	ID, Title, Desc string
	Width, Height   int
	LabelW          int
	Bars            []bar
	Total           int
}

// newChart lays out bars (label width 190 px, 28 px per bar).
func newChart(id, title, desc string, bars []bar) chart {
	c := chart{ID: id, Title: title, Desc: desc, Width: 640, LabelW: 190, Bars: bars}
	maxN := 1
	for _, b := range bars {
		maxN = max(maxN, b.N)
		c.Total += b.N
	}
	for i := range c.Bars {
		c.Bars[i].Y = 8 + i*28
		c.Bars[i].W = max(2, c.Bars[i].N*(c.Width-c.LabelW-60)/maxN)
		c.Bars[i].TextX = c.LabelW + c.Bars[i].W + 8
		if c.Bars[i].Class == "" {
			c.Bars[i].Class = "bar"
		}
	}
	c.Height = 16 + len(bars)*28
	return c
}

type overdueRow struct {
	No                     int
	ID                     int64
	Title, Stage, Deadline string
	DueOn                  string
}

type dashboardView struct {
	Stages, Outcomes chart
	Overdue, Stuck   []overdueRow
	OverdueTotal     int
	// Catalogue is the year's catalogue progress (完成情况 of its items);
	// nil when the organ has published no catalogue for the year.
	Catalogue     *chart
	CatalogueLate []overdueRow
	CatalogueYear int
	CatalogueURL  string
}

// completionOrder lists the catalogue's 完成情况 codes as the chart shows them.
var completionOrder = []struct{ code, zh, en, class string }{
	{workflow.CompletionCompleted, "已完成", "completed", "bar"},
	{workflow.CompletionInProgress, "推进中", "in progress", "bar"},
	{workflow.CompletionNotStarted, "未启动", "not started", "bar bar-ended"},
	{workflow.CompletionEnded, "未完成", "not completed", "bar bar-bad"},
	{workflow.CompletionRemoved, "已调出目录", "removed from the catalogue", "bar bar-ended"},
}

// Dashboard: GET /dashboard — for leaders and their office: decisions per
// stage, overdue and stuck (久拖不决) decisions, legality-review outcomes;
// charts drawn server-side as SVG with the same figures as tables.
func (k *Console) Dashboard(c *gin.Context) {
	a := httpx.Actor(c)
	if !mayDashboard(a) {
		httpx.Fail(c, &workflow.Error{Code: workflow.CodeForbidden, Rule: "role_required",
			ZH: "领导看板仅供决策机关领导和办公厅（室）使用", EN: "the dashboard is for the organ's leaders and its general office"})
		return
	}
	ctx := c.Request.Context()
	counts, err := k.db.StageCounts(ctx, a)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	outcomes, err := k.db.LegalityOutcomes(ctx, a)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	overdue, total, err := k.db.OverdueDeadlines(ctx, a, 200)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	v, l := k.page(c, "dashboard")
	v.Title = v.T("领导看板", "Dashboard")
	var stageBars []bar
	for _, s := range workflow.States {
		if n := counts[s.Code]; n > 0 || !s.Terminal {
			cls := "bar"
			if s.Terminal {
				cls = "bar bar-ended"
			}
			stageBars = append(stageBars, bar{Label: v.T(s.ZH, s.EN), N: n, Class: cls})
		}
	}
	var outcomeBars []bar
	for _, o := range []string{workflow.OutcomeLegal, workflow.OutcomeLegalWithRevisions, workflow.OutcomeExploratoryWithRisk, workflow.OutcomeIllegal} {
		cls := "bar"
		if o == workflow.OutcomeIllegal {
			cls = "bar bar-bad"
		}
		outcomeBars = append(outcomeBars, bar{Label: l.L(workflow.EnumLabel("outcome", o)), N: outcomes[o], Class: cls})
	}
	dv := dashboardView{OverdueTotal: total,
		Stages: newChart("chart-stages", v.T("各阶段决策事项数", "Decisions per stage"),
			v.T("横条长度表示处于该阶段的决策事项数量，数字见下表。", "Each bar's length is the number of decisions in that stage; the table below gives the figures."), stageBars),
		Outcomes: newChart("chart-outcomes", v.T("合法性审查结论", "Legality-review outcomes"),
			v.T("横条长度表示各审查结论的意见数量。", "Each bar's length is the number of opinions with that outcome."), outcomeBars)}
	for _, o := range overdue {
		r := overdueRow{ID: o.DecisionID, Title: o.Title, Stage: l.state(o.State), Deadline: v.T(o.ZH, o.EN), DueOn: o.DueOn}
		if o.Kind == workflow.DlStuck {
			r.No = len(dv.Stuck) + 1
			dv.Stuck = append(dv.Stuck, r)
		} else {
			r.No = len(dv.Overdue) + 1
			dv.Overdue = append(dv.Overdue, r)
		}
	}
	// The year's catalogue: 完成情况 of each item, derived from the linked
	// decisions' states (the catalogue's own plan-against-actual report).
	units, err := k.db.UnitMap(ctx)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	dv.CatalogueYear = workflow.DateOf(k.db.Now()).Year()
	report, err := k.db.CatalogueReport(ctx, a, workflow.OrganOf(units, a.UnitID), dv.CatalogueYear)
	switch code := workflow.ErrorCode(err); {
	case err == nil:
		var bars []bar
		for _, co := range completionOrder {
			bars = append(bars, bar{Label: v.T(co.zh, co.en), N: report.Counts[co.code], Class: co.class})
		}
		ch := newChart("chart-catalogue", v.T(fmt.Sprintf("%d年度决策事项目录完成情况", dv.CatalogueYear), fmt.Sprintf("The %d catalogue's items", dv.CatalogueYear)),
			v.T("横条长度表示处于各完成情况的目录事项数。", "Each bar's length is the number of catalogue items in that state."), bars)
		dv.Catalogue = &ch
		dv.CatalogueURL = fmt.Sprintf("/public/catalogues/%d/report", dv.CatalogueYear)
		for _, it := range report.Overdue {
			r := overdueRow{No: len(dv.CatalogueLate) + 1, Title: it.Name, Stage: v.T(it.Completion.Text, it.Completion.TextEN), DueOn: it.Completion.Due}
			if len(it.Completion.DecisionIDs) > 0 {
				r.ID = it.Completion.DecisionIDs[0]
			}
			dv.CatalogueLate = append(dv.CatalogueLate, r)
		}
	case code == workflow.CodeNotFound, code == workflow.CodeForbidden:
		// no published catalogue this year, or none the person may report on
	default:
		httpx.Fail(c, err)
		return
	}
	v.Data = dv
	auth.Render(c, http.StatusOK, "console/dashboard", v)
}
