package console

import (
	"net/http"
	"strconv"

	"decisiond/handlers/auth"
	"decisiond/handlers/httpx"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// ---- notifications (the bell) ----

type noteRow struct {
	No         int
	ID         int64
	When, Text string
	Kind       string
	DecisionID int64
	Read       bool
}

type notesView struct {
	Rows       []noteRow
	Pager      pager
	Email      string
	EmailError string
	Saved      bool
}

var noteKinds = map[string]workflow.Label{
	"queue":    {Code: "queue", ZH: "待办", EN: "to do"},
	"due_soon": {Code: "due_soon", ZH: "即将到期", EN: "due soon"},
	"overdue":  {Code: "overdue", ZH: "已逾期", EN: "overdue"},
	"reminder": {Code: "reminder", ZH: "催办", EN: "reminder"},
}

// Notifications: GET /notifications — one's notifications, newest first,
// and the address they are e-mailed to.
func (k *Console) Notifications(c *gin.Context) {
	k.renderNotes(c, http.StatusOK, "", "")
}

func (k *Console) renderNotes(c *gin.Context, status int, email, emailErr string) {
	a := httpx.Actor(c)
	var inv workflow.Invalid
	p := httpx.PageOf(c, &inv)
	if err := inv.Err(); err != nil {
		httpx.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	ns, total, err := k.db.Notifications(ctx, a.UserID, p)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	if emailErr == "" {
		if email, err = k.db.NotificationEmail(ctx, a.UserID); err != nil {
			httpx.Fail(c, err)
			return
		}
	}
	v, l := k.page(c, "notifications")
	v.Title = v.T("通知", "Notifications")
	nv := notesView{Email: email, EmailError: emailErr, Saved: c.Query("saved") == "1"}
	limit, offset := p.Norm()
	for i, n := range ns {
		nv.Rows = append(nv.Rows, noteRow{No: offset + i + 1, ID: n.ID, When: storedClock(n.CreatedAt), Text: v.T(n.ZH, n.EN),
			Kind: l.L(noteKinds[n.Kind]), DecisionID: n.DecisionID, Read: n.ReadAt != nil})
	}
	nv.Pager = newPager(v, "/notifications", c.Request.URL.Query(), p.Page, limit, total)
	v.Data = nv
	auth.Render(c, status, "console/notifications", v)
}

// MarkRead: POST /notifications/read — mark one (id) or all read; then
// open the decision when asked (open=1).
func (k *Console) MarkRead(c *gin.Context) {
	a := httpx.Actor(c)
	form, err := httpx.ParseForm(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	var id int64
	if s := first(form, "id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			httpx.Fail(c, httpx.Invalid("id", "应为正整数编号", "must be a positive integer id"))
			return
		}
		id = n
	}
	if err := k.db.MarkRead(c.Request.Context(), a.UserID, id); err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, back(first(form, "return"), "/notifications"))
}

// SetEmail: POST /notifications/email — the address one's notifications
// are e-mailed to (empty: none).
func (k *Console) SetEmail(c *gin.Context) {
	a := httpx.Actor(c)
	form, err := httpx.ParseForm(c)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	email := first(form, "email")
	if err := k.db.SetNotificationEmail(c.Request.Context(), a, email); err != nil {
		e, ok := workflow.AsError(err)
		if !ok || e.Code != workflow.CodeValidationFailed {
			httpx.Fail(c, err)
			return
		}
		v, _ := k.page(c, "notifications")
		msg := v.T(e.ZH, e.EN)
		for _, f := range e.Fields {
			msg = v.T(f.ZH, f.EN)
		}
		k.renderNotes(c, http.StatusBadRequest, email, msg)
		return
	}
	c.Redirect(http.StatusSeeOther, "/notifications?saved=1")
}
