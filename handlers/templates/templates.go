// Package templates holds the embedded html/template files of every page:
// layout/, partials/, console/, admin/, public/, auth/, errors/, api/ — a
// template's path mirrors the handler that renders it ("console/home").
// Pages render inside layout/base (public/ pages inside layout/public);
// each page file defines "title" and "content".
package templates

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"time"

	"decisiond/handlers/assets"
	"decisiond/workflow"
)

//go:embed layout partials errors auth console public api
var files embed.FS

var (
	once  sync.Once
	pages map[string]*template.Template
	perr  error
)

var funcs = template.FuncMap{
	"asset": assets.URL,
	"add":   func(a, b int) int { return a + b },
	"date":  func(t time.Time) string { return t.In(workflow.ChinaTime).Format("2006-01-02") },
	"time":  func(t time.Time) string { return t.In(workflow.ChinaTime).Format("2006-01-02 15:04") },
	// cndate writes a date the Chinese way (2026年5月8日, GB/T 9704).
	"cndate": func(t time.Time) string {
		t = t.In(workflow.ChinaTime)
		return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
	},
}

func load() {
	pages = map[string]*template.Template{}
	base, err := template.New("base").Funcs(funcs).ParseFS(files, "layout/*.html", "partials/*.html")
	if err != nil {
		perr = err
		return
	}
	perr = fs.WalkDir(files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(path, "layout/") || strings.HasPrefix(path, "partials/") || !strings.HasSuffix(path, ".html") {
			return err
		}
		t, err := base.Clone()
		if err != nil {
			return err
		}
		if _, err := t.ParseFS(files, path); err != nil {
			return err
		}
		pages[strings.TrimSuffix(path, ".html")] = t
		return nil
	})
}

// Render executes the page name ("auth/login") inside the layout with v.
// The page is rendered to a buffer first, so a template error never sends
// half a page.
func Render(w io.Writer, name string, v *View) error {
	once.Do(load)
	if perr != nil {
		return perr
	}
	t, ok := pages[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, layoutOf(name), v); err != nil {
		return err
	}
	_, err := buf.WriteTo(w)
	return err
}

// layoutOf names the layout a page renders in: public pages (anonymous,
// with the site's footer and metadata) in layout/public.html, every other
// page in layout/base.html. Templates parsed from files are named by their
// base name.
func layoutOf(page string) string {
	if strings.HasPrefix(page, "public/") {
		return "public.html"
	}
	return "base.html"
}

// Names lists the page templates (tests render each).
func Names() []string {
	once.Do(load)
	out := make([]string, 0, len(pages))
	for n := range pages {
		out = append(out, n)
	}
	return out
}

// Cookies that carry a person's display preferences (no sign-in needed).
const (
	LangCookie = "lang"
	SizeCookie = "size"
)

// User is the signed-in person as pages show them.
type User struct {
	Name        string
	DisplayName string
	Roles       []string
	// Unread is the number of unread notifications (the bell).
	Unread int
	// Leader: the person reads the dashboard (leaders and the office).
	Leader bool
	// SessionEnds is when the session ends if unused (the timeout warning);
	// zero when unknown.
	SessionEnds time.Time
	// SessionLeft is how many seconds are left of it (the script warns
	// five minutes ahead, whatever the browser's clock says).
	SessionLeft int
}

// View is what every page template receives.
type View struct {
	Lang  string // "zh" (default) or "en"
	Large bool   // the large-text mode
	Title string
	Path  string // the request path (the language and size switches return to it)
	User  *User  // nil when signed out
	Flash string
	Data  any
	// Nav names the navigation item of the page ("queue", "audit" …).
	Nav string
	// Class is the class of the page's body ("print" …).
	Class string
}

// NewView starts the view of a request: the language and text size from
// their cookies (?lang= overrides for this page).
func NewView(r *http.Request, title string) *View {
	v := &View{Lang: "zh", Title: title, Path: r.URL.RequestURI()}
	if c, err := r.Cookie(LangCookie); err == nil && c.Value == "en" {
		v.Lang = "en"
	}
	if c, err := r.Cookie(SizeCookie); err == nil && c.Value == "large" {
		v.Large = true
	}
	return v
}

// EN reports whether the page is shown in English.
func (v *View) EN() bool { return v.Lang == "en" }

// T picks the Chinese or the English text.
func (v *View) T(zh, en string) string {
	if v.Lang == "en" {
		return en
	}
	return zh
}

// HTMLLang is the lang attribute of the page.
func (v *View) HTMLLang() string {
	if v.Lang == "en" {
		return "en"
	}
	return "zh-CN"
}
