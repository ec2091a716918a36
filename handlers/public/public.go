// Package public is the anonymous pages: the published annual catalogues
// of major decisions (every version and adjustment notice, the hearing
// items, the year's completion report) as HTML fit to print, CSV, Excel and
// JSON, and the published decisions. No sign-in, no JavaScript needed;
// pages are cacheable (ETag, Cache-Control) and anything unpublished is 404.
package public

import (
	"bytes"
	"context"
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

// Public serves the public pages.
type Public struct {
	db       *store.DB
	cfg      Config
	cache    pageCache
	maxAge   int
	comments *httpx.Limiter // comment posts per address (nil: unlimited)
}

// New builds the public pages over a store.
func New(db *store.DB, cfg Config) *Public {
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 5 * time.Minute
	}
	return &Public{db: db, cfg: cfg, maxAge: int(cfg.MaxAge / time.Second)}
}

// Content types of the formats.
var contentTypes = map[string]string{
	"html": "text/html; charset=utf-8",
	"csv":  "text/csv; charset=utf-8",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"json": "application/json; charset=utf-8",
}

var notFound = workflow.Errorf(workflow.CodeNotFound, "未找到该公开信息", "no such published page")

// splitFormat splits "2026.csv" into "2026" and "csv" ("html" without a
// suffix); an unknown suffix is not_found.
func splitFormat(s string) (string, string, error) {
	name, ext, ok := strings.Cut(s, ".")
	if !ok {
		return s, "html", nil
	}
	if _, known := contentTypes[ext]; !known {
		return "", "", notFound
	}
	return name, ext, nil
}

// parseYear reads a four-digit year; anything else names no catalogue.
func parseYear(s string) (int, error) {
	if len(s) != 4 {
		return 0, notFound
	}
	y, err := strconv.Atoi(s)
	if err != nil || y < 1000 {
		return 0, notFound
	}
	return y, nil
}

// serve answers from the cache when the chain has not moved since the page
// was rendered (and the day is the same), and renders it otherwise.
func (p *Public) serve(c *gin.Context, key string, build func(ctx context.Context, asOf time.Time) (*rendered, error)) {
	ctx := c.Request.Context()
	head, at, err := p.db.ChainHeadTime(ctx)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	day := workflow.FormatDate(workflow.DateOf(p.db.Now()))
	if !p.cfg.NoCache {
		if r := p.cache.get(key, head, day); r != nil {
			write(c, r, p.maxAge)
			return
		}
	}
	r, err := build(ctx, at)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	r.head, r.day = head, day
	if !p.cfg.NoCache {
		p.cache.put(key, r)
	}
	write(c, r, p.maxAge)
}

// cacheKey is the request's path with the query parameters that change the
// answer, normalised (other parameters are ignored, so they cannot fill the
// cache).
func cacheKey(c *gin.Context, organ string, pr prefs) string {
	return c.Request.URL.Path + pr.query(organ, nil)
}

func (p *Public) page(name string, v *templates.View) (*rendered, error) {
	var b bytes.Buffer
	if err := templates.Render(&b, name, v); err != nil {
		return nil, err
	}
	return newRendered(b.Bytes(), contentTypes["html"]), nil
}

// organOf resolves ?organ= (an organ's id); without it, the top-level
// organ. It returns the organ and the value to keep in links ("" for the
// top-level organ). Errors: validation_failed (not an id), not_found.
func (p *Public) organOf(ctx context.Context, q url.Values) (*workflow.Unit, string, error) {
	s := q.Get("organ")
	top, err := p.db.TopOrgan(ctx)
	if s == "" {
		if err != nil {
			return nil, "", notFound
		}
		return top, "", nil
	}
	n, perr := strconv.ParseInt(s, 10, 64)
	if perr != nil || n < 1 {
		return nil, "", httpx.Invalid("organ", "决策机关应以编号指定（正整数）", "organ must be an organ's id (a positive integer)")
	}
	units, err := p.db.UnitMap(ctx)
	if err != nil {
		return nil, "", err
	}
	u, ok := units[n]
	if !ok || u.Kind != "organ" {
		return nil, "", notFound
	}
	if top != nil && top.ID == u.ID {
		return &u, "", nil
	}
	return &u, strconv.FormatInt(n, 10), nil
}

// ---- 站点地图 and the list of catalogues ----

type yearLink struct {
	Organ, Label, URL, ReportURL string
	Year                         int
}

type versionLink struct {
	No                       int
	Kind, Title, NoticeTitle string
	PublishedAt, DocNo, URL  string
	Current                  bool
}

type yearGroup struct {
	Year                  int
	CurrentURL, ReportURL string
	Versions              []versionLink
}

type organGroup struct {
	Name  string
	Years []yearGroup
}

type indexBody struct {
	CataloguesURL    string
	ConsultationsURL string
	ReceiptsURL      string
	Years            []yearLink
	Decisions        []decisionLink
}

type decisionLink struct {
	Title, Organ, PublishedOn, URL string
}

// catalogueURL is a catalogue's public URL (organ "" for the top-level
// organ's).
func catalogueURL(pr prefs, year int, organ, sub, ext string) string {
	path := "/public/catalogues/" + strconv.Itoa(year)
	if sub != "" {
		path += "/" + sub
	}
	if ext != "" && ext != "html" {
		path += "." + ext
		pr = prefs{lang: "zh"} // downloads carry no display settings
	}
	return path + pr.query(organ, nil)
}

// organGroups arranges the published versions by organ and year.
func (p *Public) organGroups(ctx context.Context, pr prefs) ([]organGroup, error) {
	vs, err := p.db.PublishedCatalogues(ctx)
	if err != nil {
		return nil, err
	}
	top, _ := p.db.TopOrgan(ctx)
	var out []organGroup
	idx := map[int64]int{}
	for _, v := range vs {
		organ := ""
		if top == nil || top.ID != v.OrganID {
			organ = strconv.FormatInt(v.OrganID, 10)
		}
		i, ok := idx[v.OrganID]
		if !ok {
			i = len(out)
			idx[v.OrganID] = i
			out = append(out, organGroup{Name: v.OrganName})
		}
		g := &out[i]
		if len(g.Years) == 0 || g.Years[len(g.Years)-1].Year != v.Year {
			g.Years = append(g.Years, yearGroup{Year: v.Year, CurrentURL: catalogueURL(pr, v.Year, organ, "", ""),
				ReportURL: catalogueURL(pr, v.Year, organ, "report", "")})
		}
		y := &g.Years[len(g.Years)-1]
		y.Versions = append(y.Versions, versionLink{No: v.No, Kind: v.Kind, Title: v.Title(), NoticeTitle: v.NoticeTitle(),
			PublishedAt: minute(*v.PublishedAt), DocNo: str(v.Publication, "doc_no"), URL: catalogueURL(pr, v.Year, organ, "v"+strconv.Itoa(v.No), "")})
	}
	for i := range out {
		for j := range out[i].Years {
			vs := out[i].Years[j].Versions
			vs[len(vs)-1].Current = true
		}
	}
	return out, nil
}

func str(m map[string]any, k string) string { s, _ := m[k].(string); return s }

// Index: GET /public — 站点地图: the catalogues and the published decisions.
func (p *Public) Index(c *gin.Context) {
	pr := readPrefs(c.Request.URL.Query())
	p.serve(c, cacheKey(c, "", pr), func(ctx context.Context, asOf time.Time) (*rendered, error) {
		groups, err := p.organGroups(ctx, pr)
		if err != nil {
			return nil, err
		}
		body := indexBody{CataloguesURL: pr.link("/public/catalogues"), ConsultationsURL: pr.link("/public/consultations"),
			ReceiptsURL: pr.link("/public/receipts")}
		for _, g := range groups {
			for _, y := range g.Years {
				body.Years = append(body.Years, yearLink{Organ: g.Name, Year: y.Year, URL: y.CurrentURL, ReportURL: y.ReportURL})
			}
		}
		ds, err := p.db.PublicDecisions(ctx)
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			body.Decisions = append(body.Decisions, decisionLink{Title: d.Title, Organ: d.OrganName, PublishedOn: d.PublishedOn,
				URL: pr.link("/public/decisions/" + strconv.FormatInt(d.ID, 10))})
		}
		title := templates.View{Lang: pr.lang}
		v := p.cfg.Site.view(pr, "/public", "", title.T("站点地图", "Site map"),
			[]Meta{{"ColumnName", "站点地图"}, {"ColumnType", "站点地图"}}, nil, body)
		return p.page("public/index", v)
	})
}

// Catalogues: GET /public/catalogues — every organ, year, version and
// adjustment notice published.
func (p *Public) Catalogues(c *gin.Context) {
	pr := readPrefs(c.Request.URL.Query())
	p.serve(c, cacheKey(c, "", pr), func(ctx context.Context, asOf time.Time) (*rendered, error) {
		groups, err := p.organGroups(ctx, pr)
		if err != nil {
			return nil, err
		}
		t := templates.View{Lang: pr.lang}
		v := p.cfg.Site.view(pr, "/public/catalogues", "", t.T("重大行政决策事项年度目录", "Annual catalogues of major decisions"),
			[]Meta{{"ColumnName", "重大行政决策事项目录"}, {"ColumnType", "目录"}},
			[]Crumb{{t.T("站点地图", "Site map"), pr.link("/public")}}, groups)
		return p.page("public/catalogues", v)
	})
}

// Year: GET /public/catalogues/{year}[.csv|.xlsx|.json][?organ=] — the
// current version of the organ's catalogue of the year.
func (p *Public) Year(c *gin.Context) {
	name, ext, err := splitFormat(c.Param("year"))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	year, err := parseYear(name)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	p.catalogue(c, year, 0, ext)
}

// YearPart: GET /public/catalogues/{year}/v{n}[.ext] — one version (every
// version stays public); GET /public/catalogues/{year}/report[.ext] — the
// year's completion report (年度目录执行情况).
func (p *Public) YearPart(c *gin.Context) {
	year, err := parseYear(c.Param("year"))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	name, ext, err := splitFormat(c.Param("part"))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	if name == "report" {
		p.report(c, year, ext)
		return
	}
	no, err := strconv.Atoi(strings.TrimPrefix(name, "v"))
	if !strings.HasPrefix(name, "v") || err != nil || no < 1 || strconv.Itoa(no) != name[1:] {
		httpx.Fail(c, notFound)
		return
	}
	p.catalogue(c, year, no, ext)
}
