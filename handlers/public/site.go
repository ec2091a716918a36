package public

import (
	"net/url"
	"regexp"
	"strings"
	"time"

	"decisiond/handlers/templates"
	"decisiond/workflow"
)

// Site is the public site's configuration (《政府网站发展指引》, 国办发〔2017〕
// 47号): the footer and the <meta> tags of every public page. It comes from
// serve's flags; an empty value shows nothing — never a made-up number.
type Site struct {
	Name           string // SiteName: 网站名称
	Domain         string // SiteDomain: 网站域名
	IDCode         string // SiteIDCode: 网站标识码
	Sponsor        string // 主办单位
	Contact        string // 联系方式
	ICP            string // ICP备案号
	PSB            string // 公安机关备案号
	ErrorReportURL string // 「我为政府网站找错」
}

// Config configures the public pages.
type Config struct {
	Site Site
	// MaxAge is how long browsers and caches may keep a page (Cache-Control
	// max-age); 0 means 5 minutes.
	MaxAge time.Duration
	// NoCache turns the server's page cache off (every request renders;
	// the benchmark of the uncached path).
	NoCache bool
	// CommentAttachmentMax bounds the file a comment may carry, in bytes
	// (0: DefaultCommentAttachmentMax, 10 MB; negative: no attachments
	// are taken and the form has no file field).
	CommentAttachmentMax int64
}

// Meta is one <meta name content>.
type Meta struct{ Name, Content string }

// PSBURL links a 公安机关备案号 to its record on the national filing
// system (the number's digits); "" when it has none.
func (s Site) PSBURL() string {
	d := digits.FindAllString(s.PSB, -1)
	if len(d) == 0 {
		return ""
	}
	return "https://beian.mps.gov.cn/#/query/webSearch?code=" + strings.Join(d, "")
}

var digits = regexp.MustCompile(`\d+`)

// Page is what the public layout receives in View.Data: the site, the
// page's metadata, the display switches and the page's own data.
type Page struct {
	Site   Site
	Meta   []Meta
	Size   string // "", "large", "xlarge" (字号: 默认 / 大 / 超大)
	Print  bool   // the print view (?print=1)
	Links  Links
	Crumbs []Crumb
	Body   any
}

// Crumb is one step of the page's breadcrumb.
type Crumb struct{ Label, URL string }

// Links are the display switches of a page: each keeps the page and its
// other settings, so the page stays cacheable per URL and works without
// JavaScript.
type Links struct {
	Normal, Large, XLarge, Lang, Print string
}

// prefs are the display settings read from the query.
type prefs struct {
	lang, size string
	print      bool
}

func readPrefs(q url.Values) prefs {
	p := prefs{lang: "zh"}
	if q.Get("lang") == "en" {
		p.lang = "en"
	}
	switch q.Get("size") {
	case "large", "xlarge":
		p.size = q.Get("size")
	}
	p.print = q.Get("print") == "1"
	return p
}

// query renders the settings (and organ) as a query string.
func (p prefs) query(organ string, override func(*prefs)) string {
	if override != nil {
		override(&p)
	}
	v := url.Values{}
	if organ != "" {
		v.Set("organ", organ)
	}
	if p.lang == "en" {
		v.Set("lang", "en")
	}
	if p.size != "" {
		v.Set("size", p.size)
	}
	if p.print {
		v.Set("print", "1")
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// link is a URL on the public site that keeps the reader's settings.
func (p prefs) link(path string) string { return path + p.query("", nil) }

func (p prefs) links(path, organ string) Links {
	return Links{
		Normal: path + p.query(organ, func(q *prefs) { q.size = "" }),
		Large:  path + p.query(organ, func(q *prefs) { q.size = "large" }),
		XLarge: path + p.query(organ, func(q *prefs) { q.size = "xlarge" }),
		Lang: path + p.query(organ, func(q *prefs) {
			if q.lang == "en" {
				q.lang = "zh"
			} else {
				q.lang = "en"
			}
		}),
		Print: path + p.query(organ, func(q *prefs) { q.print = true }),
	}
}

// view builds the page's view: metadata for every page (SiteName,
// SiteDomain, SiteIDCode when configured) plus the page's own.
func (s Site) view(p prefs, path, organ, title string, meta []Meta, crumbs []Crumb, body any) *templates.View {
	v := &templates.View{Lang: p.lang, Title: title, Path: path, Large: p.size != ""}
	var all []Meta
	for _, m := range []Meta{{"SiteName", s.Name}, {"SiteDomain", s.Domain}, {"SiteIDCode", s.IDCode}} {
		if m.Content != "" {
			all = append(all, m)
		}
	}
	for _, m := range meta {
		if m.Content != "" {
			all = append(all, m)
		}
	}
	v.Data = &Page{Site: s, Meta: all, Size: p.size, Print: p.print, Links: p.links(path, organ), Crumbs: crumbs, Body: body}
	return v
}

// minute prints a time as the public pages do: YYYY-MM-DD HH:MM, China time.
func minute(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(workflow.ChinaTime).Format("2006-01-02 15:04")
}
