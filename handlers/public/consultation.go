package public

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"decisiond/handlers/httpx"
	"decisiond/handlers/templates"
	"decisiond/store"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// Public participation online (公开征求意见, Art. 14–18): the drafts open
// for comment, the comment form (no sign-in, no JavaScript), the receipt
// (回执) and its page. A comment is taken only while the decision is in
// public participation and its period is open by the server's clock;
// every refused post gets its reason (the form shown again with what was
// typed), every accepted one a receipt.

// maxCommentBody bounds a comment post (a 5,000-character comment is at
// most 20 KB of UTF-8; forms encode it up to three times larger).
const maxCommentBody = 64 << 10

// LimitComments sets the per-address limiter of comment posts (nil: no
// limit). The route table configures it.
func (p *Public) LimitComments(l *httpx.Limiter) { p.comments = l }

type consultationItem struct {
	Title, Organ, Unit        string
	OpensOn, ClosesOn, Status string
	Open                      bool
	Comments                  int
	URL                       string
}

type consultationsBody struct {
	Items      []consultationItem
	ReceiptURL string
}

// statusOf says where a consultation stands, in words.
func statusOf(t templates.View, c *store.Consultation, now time.Time) string {
	switch {
	case c.Open:
		return t.T("正在征求意见", "Open for comment")
	case c.State == workflow.StPublicParticipation && workflow.DateOf(now).Before(c.Period.OpensOn):
		return t.T("尚未开始", "Not yet open")
	case c.State == workflow.StPublicParticipation:
		return t.T("已截止，正在研究处理意见", "Closed; the comments are being studied")
	}
	return t.T("已结束", "Ended")
}

// Consultations: GET /public/consultations — the decisions now in public
// participation: title, organ, undertaking unit, period, comments received.
func (p *Public) Consultations(c *gin.Context) {
	pr := readPrefs(c.Request.URL.Query())
	p.serve(c, cacheKey(c, "", pr), func(ctx context.Context, asOf time.Time) (*rendered, error) {
		cs, err := p.db.Consultations(ctx)
		if err != nil {
			return nil, err
		}
		t := templates.View{Lang: pr.lang}
		body := consultationsBody{ReceiptURL: pr.link("/public/receipts")}
		now := p.db.Now()
		for i := range cs {
			x := &cs[i]
			body.Items = append(body.Items, consultationItem{Title: x.Title, Organ: x.Organ, Unit: x.Unit,
				OpensOn: workflow.FormatDate(x.Period.OpensOn), ClosesOn: workflow.FormatDate(x.Period.ClosesOn), Status: statusOf(t, x, now),
				Open: x.Open, Comments: x.Comments, URL: pr.link("/public/consultations/" + strconv.FormatInt(x.ID, 10))})
		}
		v := p.cfg.Site.view(pr, "/public/consultations", "", t.T("公开征求意见", "Open for public comment"),
			[]Meta{{"ColumnName", "公开征求意见"}, {"ColumnType", "意见征集"}},
			[]Crumb{{t.T("站点地图", "Site map"), pr.link("/public")}}, body)
		return p.page("public/consultations", v)
	})
}

// commentForm is the comment form as shown: what was typed, and the
// refusal's reasons by field.
type commentForm struct {
	Action              string
	Text, Name, Contact string
	Errors              map[string]string
	Problem             string
	Honeypot            string
	MaxLen              int
}

type consultationBody struct {
	C                     *store.Consultation
	OpensOn, ClosesOn     string
	Status                string
	Methods               []string
	Explanation, DraftTxt []string
	Form                  *commentForm
	ReceiptURL            string
	Published             string // the published decision's page, once public
}

// Consultation: GET /public/consultations/{id} — the draft under comment
// (its version and SHA-256), its explanation, the period and the other
// channels, and the comment form while the period is open. 404 for a
// decision that never opened a comment period or is not to be disclosed.
func (p *Public) Consultation(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	pr := readPrefs(c.Request.URL.Query())
	p.serve(c, cacheKey(c, "", pr), func(ctx context.Context, asOf time.Time) (*rendered, error) {
		return p.consultationPage(ctx, id, pr, nil)
	})
}

// consultationPage renders a consultation's page; form is a refused post
// to show again (nil: an empty form).
func (p *Public) consultationPage(ctx context.Context, id int64, pr prefs, form *commentForm) (*rendered, error) {
	cs, err := p.db.Consultation(ctx, id)
	if err != nil {
		return nil, err
	}
	t := templates.View{Lang: pr.lang}
	body := consultationBody{C: cs, OpensOn: workflow.DateZH(cs.Period.OpensOn), ClosesOn: workflow.DateZH(cs.Period.ClosesOn),
		Status: statusOf(t, cs, p.db.Now()), Explanation: paragraphs(cs.Explanation), DraftTxt: paragraphs(cs.DraftText),
		ReceiptURL: pr.link("/public/receipts")}
	if pr.lang == "en" {
		body.OpensOn, body.ClosesOn = workflow.FormatDate(cs.Period.OpensOn), workflow.FormatDate(cs.Period.ClosesOn)
	}
	for _, m := range cs.Methods {
		body.Methods = append(body.Methods, t.T(workflow.EnumLabel("methods", m).ZH, workflow.EnumLabel("methods", m).EN))
	}
	if cs.Open {
		if form == nil {
			form = &commentForm{}
		}
		form.Action = "/public/consultations/" + strconv.FormatInt(id, 10) + "/comments" + pr.query("", func(q *prefs) { q.print = false })
		form.MaxLen = workflow.CommentMaxLen
		body.Form = form
	} else if form != nil {
		// The post was refused because the period is over: say so where
		// the form was, and keep what was typed for the other channels.
		body.Form = form
	}
	if refs, err := p.db.PublicDecisions(ctx); err == nil {
		for _, r := range refs {
			if r.ID == id {
				body.Published = pr.link("/public/decisions/" + strconv.FormatInt(id, 10))
			}
		}
	}
	view := p.cfg.Site.view(pr, "/public/consultations/"+strconv.FormatInt(id, 10), "", cs.Title+t.T("（征求意见稿）", " (draft for comment)"),
		[]Meta{{"ArticleTitle", cs.Title}, {"PubDate", minute(cs.StartedAt)}, {"ContentSource", cs.Unit}},
		[]Crumb{{t.T("站点地图", "Site map"), pr.link("/public")}, {t.T("公开征求意见", "Open for public comment"), pr.link("/public/consultations")}}, body)
	return p.page("public/consultation", view)
}

// commentRequest is a posted comment (form fields or JSON).
type commentRequest struct {
	Text    string `json:"text"`
	Name    string `json:"name"`
	Contact string `json:"contact"`
	Website string `json:"website"` // the honeypot (workflow.HoneypotField)
}

// PostComment: POST /public/consultations/{id}/comments — a comment of the
// public, as a form (text, name, contact) or as JSON with those fields.
// A browser gets the receipt's page (303) or the form again with the
// reasons; a client asking for JSON gets 201 {"receipt", "at"} or the
// problem: 400 validation_failed (each field), 404 not_found, 409
// consultation_closed, 413 payload_too_large, 429 rate_limited.
func (p *Public) PostComment(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	pr := readPrefs(c.Request.URL.Query())
	// Every post spends from its address's budget, refused or not; the
	// body is read even over the budget, so a browser gets its text back.
	allowed := p.comments == nil || p.comments.Allow(httpx.ClientAddr(c.Request))
	req, err := readComment(c)
	if !allowed {
		err = rateLimited(c, p.comments.Every())
	}
	if err != nil {
		p.refuse(c, id, pr, req, err)
		return
	}
	rc, err := p.db.SubmitComment(c.Request.Context(), id, workflow.NewComment{Text: req.Text, Name: req.Name, Contact: req.Contact, Honeypot: req.Website},
		httpx.ClientAddr(c.Request))
	if err != nil {
		p.refuse(c, id, pr, req, err)
		return
	}
	loc := "/public/receipts/" + rc.Receipt
	c.Header("Cache-Control", "no-store")
	if httpx.WantsHTML(c.Request) {
		q := pr.query("", func(q *prefs) { q.print = false })
		if q == "" {
			q = "?new=1"
		} else {
			q += "&new=1"
		}
		c.Redirect(http.StatusSeeOther, loc+q)
		return
	}
	c.Header("Location", loc)
	c.PureJSON(http.StatusCreated, gin.H{"receipt": rc.Receipt, "at": rc.At.In(workflow.ChinaTime).Format(time.RFC3339)})
}

// rateLimited is the refusal of a post over the address's budget (429).
func rateLimited(c *gin.Context, every time.Duration) error {
	secs := max(1, int(every.Seconds()))
	c.Header("Retry-After", strconv.Itoa(secs))
	return &workflow.Error{Code: httpx.CodeRateLimited,
		ZH: "提交过于频繁：同一网络地址短时间内提交的意见已达上限，请" + strconv.Itoa(secs) + "秒后再提交（您填写的内容已保留）",
		EN: "too many comments from this network address in a short time; submit again in " + strconv.Itoa(secs) + " s (what you typed is kept)"}
}

// readComment reads a posted comment: JSON (Content-Type
// application/json) or a form. Unknown JSON fields, bodies over
// maxCommentBody and other content types are refused.
func readComment(c *gin.Context) (commentRequest, error) {
	var req commentRequest
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxCommentBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return req, &workflow.Error{Code: httpx.CodePayloadTooLarge, ZH: "提交的内容过大（上限64KB）；意见内容不超过5000字",
			EN: "the post is too large (64 KB at most); a comment has at most 5,000 characters"}
	}
	if err != nil {
		return req, httpx.Invalid("body", "无法读取提交的内容", "could not read the body")
	}
	ct, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	switch ct {
	case "application/json":
		var probe map[string]json.RawMessage
		if err := httpx.DecodeStrict(body, &probe); err != nil {
			return req, err
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return commentRequest{}, httpx.Invalid("body", "应为 JSON 对象，字段为 text、name、contact（均为文本）",
				"a JSON object with the text fields text, name and contact is expected")
		}
	case "application/x-www-form-urlencoded", "":
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return req, httpx.Invalid("body", "表单无法解析", "the form could not be read")
		}
		req = commentRequest{Text: form.Get("text"), Name: form.Get("name"), Contact: form.Get("contact"), Website: form.Get(workflow.HoneypotField)}
	default:
		return req, httpx.Invalid("body", "请以表单或 JSON（application/json）提交意见", "post the comment as a form or as JSON (application/json)")
	}
	return req, nil
}

// refuse answers a refused post: the problem to API clients; to a browser
// the consultation's page again, with the reasons and what was typed (a
// consultation the public may not see stays a plain 404).
func (p *Public) refuse(c *gin.Context, id int64, pr prefs, req commentRequest, err error) {
	e, ok := workflow.AsError(err)
	if !httpx.WantsHTML(c.Request) || !ok || e.Code == workflow.CodeNotFound || e.Code == workflow.CodeInternal {
		httpx.Fail(c, err)
		return
	}
	t := templates.View{Lang: pr.lang}
	form := &commentForm{Text: req.Text, Name: req.Name, Contact: req.Contact, Honeypot: req.Website, Errors: map[string]string{}}
	for _, f := range e.Fields {
		form.Errors[f.Field] = t.T(f.ZH, f.EN)
	}
	if len(e.Fields) > 0 {
		form.Problem = t.T("意见未能提交，请按提示修改：", "The comment was not submitted; please correct:")
	} else {
		form.Problem = t.T("意见未能提交：", "The comment was not submitted: ") + t.T(e.ZH, e.EN)
	}
	r, rerr := p.consultationPage(c.Request.Context(), id, pr, form)
	if rerr != nil {
		httpx.Fail(c, err)
		return
	}
	// The refusal is recorded for the logs and metrics like any other.
	c.Set(httpx.RefusalCodeKey, e.Code)
	c.Header("Cache-Control", "no-store")
	c.Data(httpx.StatusOf(e.Code), r.ctype, r.body)
}

type receiptBody struct {
	R                *store.Receipt
	Fresh            bool
	At, ReportedAt   string
	Text             []string
	Adopted          string
	MarkLabel        string
	ConsultationURL  string
	DecisionURL      string
	LookupURL        string
	Number, NotFound string
}

// Receipt: GET /public/receipts/{no} — a receipt's page: the comment was
// received, on which draft (version and SHA-256), and once the adoption
// report exists how it was handled and why. Never cached by shared caches:
// the number is the only key to it.
func (p *Public) Receipt(c *gin.Context) {
	pr := readPrefs(c.Request.URL.Query())
	r, err := p.db.ReceiptOf(c.Request.Context(), c.Param("no"))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	t := templates.View{Lang: pr.lang}
	body := receiptBody{R: r, Fresh: c.Query("new") == "1", At: minute(r.At), ReportedAt: minute(r.ReportedAt), Text: paragraphs(r.Text),
		ConsultationURL: pr.link("/public/consultations/" + strconv.FormatInt(r.DecisionID, 10)), LookupURL: pr.link("/public/receipts")}
	if r.Published {
		body.DecisionURL = pr.link("/public/decisions/" + strconv.FormatInt(r.DecisionID, 10))
	}
	if r.Item != nil {
		body.Adopted = t.T("未采纳", "Not adopted")
		if r.Item.Adopted {
			body.Adopted = t.T("已采纳", "Adopted")
		}
	}
	if r.Mark != nil {
		body.MarkLabel = t.T(workflow.HandlingLabel(r.Mark.Kind).ZH, workflow.HandlingLabel(r.Mark.Kind).EN)
	}
	v := p.cfg.Site.view(pr, c.Request.URL.Path, "", t.T("意见回执", "Comment receipt")+" "+r.Receipt, []Meta{{"ColumnName", "公开征求意见"}},
		[]Crumb{{t.T("站点地图", "Site map"), pr.link("/public")}, {t.T("公开征求意见", "Open for public comment"), pr.link("/public/consultations")}}, body)
	p.private(c, "public/receipt", v, http.StatusOK)
}

// ReceiptLookup: GET /public/receipts[?no=] — the form to look a receipt
// up; a number found goes to its page (303), one not found is said so.
func (p *Public) ReceiptLookup(c *gin.Context) {
	pr := readPrefs(c.Request.URL.Query())
	t := templates.View{Lang: pr.lang}
	body := receiptBody{LookupURL: "/public/receipts", Number: strings.TrimSpace(c.Query("no"))}
	status := http.StatusOK
	if body.Number != "" {
		if no := store.NormalizeReceipt(body.Number); no != "" {
			if _, err := p.db.ReceiptOf(c.Request.Context(), no); err == nil {
				c.Redirect(http.StatusSeeOther, "/public/receipts/"+no+pr.query("", nil))
				return
			} else if !isNotFound(err) {
				httpx.Fail(c, err)
				return
			}
		}
		body.NotFound = t.T("未找到该回执编号，请核对后重新输入（格式如 20261118-7KQ3-M9XD-2FHP）。",
			"No such receipt number; check it and try again (it looks like 20261118-7KQ3-M9XD-2FHP).")
		status = http.StatusNotFound
	}
	v := p.cfg.Site.view(pr, "/public/receipts", "", t.T("查询意见回执", "Look up a comment receipt"), []Meta{{"ColumnName", "公开征求意见"}},
		[]Crumb{{t.T("站点地图", "Site map"), pr.link("/public")}, {t.T("公开征求意见", "Open for public comment"), pr.link("/public/consultations")}}, body)
	p.private(c, "public/receipt", v, status)
}

func isNotFound(err error) bool { return workflow.ErrorCode(err) == workflow.CodeNotFound }

// private writes a page no shared cache keeps (a receipt's).
func (p *Public) private(c *gin.Context, name string, v *templates.View, status int) {
	r, err := p.page(name, v)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.Data(status, r.ctype, r.body)
}
