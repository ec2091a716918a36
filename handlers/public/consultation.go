package public

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
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
// most 20 KB of UTF-8; forms encode it up to three times larger); in a
// multipart post, the fields other than the attachment.
const maxCommentBody = 64 << 10

// DefaultCommentAttachmentMax is the largest file a comment may carry
// unless configured (Config.CommentAttachmentMax).
const DefaultCommentAttachmentMax = 10 << 20

// maxCommentParts bounds the parts of a multipart comment post (the form
// has five).
const maxCommentParts = 16

// attachmentMax is the largest attachment taken (0: none is).
func (p *Public) attachmentMax() int64 {
	switch m := p.cfg.CommentAttachmentMax; {
	case m < 0:
		return 0
	case m == 0:
		return DefaultCommentAttachmentMax
	default:
		return m
	}
}

// sizeText writes a size for people: 35 KB, 2.4 MB, 10 MB.
func sizeText(n int64) string {
	switch {
	case n < 1<<10:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1<<20:
		return strconv.FormatInt((n+1<<9)>>10, 10) + " KB"
	case n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MB"
	}
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
}

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
	// AttachMax is the largest attachment in words ("" when none is
	// taken: the form is then urlencoded, without a file field).
	AttachMax string
	// Unsent names the file a refused post carried: a file field cannot
	// be filled in again, so the page asks to choose it again.
	Unsent string
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
		if m := p.attachmentMax(); m > 0 {
			form.AttachMax = sizeText(m)
		}
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

// commentRequest is a posted comment (form fields or JSON; only a
// multipart form carries a file).
type commentRequest struct {
	Text    string `json:"text"`
	Name    string `json:"name"`
	Contact string `json:"contact"`
	Website string `json:"website"` // the honeypot (workflow.HoneypotField)
	// Attachment is the multipart form's file (nil: none). On a refusal
	// its Name may be set without content (a file too large).
	Attachment *workflow.CommentFile `json:"-"`
}

// PostComment: POST /public/consultations/{id}/comments — a comment of the
// public, as a form (text, name, contact; the page's form is multipart
// with the optional file attachment) or as JSON with those fields (no
// file). A browser gets the receipt's page (303) or the form again with
// the reasons; a client asking for JSON gets 201 {"receipt", "at"} or the
// problem: 400 validation_failed (each field), 404 not_found, 409
// consultation_closed, 413 payload_too_large (the post, or the
// attachment over its limit), 415 document_type_not_allowed (the
// attachment's content), 429 rate_limited.
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
	if allowed {
		p.allowUploadTime(c)
	}
	req, err := p.readComment(c, allowed)
	if !allowed {
		err = rateLimited(c, p.comments.Every())
	}
	if err != nil {
		p.refuse(c, id, pr, req, err)
		return
	}
	rc, err := p.db.SubmitComment(c.Request.Context(), id, workflow.NewComment{Text: req.Text, Name: req.Name, Contact: req.Contact, Honeypot: req.Website,
		Attachment: req.Attachment}, httpx.ClientAddr(c.Request))
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

// uploadRate is the slow connection a file of the largest size must still
// reach the server over.
const uploadRate = 64 << 10 // bytes per second

// allowUploadTime gives a multipart post (the form with its file) the
// time its largest file takes at uploadRate, beyond the server's own read
// and write timeouts (serve: one minute each), by moving this
// connection's deadlines. Only a post within its address's budget gets
// it, so slow posts cannot hold many connections from one address.
func (p *Public) allowUploadTime(c *gin.Context) {
	ct, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	limit := p.attachmentMax()
	if ct != "multipart/form-data" || limit == 0 {
		return
	}
	d := time.Minute + time.Duration(limit/uploadRate)*time.Second
	rc := http.NewResponseController(c.Writer)
	_ = rc.SetReadDeadline(time.Now().Add(d)) // not supported (a test recorder): the server's own timeouts hold
	_ = rc.SetWriteDeadline(time.Now().Add(d + time.Minute))
}

// rateLimited is the refusal of a post over the address's budget (429).
func rateLimited(c *gin.Context, every time.Duration) error {
	secs := max(1, int(every.Seconds()))
	c.Header("Retry-After", strconv.Itoa(secs))
	return &workflow.Error{Code: httpx.CodeRateLimited,
		ZH: "提交过于频繁：同一网络地址短时间内提交的意见已达上限，请" + strconv.Itoa(secs) + "秒后再提交（您填写的内容已保留）",
		EN: "too many comments from this network address in a short time; submit again in " + strconv.Itoa(secs) + " s (what you typed is kept)"}
}

// errCommentTooLarge refuses a post whose fields are over maxCommentBody.
var errCommentTooLarge = &workflow.Error{Code: httpx.CodePayloadTooLarge, ZH: "提交的内容过大（上限64KB）；意见内容不超过5000字",
	EN: "the post is too large (64 KB at most); a comment has at most 5,000 characters"}

// attachmentTooLarge refuses an attachment over the limit (413), at its
// field.
func attachmentTooLarge(limit int64) error {
	zh := "附件超过上限（" + sizeText(limit) + "），意见未提交；请压缩或拆分文件后重新选择，或将要点写入意见内容（您填写的内容已保留）"
	en := "the attachment exceeds the limit (" + sizeText(limit) + "); the comment was not submitted. Compress or split the file and choose it again, or write its points into the comment (what you typed is kept)"
	return &workflow.Error{Code: httpx.CodePayloadTooLarge, ZH: zh, EN: en, Fields: []workflow.FieldError{{Field: workflow.CommentFieldAttachment, ZH: zh, EN: en}}}
}

// readComment reads a posted comment: JSON (Content-Type
// application/json), a form, or a multipart form with the optional
// attachment. Unknown JSON fields, bodies over maxCommentBody (besides
// the attachment), an attachment over its limit and other content types
// are refused. withFile false (a post over its address's budget, refused
// anyway): an attachment's bytes are skipped, not kept in memory.
func (p *Public) readComment(c *gin.Context, withFile bool) (commentRequest, error) {
	var req commentRequest
	ct, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if ct == "multipart/form-data" {
		return p.readMultipart(c, withFile)
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxCommentBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return req, errCommentTooLarge
	}
	if err != nil {
		return req, httpx.Invalid("body", "无法读取提交的内容", "could not read the body")
	}
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

// readMultipart reads the comment form as multipart/form-data, streaming:
// the fields (at most maxCommentBody together) and at most one file, in
// the field attachment, of at most attachmentMax bytes. The whole body is
// bounded (http.MaxBytesReader), so an oversized upload is never read
// into memory beyond the limit. What was read before a refusal is kept
// in req, so a browser gets its text back.
func (p *Public) readMultipart(c *gin.Context, withFile bool) (commentRequest, error) {
	var req commentRequest
	limit := p.attachmentMax()
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit+maxCommentBody+maxCommentParts<<10)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return req, httpx.Invalid("body", "表单无法解析", "the form could not be read")
	}
	var tooBig *http.MaxBytesError
	unreadable := httpx.Invalid("body", "表单无法解析", "the form could not be read")
	text := int64(maxCommentBody) // what the fields may still take
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		switch {
		case errors.Is(err, io.EOF):
			if a := req.Attachment; a != nil && a.Name == "" && len(a.Content) == 0 {
				req.Attachment = nil // the file field of a form sent without a file
			}
			return req, nil
		case errors.As(err, &tooBig):
			if req.Attachment != nil {
				return req, attachmentTooLarge(limit)
			}
			return req, errCommentTooLarge
		case err != nil:
			return req, unreadable
		case n >= maxCommentParts:
			return req, httpx.Invalid("body", "表单项过多", "too many form fields")
		}
		name := part.FormName()
		if fname, isFile := fileName(part); isFile || name == workflow.CommentFieldAttachment {
			switch {
			case name != workflow.CommentFieldAttachment || req.Attachment != nil:
				return req, httpx.Invalid(workflow.CommentFieldAttachment, "只能在“附件”一栏附一个文件", "one file at most, in the attachment field")
			case limit == 0:
				if fname == "" {
					continue // an empty file field
				}
				return req, httpx.Invalid(workflow.CommentFieldAttachment, "本网站不接收意见附件，请将材料要点写入意见内容，或通过公告所列的其他渠道提交",
					"this site takes no attachments; write the points into the comment, or use another channel of the notice")
			}
			req.Attachment = &workflow.CommentFile{Name: fname}
			if !withFile {
				continue // NextPart skips its bytes
			}
			b, err := readAll(io.LimitReader(part, limit+1), min(c.Request.ContentLength, limit+1))
			switch {
			case errors.As(err, &tooBig) || int64(len(b)) > limit:
				return req, attachmentTooLarge(limit)
			case err != nil:
				return req, httpx.Invalid(workflow.CommentFieldAttachment, "无法读取附件，请重新选择文件", "could not read the attachment; choose the file again")
			}
			req.Attachment.Content = b
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, text+1))
		switch {
		case errors.As(err, &tooBig):
			return req, errCommentTooLarge
		case err != nil:
			return req, unreadable
		}
		if text -= int64(len(b)); text < 0 {
			return req, errCommentTooLarge
		}
		switch name {
		case "text":
			req.Text = string(b)
		case "name":
			req.Name = string(b)
		case "contact":
			req.Contact = string(b)
		case workflow.HoneypotField:
			req.Website = string(b)
		}
	}
}

// readAll is io.ReadAll into a buffer of size bytes from the start (the
// request's length, where the client gave it): a file is read into one
// allocation instead of a doubling series of them.
func readAll(r io.Reader, size int64) ([]byte, error) {
	b := make([]byte, 0, max(size, 512)+1) // one more: EOF is read without growing
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grow (a length not given, or wrong)
		}
	}
}

// fileName is the file name a part carries as sent (multipart's own
// FileName already drops a folder, and only the '/' kind of one; the
// store cleans the name itself) and whether the part is a file at all.
func fileName(part *multipart.Part) (string, bool) {
	_, params, err := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
	if err != nil {
		return part.FileName(), part.FileName() != ""
	}
	name, ok := params["filename"]
	return name, ok
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
	if a := req.Attachment; a != nil {
		form.Unsent = strings.TrimSpace(strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return -1
			}
			return r
		}, strings.ToValidUTF8(a.Name, "")))
		if form.Unsent == "" {
			form.Unsent = t.T("附件", "the attachment")
		}
	}
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
	AttachmentSize   string
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
	if r.Attachment != nil {
		body.AttachmentSize = sizeText(r.Attachment.Size)
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
