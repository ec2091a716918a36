package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"decisiond/handlers/auth"
	"decisiond/handlers/httpx"
	"decisiond/store"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// ---- the public's comments (公众意见), the drafter's side ----
//
// The comments of a decision received online, searchable and filtered by
// how they stand; the undertaking unit groups them into main opinions
// (主要意见) or marks them (duplicate / off-topic / abusive, with the
// reason) — one audited act per submission. The complete_participation
// form then starts from the main opinions, each naming its comments.

type commentRowView struct {
	No                  int
	ID                  int64
	Receipt, At, Text   string
	Name, Contact       string
	Source, Draft       string
	Status, StatusClass string
	Handled             string
	Selected            bool
	// The attachment: its name, size and download link ("" when none).
	Attachment, AttachmentSize, AttachmentURL string
}

type opinionView struct {
	Opinion string
	N       int
	URL     string
}

type markView struct {
	Label string
	N     int
}

type handlingForm struct {
	Kind, Opinion, Reason, DuplicateOf string
	Problem                            string
	Errors                             []string
}

type commentsView struct {
	ID                  int64
	Title, State        string
	DecisionURL, Path   string
	Q, Status, Opinion  string
	All                 bool
	StatusOpts          []option
	Total, Open         int
	Grouped             int
	Marked              []markView
	Opinions            []opinionView
	Rows                []commentRowView
	Pager               pager
	Handleable, MayEdit bool
	Action, Back        string
	KindOpts            []option
	Form                handlingForm
	Done                string
	ResetURL            string
	NoRound             bool
}

// Comments: GET /decisions/{id}/comments — the decision's comments with
// the search form, the main opinions and, for the undertaking unit while
// the decision is in public participation, the handling form.
func (k *Console) Comments(c *gin.Context) {
	d, ok := k.decisionOf(c)
	if !ok {
		return
	}
	k.renderComments(c, http.StatusOK, d, nil, nil)
}

// commentFilter reads the page's filters.
func commentFilter(q url.Values) (store.CommentFilter, error) {
	var inv workflow.Invalid
	f := store.CommentFilter{}
	if s := strings.TrimSpace(q.Get("q")); s != "" {
		f.Text = &s
	}
	if s := q.Get("status"); s != "" {
		f.Status = &s
	}
	if s := q.Get("opinion"); s != "" {
		f.Opinion = &s
	}
	f.AllRounds = q.Get("all") == "1"
	if s := q.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > httpx.MaxPage {
			inv.Add("page", "应为正整数", "must be a positive integer")
		}
		f.Page.Page = n
	}
	f.PerPage = 50
	return f, inv.Err()
}

// renderComments writes the comments page; form and selected are a
// refused handling to show again (nil: none).
func (k *Console) renderComments(c *gin.Context, status int, d *workflow.Decision, form *handlingForm, selected map[int64]bool) {
	ctx := c.Request.Context()
	a := httpx.Actor(c)
	q := c.Request.URL.Query()
	if c.Request.Method == http.MethodPost {
		q, _ = url.ParseQuery(c.PostForm("back"))
	}
	f, err := commentFilter(q)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	l, err := k.db.Comments(ctx, a, d.ID, f)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	v, lg := k.page(c, "queue")
	v.Title = v.T("公众意见", "Public comments") + "：" + d.Title
	path := fmt.Sprintf("/decisions/%d/comments", d.ID)
	cv := &commentsView{ID: d.ID, Title: d.Title, State: lg.state(d.State), DecisionURL: fmt.Sprintf("/decisions/%d", d.ID), Path: path,
		Q: q.Get("q"), Status: q.Get("status"), Opinion: q.Get("opinion"), All: f.AllRounds, Total: l.Counts.Total, Open: l.Counts.Open,
		Grouped: l.Counts.Grouped, Handleable: l.Handleable, MayEdit: l.Handleable && workflow.MayHandleComments(a, *d) == nil,
		Action: path + "/handling", Back: q.Encode(), ResetURL: path, NoRound: l.Round == 0}
	if n, err := strconv.Atoi(c.Query("done")); err == nil && n > 0 && form == nil {
		cv.Done = v.T(fmt.Sprintf("已处理%d条意见，记入审计追踪。", n), fmt.Sprintf("%d comment(s) handled; recorded in the audit trail.", n))
	}
	for _, s := range []struct{ code, zh, en string }{{"", "全部", "All"}, {store.CommentOpen, "未处理", "Not yet handled"},
		{store.CommentGrouped, "已归入主要意见", "Grouped"}, {store.CommentMarked, "已标注（重复、无关、不当）", "Marked"},
		{workflow.MarkDuplicate, "重复意见", "Duplicates"}, {workflow.MarkOffTopic, "无关意见", "Off-topic"}, {workflow.MarkAbusive, "不当意见", "Abusive"}} {
		cv.StatusOpts = append(cv.StatusOpts, option{Value: s.code, Label: v.T(s.zh, s.en), Selected: s.code == cv.Status})
	}
	for _, m := range workflow.CommentMarks {
		cv.Marked = append(cv.Marked, markView{Label: lg.L(workflow.HandlingLabel(m)), N: l.Counts.Marked[m]})
	}
	for _, op := range l.Opinions {
		cv.Opinions = append(cv.Opinions, opinionView{Opinion: op.Opinion, N: len(op.CommentIDs),
			URL: path + "?" + url.Values{"opinion": {op.Opinion}}.Encode()})
	}
	for _, kd := range workflow.HandlingKinds {
		cv.KindOpts = append(cv.KindOpts, option{Value: kd, Label: lg.L(workflow.HandlingLabel(kd))})
	}
	if form != nil {
		cv.Form = *form
	}
	for i := range cv.KindOpts {
		cv.KindOpts[i].Selected = cv.KindOpts[i].Value == cv.Form.Kind
	}
	limit, offset := f.Norm()
	for i, cm := range l.Items {
		row := commentRowView{No: offset + i + 1, ID: cm.ID, Receipt: cm.Receipt, At: clock(cm.At), Text: cm.Text, Name: cm.Name,
			Contact: cm.Contact, Source: cm.Source, Draft: v.T(fmt.Sprintf("第%d版", cm.DraftNo), fmt.Sprintf("version %d", cm.DraftNo)),
			Status: v.T("未处理", "Not yet handled"), StatusClass: "open", Selected: selected[cm.ID]}
		if a := cm.Attachment; a != nil {
			row.Attachment, row.AttachmentSize, row.AttachmentURL = a.Name, sizeText(a.Size), fmt.Sprintf("%s/%d/attachment", path, cm.ID)
		}
		if h := cm.Handling; h != nil {
			switch {
			case h.Kind == workflow.HandleGroup:
				row.Status, row.StatusClass = v.T("归入主要意见：", "Grouped: ")+h.Opinion, "grouped"
			default:
				row.Status, row.StatusClass = lg.L(workflow.HandlingLabel(h.Kind))+v.T("（理由：", " (reason: ")+h.Reason+v.T("）", ")"), "marked"
				if h.DuplicateOf != nil {
					row.Status += v.T(fmt.Sprintf("，重复第%d条", *h.DuplicateOf), fmt.Sprintf(", repeats no. %d", *h.DuplicateOf))
				}
			}
			row.Handled = h.ActorName + " " + clock(h.At)
		}
		cv.Rows = append(cv.Rows, row)
	}
	cv.Pager = newPager(v, path, q, f.Page.Page, limit, l.Total)
	v.Data = cv
	auth.Render(c, status, "console/comments", v)
}

// CommentAttachment: GET /decisions/{id}/comments/{comment_id}/attachment
// — the file a comment came with, as a download, for whoever may read the
// decision's comments (404 otherwise, as for the comments page).
func (k *Console) CommentAttachment(c *gin.Context) {
	ids, ok := httpx.PathIDs(c, "id", "comment_id")
	if !ok {
		return
	}
	d, content, err := k.db.CommentAttachmentOf(c.Request.Context(), httpx.Actor(c), ids[0], ids[1])
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	httpx.Download(c, d.Name, d.MIME, d.Alg, d.Hash, content)
}

// sizeText writes a size for people: 512 B, 35 KB, 2.4 MB.
func sizeText(n int64) string {
	switch {
	case n < 1<<10:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1<<20:
		return strconv.FormatInt((n+1<<9)>>10, 10) + " KB"
	}
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
}

// HandleComments: POST /decisions/{id}/comments/handling — the form of the
// comments page: the ticked comments (c), the kind, the main opinion or
// the reason. A refusal shows the page again with the message and the
// choices kept.
func (k *Console) HandleComments(c *gin.Context) {
	a := httpx.Actor(c)
	if !a.Has(workflow.RoleUndertaking) {
		// Who before which: a role that may never handle comments is 403
		// before the decision is looked at.
		err := workflow.MayHandleComments(a, workflow.Decision{})
		c.Set(httpx.RefusalRuleKey, "role_required")
		httpx.Fail(c, err)
		return
	}
	d, ok := k.decisionOf(c)
	if !ok {
		return
	}
	form, err := httpx.ParseForm(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	hf := &handlingForm{Kind: first(form, "kind"), Opinion: first(form, "opinion"), Reason: first(form, "reason"), DuplicateOf: strings.TrimSpace(first(form, "duplicate_of"))}
	var ids []int64
	selected := map[int64]bool{}
	var inv workflow.Invalid
	for _, s := range form["c"] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			inv.Add("comments", "意见编号有误", "not a comment number")
			continue
		}
		ids = append(ids, n)
		selected[n] = true
	}
	h := workflow.Handling{Kind: hf.Kind, Opinion: hf.Opinion, Reason: hf.Reason}
	if hf.DuplicateOf != "" {
		n, err := strconv.ParseInt(hf.DuplicateOf, 10, 64)
		if err != nil || n < 1 {
			inv.Add("duplicate_of", "所重复的意见应填写意见编号", "duplicate_of must be a comment number")
		} else {
			h.DuplicateOf = &n
		}
	}
	err = inv.Err()
	if err == nil {
		var res *store.HandleResult
		if res, err = k.db.HandleComments(c.Request.Context(), a, d.ID, ids, h); err == nil {
			back := fmt.Sprintf("/decisions/%d/comments", d.ID)
			q, _ := url.ParseQuery(first(form, "back"))
			q.Set("done", strconv.Itoa(res.Handled))
			c.Redirect(http.StatusSeeOther, back+"?"+q.Encode())
			return
		}
	}
	e, ok := workflow.AsError(err)
	if !ok || e.Code == workflow.CodeInternal || e.Code == workflow.CodeNotFound {
		httpx.Fail(c, err)
		return
	}
	if e.Code == workflow.CodeForbidden {
		c.Set(httpx.RefusalRuleKey, e.Rule)
	}
	v, _ := k.page(c, "queue")
	hf.Problem = v.T(e.ZH, e.EN)
	for _, fe := range e.Fields {
		hf.Errors = append(hf.Errors, fe.Field+"："+v.T(fe.ZH, fe.EN))
	}
	k.renderComments(c, httpx.StatusOf(e.Code), d, hf, selected)
}

// commentSummary is the decision page's line on its comments.
type commentSummary struct {
	Total, Open int
	URL         string
	Handleable  bool
}

// commentsOf sums up a decision's comments for its page (nil when it
// never opened a comment period).
func (k *Console) commentsOf(ctx context.Context, a workflow.Actor, d *workflow.Decision) (*commentSummary, []store.Opinion) {
	l, err := k.db.Comments(ctx, a, d.ID, store.CommentFilter{Page: store.Page{PerPage: 1}})
	if err != nil || l.Round == 0 {
		return nil, nil
	}
	return &commentSummary{Total: l.Counts.Total, Open: l.Counts.Open, URL: fmt.Sprintf("/decisions/%d/comments", d.ID), Handleable: l.Handleable}, l.Opinions
}

// reportFromOpinions starts the complete_participation form from the main
// opinions: one adoption report item per opinion, naming its comments.
func reportFromOpinions(ops []store.Opinion) workflow.Values {
	vals := workflow.Values{}
	for i, op := range ops {
		ids := make([]string, len(op.CommentIDs))
		for j, id := range op.CommentIDs {
			ids[j] = strconv.FormatInt(id, 10)
		}
		vals[fmt.Sprintf("adoption_report[%d].opinion", i)] = []string{op.Opinion}
		vals[fmt.Sprintf("adoption_report[%d].comments", i)] = []string{strings.Join(ids, "\n")}
	}
	return vals
}
