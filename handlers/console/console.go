// Package console is the signed-in pages of legal staff and leaders. For
// now it holds the landing page after sign-in; the work queue, decision
// pages and audit trail live here too.
package console

import (
	"net/http"
	"slices"

	"decisiond/handlers/auth"
	"decisiond/handlers/httpx"
	"decisiond/handlers/templates"
	"decisiond/store"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// Console holds what the pages need.
type Console struct {
	db *store.DB
}

// New builds the console.
func New(db *store.DB) *Console { return &Console{db: db} }

type homeView struct {
	Roles   []workflow.Label
	Admin   bool
	Visible int
}

// Home: GET / — the signed-in landing page.
func (k *Console) Home(c *gin.Context) {
	a := httpx.Actor(c)
	hv := homeView{}
	for _, l := range workflow.AllRoles {
		if a.Has(workflow.Role(l.Code)) {
			hv.Roles = append(hv.Roles, l)
			hv.Admin = hv.Admin || slices.Contains(workflow.AdminRoles, workflow.Role(l.Code))
		}
	}
	if !hv.Admin {
		_, total, err := k.db.Decisions(c.Request.Context(), a, store.DecisionFilter{Page: store.Page{PerPage: 1}})
		if err != nil {
			httpx.Fail(c, err)
			return
		}
		hv.Visible = total
	}
	v := templates.NewView(c.Request, "")
	v.Title = v.T("工作台", "Work queue")
	v.User = auth.ViewUser(c)
	v.Data = hv
	auth.Render(c, http.StatusOK, "console/home", v)
}
