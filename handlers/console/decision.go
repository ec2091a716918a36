package console

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"decisiond/handlers/auth"
	"decisiond/handlers/httpx"
	"decisiond/handlers/templates"
	"decisiond/store"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
	"github.com/sergi/go-diff/diffmatchpatch"
)

// ---- the decision page ----

type stepView struct {
	Label, Status, StatusLabel, Reason, Class string
}

type draftView struct {
	No               int
	At, Note, Author string
	Hash             string
	Text             string
	Current          bool
}

type diffPart struct {
	Op   string // "", "ins", "del"
	Text string
}

type diffView struct {
	From, To int
	Parts    []diffPart
	Same     bool
	Options  []option
	OptTo    []option
}

type recordView struct {
	No                int64
	Code              string
	Event, Who, When  string
	Data              []dataItem
	DraftNo           string
	StateChangedLabel string
}

type stageView struct {
	Label   string
	Records []recordView
}

type timelineRow struct {
	No                                                    int
	Event, Who, Received, Finished, Took, Opinion, Result string
}

type deadlineView struct {
	Label, DueOn, Article string
	Overdue               bool
}

// actForm is the form of one act the person may take now.
type actForm struct {
	Event, Label, Article string
	Action                string
	Open                  bool
	Version               int64
	Fields                []formField
	Problem               string   // the refusal's message (a rule, a conflict)
	Summary               []string // every field error, linked
	Conflict              bool
	Reload                string
}

type remindForm struct {
	Show    bool
	Open    bool
	Message string
	Error   string
}

type decisionView struct {
	ID                           int64
	Title, State, Organ, Unit    string
	Version                      int64
	Terminal                     bool
	Flags                        []dataItem
	Progress                     []stepView
	OffLine                      string
	Drafts                       []draftView
	Current                      *draftView
	Diff                         *diffView
	Stages                       []stageView
	Timeline                     []timelineRow
	Deadlines                    []deadlineView
	Forms                        []actForm
	Remind                       remindForm
	Done                         string
	AuditURL, PrintURL, DiffPath string
	Admin                        bool
	// Comments: the public's comments received online (nil when the
	// decision never opened a comment period).
	Comments *commentSummary
}

// actState is a submitted form to show again: what was typed and why it
// was refused.
type actState struct {
	Event    string
	Values   workflow.Values
	More     string
	Err      *workflow.Error
	Conflict bool
	Version  int64
}

// Decision: GET /decisions/{id} — the decision page.
func (k *Console) Decision(c *gin.Context) {
	d, ok := k.decisionOf(c)
	if !ok {
		return
	}
	var inv workflow.Invalid
	from, to := httpx.QueryInt(c, "from", &inv), httpx.QueryInt(c, "to", &inv)
	if err := inv.Err(); err != nil {
		httpx.Fail(c, err)
		return
	}
	k.renderDecision(c, http.StatusOK, d, nil, nil, from, to)
}

// decisionOf loads the decision of the path's id that the person may see;
// otherwise it writes the refusal (404) and reports false.
func (k *Console) decisionOf(c *gin.Context) (*workflow.Decision, bool) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return nil, false
	}
	d, err := k.db.Decision(c.Request.Context(), httpx.Actor(c), id)
	if err != nil {
		httpx.Fail(c, err)
		return nil, false
	}
	return d, true
}

// renderDecision writes the decision page; st is a refused form to show
// again (nil: none), rm a refused reminder.
func (k *Console) renderDecision(c *gin.Context, status int, d *workflow.Decision, st *actState, rm *remindForm, from, to int) {
	ctx := c.Request.Context()
	a := httpx.Actor(c)
	v, l := k.page(c, "queue")
	v.Title = d.Title
	dv, err := k.decisionView(ctx, l, a, d, from, to)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	if done := c.Query("done"); done != "" {
		dv.Done = v.T("已办理：", "Done: ") + l.L(workflow.EventLabel(k.proc, done))
	}
	var opinions []store.Opinion
	dv.Comments, opinions = k.commentsOf(ctx, a, d)
	for i := range dv.Forms {
		f := &dv.Forms[i]
		def, _ := k.proc.Event(f.Event)
		fc := k.formCtx(ctx, l, f.Event, d, dv)
		if f.Event == workflow.EvCompleteParticipation && len(opinions) > 0 {
			// The adoption report starts from the main opinions the
			// comments were grouped into, each naming its comments.
			fc.vals = reportFromOpinions(opinions)
		}
		if st != nil && st.Event == f.Event {
			f.Open = true
			fc.vals, fc.more = st.Values, st.More
			if st.Conflict {
				f.Conflict, f.Version = true, st.Version
				f.Reload = fmt.Sprintf("/decisions/%d", d.ID)
			}
			if st.Err != nil {
				e := st.Err
				if p, ok := ruleFields[e.Code]; ok && len(e.Fields) == 0 {
					fc.errs[p] = append(fc.errs[p], v.T(e.ZH, e.EN))
				}
				for _, fe := range e.Fields {
					fc.errs[fe.Field] = append(fc.errs[fe.Field], v.T(fe.ZH, fe.EN))
				}
				if len(e.Fields) == 0 {
					f.Problem = v.T(e.ZH, e.EN)
				} else {
					f.Problem = v.T("请按提示修改以下各项：", "Please correct the following:")
				}
			}
		}
		f.Fields = fc.build(def.Fields, "", false)
		if st != nil && st.Event == f.Event && st.Err != nil {
			for _, fe := range st.Err.Fields {
				info := workflow.FieldLabel(f.Event, fe.Field)
				f.Summary = append(f.Summary, v.T(info.ZH, info.EN)+"（"+fe.Field+"）："+v.T(fe.ZH, fe.EN))
				if !fc.used[fe.Field] {
					f.Problem += " " + v.T(fe.ZH, fe.EN)
				}
			}
		}
	}
	if rm != nil {
		dv.Remind.Open, dv.Remind.Message, dv.Remind.Error = true, rm.Message, rm.Error
	}
	v.Data = dv
	auth.Render(c, status, "console/decision", v)
}

func (k *Console) formCtx(ctx context.Context, l lang, event string, d *workflow.Decision, dv *decisionView) *formCtx {
	fc := &formCtx{l: l, event: event, vals: workflow.Values{}, errs: map[string][]string{}, used: map[string]bool{}}
	units, _ := k.db.Units(ctx)
	for _, u := range units {
		if u.Kind == "unit" && workflow.OrganOf(unitIndex(units), u.ID) == d.OrganID {
			fc.units = append(fc.units, u)
		}
	}
	for _, s := range dv.Stages {
		for _, r := range s.Records {
			if r.Code == workflow.EvReportIssue {
				fc.issues = append(fc.issues, option{Value: strconv.FormatInt(r.No, 10), Label: fmt.Sprintf("#%d %s %s", r.No, r.When, r.Who)})
			}
		}
	}
	return fc
}

func unitIndex(us []workflow.Unit) map[int64]workflow.Unit {
	m := make(map[int64]workflow.Unit, len(us))
	for _, u := range us {
		m[u.ID] = u
	}
	return m
}

// decisionView gathers the decision page: progress, drafts and their
// difference, records by stage, the timeline, deadlines, and the acts the
// person may take now.
func (k *Console) decisionView(ctx context.Context, l lang, a workflow.Actor, d *workflow.Decision, from, to int) (*decisionView, error) {
	v := l.v
	units, err := k.db.UnitMap(ctx)
	if err != nil {
		return nil, err
	}
	drafts, err := k.db.Drafts(ctx, a, d.ID)
	if err != nil {
		return nil, err
	}
	records, err := k.db.Records(ctx, a, d.ID)
	if err != nil {
		return nil, err
	}
	deadlines, err := k.db.Deadlines(ctx, a, d.ID)
	if err != nil {
		return nil, err
	}
	sd, _ := workflow.StateByCode(d.State)
	dv := &decisionView{ID: d.ID, Title: d.Title, State: v.T(sd.ZH, sd.EN), Version: d.Version, Terminal: sd.Terminal,
		Organ: units[d.OrganID].Name, AuditURL: fmt.Sprintf("/audit?decision=%d", d.ID), PrintURL: fmt.Sprintf("/decisions/%d/print", d.ID),
		DiffPath: fmt.Sprintf("/decisions/%d", d.ID), Admin: isAdmin(a)}
	if d.UndertakingUnitID != nil {
		dv.Unit = units[*d.UndertakingUnitID].Name
	}
	flags, _ := json.Marshal(d.Flags)
	dv.Flags = readable(l, workflow.EvAmendFlags, flags, units)

	// progress over the main line
	for _, s := range workflow.Progress(d.State, records) {
		sv := stepView{Label: v.T(s.State.ZH, s.State.EN), Status: s.Status, Reason: s.Reason, Class: "step-" + s.Status}
		sv.StatusLabel = map[string]string{workflow.StepDone: v.T("已完成", "done"), workflow.StepCurrent: v.T("当前阶段", "current"),
			workflow.StepWaived: v.T("依法免于", "waived"), workflow.StepAhead: v.T("未开始", "ahead")}[s.Status]
		dv.Progress = append(dv.Progress, sv)
	}
	if !slices.Contains(workflow.MainLine, d.State) {
		dv.OffLine = v.T("当前状态不在主流程上：", "Off the main line: ") + v.T(sd.ZH, sd.EN)
	}

	// drafts, the current one and the difference between two versions
	authors := map[int64]string{}
	for _, r := range records {
		authors[r.ActorID] = r.ActorName
	}
	for _, dr := range drafts {
		dv.Drafts = append(dv.Drafts, draftView{No: dr.No, At: clock(dr.At), Note: dr.Note, Author: authors[dr.AuthorID], Hash: dr.SHA256[:min(12, len(dr.SHA256))],
			Text: dr.Text, Current: dr.SHA256 == d.CurrentDraftHash})
	}
	if n := len(dv.Drafts); n > 0 {
		dv.Current = &dv.Drafts[n-1]
		for i := range dv.Drafts {
			if dv.Drafts[i].Current {
				dv.Current = &dv.Drafts[i]
			}
		}
		if n >= 2 {
			if from == 0 || to == 0 {
				from, to = dv.Drafts[n-2].No, dv.Drafts[n-1].No
			}
			dv.Diff = draftDiff(drafts, from, to)
			for _, dr := range drafts {
				s := strconv.Itoa(dr.No)
				dv.Diff.Options = append(dv.Diff.Options, option{Value: s, Label: v.T("第"+s+"版", "version "+s), Selected: dr.No == dv.Diff.From})
				dv.Diff.OptTo = append(dv.Diff.OptTo, option{Value: s, Label: v.T("第"+s+"版", "version "+s), Selected: dr.No == dv.Diff.To})
			}
		}
	}

	// records by stage, and the timeline
	byStage := map[workflow.State][]recordView{}
	var order []workflow.State
	creator := ""
	if u, err := k.db.UserByID(ctx, d.CreatedBy); err == nil {
		creator = u.DisplayName
	}
	dv.Timeline = append(dv.Timeline, timelineRow{No: 1, Event: v.T("登记决策事项建议", "proposal recorded"), Who: creator,
		Received: clock(d.CreatedAt), Finished: clock(d.CreatedAt), Took: "—", Result: l.state(workflow.StProposed)})
	prev := d.CreatedAt
	for i, r := range records {
		rv := recordView{No: r.ID, Code: r.Event, Event: l.L(workflow.EventLabel(k.proc, r.Event)), Who: r.ActorName, When: clock(r.At),
			Data: readable(l, r.Event, r.Data, units)}
		var m map[string]any
		_ = json.Unmarshal(r.Data, &m)
		if n, ok := m["draft_no"].(float64); ok {
			rv.DraftNo = v.T(fmt.Sprintf("第%d版", int(n)), fmt.Sprintf("version %d", int(n)))
		}
		if r.From != r.To {
			rv.StateChangedLabel = l.state(r.From) + " → " + l.state(r.To)
		}
		if _, ok := byStage[r.From]; !ok {
			order = append(order, r.From)
		}
		byStage[r.From] = append(byStage[r.From], rv)
		result := rv.Event
		if r.From != r.To {
			result += " → " + l.state(r.To)
		}
		dv.Timeline = append(dv.Timeline, timelineRow{No: i + 2, Event: rv.Event, Who: r.ActorName, Received: clock(prev),
			Finished: clock(r.At), Took: took(v, r.At.Sub(prev)), Opinion: opinionOf(l, m), Result: result})
		prev = r.At
	}
	rank := func(s workflow.State) int {
		for i, x := range workflow.States {
			if x.Code == s {
				return i
			}
		}
		return len(workflow.States)
	}
	sort.SliceStable(order, func(i, j int) bool { return rank(order[i]) < rank(order[j]) })
	for _, s := range order {
		dv.Stages = append(dv.Stages, stageView{Label: l.state(s), Records: byStage[s]})
	}

	for _, dl := range deadlines {
		dv.Deadlines = append(dv.Deadlines, deadlineView{Label: v.T(dl.ZH, dl.EN), DueOn: dl.DueOn, Article: dl.Article, Overdue: dl.Overdue})
	}

	// the acts this person may take now
	if !isAdmin(a) {
		for _, ev := range k.proc.Available(d.State, a) {
			def, _ := k.proc.Event(ev)
			dv.Forms = append(dv.Forms, actForm{Event: ev, Label: v.T(def.ZH, def.EN), Article: def.Article, Version: d.Version,
				Action: fmt.Sprintf("/decisions/%d/acts/%s", d.ID, ev)})
		}
	}
	dv.Remind.Show = a.Has(workflow.RoleOffice) && !sd.Terminal && d.UndertakingUnitID != nil
	return dv, nil
}

// opinionKeys are the data keys that hold an act's opinion or result, in
// the order they are looked for.
var opinionKeys = []string{"outcome", "recommendation", "reason", "note", "legal_basis", "urgent_reason", "summary", "progress", "detail",
	"launch_ref", "doc_no", "message", "adoption_explanation", "contingency_plan"}

// opinionOf sums up an act's opinion and result for the timeline.
func opinionOf(l lang, m map[string]any) string {
	var parts []string
	for _, k := range opinionKeys {
		if s, ok := m[k].(string); ok && strings.TrimSpace(s) != "" {
			parts = append(parts, l.L(workflow.EnumLabel(k, s)))
		}
		if len(parts) == 2 {
			break
		}
	}
	if o, ok := m["findings"].(map[string]any); ok && len(parts) < 2 {
		if s, ok := o["content"].(string); ok {
			parts = append(parts, s)
		}
	}
	if mt, ok := m["meeting"].(map[string]any); ok {
		if s, ok := mt["decision"].(string); ok {
			parts = append(parts, s)
		}
	}
	return trimText(strings.Join(parts, "；"), 80)
}

// draftDiff is the character-level difference between two draft versions
// (Chinese has no spaces between words, so words are no unit).
func draftDiff(drafts []workflow.Draft, from, to int) *diffView {
	var a, b *workflow.Draft
	for i := range drafts {
		if drafts[i].No == from {
			a = &drafts[i]
		}
		if drafts[i].No == to {
			b = &drafts[i]
		}
	}
	dv := &diffView{From: from, To: to}
	if a == nil || b == nil {
		return dv
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 2 * time.Second
	diffs := dmp.DiffCleanupSemantic(dmp.DiffMain(a.Text, b.Text, false))
	dv.Same = true
	for _, d := range diffs {
		p := diffPart{Text: d.Text}
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			p.Op, dv.Same = "ins", false
		case diffmatchpatch.DiffDelete:
			p.Op, dv.Same = "del", false
		}
		dv.Parts = append(dv.Parts, p)
	}
	return dv
}

// ---- acts ----

// Act: POST /decisions/{id}/acts/{event} — one act from its generated
// form, through store.Apply like every act. A refusal shows the page again
// with the form open, the message next to the field it concerns and
// everything typed kept; a stale form gets the version-conflict message and
// a reload link.
func (k *Console) Act(c *gin.Context) {
	a := httpx.Actor(c)
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	event := c.Param("event")
	def, ok := k.proc.Event(event)
	if !ok {
		httpx.Fail(c, workflow.Errorf(workflow.CodeNotFound, "没有此事项操作", "no such act"))
		return
	}
	if err := k.proc.CheckRole(event, a); err != nil {
		httpx.Fail(c, err)
		return
	}
	d, err := k.db.Decision(c.Request.Context(), a, id)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	form, err := httpx.ParseForm(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	data := workflow.DecodeForm(def.Fields, form)
	st := &actState{Event: event, Values: workflow.EncodeForm(def.Fields, data), More: first(form, "_more")}
	if st.More != "" {
		st.Values = form // the rows as typed, blank ones included, and one more
		k.renderDecision(c, http.StatusOK, d, st, nil, 0, 0)
		return
	}
	version, err := strconv.ParseInt(first(form, "expected_version"), 10, 64)
	if err != nil || version < 1 {
		st.Err = &workflow.Error{Code: workflow.CodeValidationFailed, ZH: "表单缺少决策版本号，请重新载入页面后再办理", EN: "the form carries no decision version; reload the page and try again"}
		k.renderDecision(c, http.StatusBadRequest, d, st, nil, 0, 0)
		return
	}
	if _, err := k.db.Apply(c.Request.Context(), id, workflow.Act{Event: event, Data: data, Actor: a}, version); err != nil {
		e, ok := workflow.AsError(err)
		if !ok || e.Code == workflow.CodeInternal || e.Code == workflow.CodeNotFound {
			httpx.Fail(c, err)
			return
		}
		st.Err, st.Conflict, st.Version = e, e.Code == workflow.CodeVersionConflict, version
		if e.Code == workflow.CodeForbidden {
			c.Set(httpx.RefusalRuleKey, e.Rule) // the security log names the rule
		}
		k.renderDecision(c, httpx.StatusOf(e.Code), d, st, nil, 0, 0)
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/decisions/%d?done=%s", id, event))
}

// Remind: POST /decisions/{id}/remind — the office's reminder (催办) to the
// undertaking unit, an audited act.
func (k *Console) Remind(c *gin.Context) {
	a := httpx.Actor(c)
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	form, err := httpx.ParseForm(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	msg := first(form, "message")
	if _, err := k.db.Remind(c.Request.Context(), a, id, msg); err != nil {
		e, ok := workflow.AsError(err)
		d, derr := k.db.Decision(c.Request.Context(), a, id)
		if !ok || derr != nil || e.Code == workflow.CodeInternal || e.Code == workflow.CodeForbidden || e.Code == workflow.CodeNotFound {
			httpx.Fail(c, err)
			return
		}
		v := templates.NewView(c.Request, "")
		text := v.T(e.ZH, e.EN)
		for _, fe := range e.Fields {
			text = v.T(fe.ZH, fe.EN)
		}
		k.renderDecision(c, httpx.StatusOf(e.Code), d, nil, &remindForm{Message: msg, Error: text}, 0, 0)
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/decisions/%d?done=%s", id, workflow.EvRemind))
}

// first is a form's first value of name ("" when absent).
func first(form map[string][]string, name string) string {
	if vs := form[name]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// ---- the printable process record (决策过程记录) ----

type printView struct {
	*decisionView
	Today    string
	Opinions []dataItem
	Meeting  []dataItem
}

// Print: GET /decisions/{id}/print — the decision process record laid out
// per GB/T 9704 (A4, official margins and fonts, Chinese dates, page
// numbers as — 1 —).
func (k *Console) Print(c *gin.Context) {
	a := httpx.Actor(c)
	d, ok := k.decisionOf(c)
	if !ok {
		return
	}
	v, l := k.page(c, "queue")
	v.Title = d.Title + v.T("决策过程记录", " — decision process record")
	v.Class = "print"
	dv, err := k.decisionView(c.Request.Context(), l, a, d, 0, 0)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	v.Data = printView{decisionView: dv, Today: store.ChineseDate(workflow.DateOf(k.db.Now()))}
	auth.Render(c, http.StatusOK, "console/print", v)
}
