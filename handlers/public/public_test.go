package public_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"decisiond/handlers/assets"
	"decisiond/handlers/handlerstest"
	"decisiond/handlers/public"
	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html"
)

func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	os.Exit(m.Run())
}

var site = public.Site{Name: "西宁市人民政府", Domain: "www.xining.gov.cn", IDCode: "6301000001", Sponsor: "西宁市人民政府办公厅",
	Contact: "0971-0000000", ICP: "青ICP备05001234号", PSB: "青公网安备 63010402000123号", ErrorReportURL: "https://zfwzzc.www.gov.cn/"}

func demoEnv(t testing.TB, b storetest.Backend, cfg public.Config) *handlerstest.Env {
	return handlerstest.NewWith(t, b.Open, handlerstest.Options{Demo: true, Public: cfg})
}

// get fetches a public URL without any credentials.
func get(t testing.TB, e *handlerstest.Env, path string, header ...string) handlerstest.Response {
	t.Helper()
	req, err := http.NewRequest("GET", e.Srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := e.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(res.Body); err != nil {
		t.Fatal(err)
	}
	return handlerstest.Response{Status: res.StatusCode, Header: res.Header, Body: b.Bytes()}
}

func mustGet(t testing.TB, e *handlerstest.Env, path, ctype string) handlerstest.Response {
	t.Helper()
	r := get(t, e, path)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: %s", path, r)
	}
	if got := r.Header.Get("Content-Type"); !strings.HasPrefix(got, ctype) {
		t.Fatalf("GET %s: Content-Type %q, want %s", path, got, ctype)
	}
	return r
}

// readCSV reads an export back with encoding/csv: UTF-8 with a BOM, every
// row ten fields wide; it returns the rows above the header and the rows
// below it.
func readCSV(t *testing.T, body []byte) (head, rows [][]string) {
	t.Helper()
	if !bytes.HasPrefix(body, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("CSV without a UTF-8 byte-order mark: % x", body[:8])
	}
	recs, err := csv.NewReader(bytes.NewReader(body[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return splitAtHeader(t, recs)
}

func splitAtHeader(t *testing.T, recs [][]string) (head, rows [][]string) {
	t.Helper()
	for i, r := range recs {
		if slices.Equal(r, workflow.CatalogueHeaders) {
			return recs[:i], recs[i+1:]
		}
	}
	t.Fatalf("no header row %v in %v", workflow.CatalogueHeaders, recs)
	return nil, nil
}

// readXLSX reads a workbook back with excelize.
func readXLSX(t *testing.T, body []byte, sheet string) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	// excelize drops trailing empty cells; pad to the header's width.
	for i := range rows {
		for len(rows[i]) < len(workflow.CatalogueHeaders) && len(rows[i]) > 0 && sheet != "听证事项目录" {
			rows[i] = append(rows[i], "")
		}
	}
	return rows
}

// ---- HTML parsing (golang.org/x/net/html) ----

func parseHTML(t *testing.T, body []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func attr(n *html.Node, k string) string {
	for _, a := range n.Attr {
		if a.Key == k {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, c string) bool {
	return slices.Contains(strings.Fields(attr(n, "class")), c)
}

func find(n *html.Node, pred func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if pred(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func element(tag string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Type == html.ElementNode && n.Data == tag }
}

func text(n *html.Node) string {
	var b strings.Builder
	for _, t := range find(n, func(n *html.Node) bool { return n.Type == html.TextNode }) {
		b.WriteString(t.Data)
	}
	return strings.TrimSpace(b.String())
}

// tableRows returns the cells of the body rows of the first table with
// class cls.
func tableRows(t *testing.T, doc *html.Node, cls string) [][]string {
	t.Helper()
	tables := find(doc, func(n *html.Node) bool { return element("table")(n) && hasClass(n, cls) })
	if len(tables) == 0 {
		t.Fatalf("no table.%s", cls)
	}
	var out [][]string
	for _, tb := range find(tables[0], element("tbody")) {
		for _, tr := range find(tb, element("tr")) {
			var row []string
			for _, td := range find(tr, element("td")) {
				row = append(row, text(td))
			}
			out = append(out, row)
		}
	}
	return out
}

func metas(doc *html.Node) map[string]string {
	out := map[string]string{}
	for _, m := range find(doc, element("meta")) {
		if n := attr(m, "name"); n != "" {
			out[n] = attr(m, "content")
		}
	}
	return out
}

// The catalogue, read back: the CSV by encoding/csv, the workbook by
// excelize, the JSON by encoding/json and the HTML page parsed — the same
// rows, in the ten columns, with the Chinese text of the items the store
// holds, each carrying the version's anchor. Version 1 stays public beside
// version 2 and lists the item the adjustment removed.
func TestCatalogueExportsAgree(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := demoEnv(t, b, public.Config{Site: site})
			organ := e.Demo.Units[seeds.DemoOrgan]
			for _, tc := range []struct {
				path string
				no   int
			}{{"/public/catalogues/2026", 0}, {"/public/catalogues/2026/v1", 1}, {"/public/catalogues/2026/v2", 2}} {
				t.Run(tc.path, func(t *testing.T) {
					v, err := e.DB.PublishedCatalogue(t.Context(), organ, 2026, tc.no)
					if err != nil {
						t.Fatal(err)
					}
					listed := v.Listed()

					head, csvRows := readCSV(t, mustGet(t, e, tc.path+".csv", "text/csv").Body)
					if len(csvRows) != len(listed) {
						t.Fatalf("CSV: %d rows, the version lists %d items", len(csvRows), len(listed))
					}
					for i, it := range listed {
						r := csvRows[i]
						want := []string{fmt.Sprint(i + 1), it.Name, seeds.DemoOrgan, it.UndertakingUnit, it.Basis, workflow.ProceduresZH(it.Procedures),
							map[bool]string{true: "是", false: "否"}[it.Hearing], it.PlannedTime().ZH()}
						if !slices.Equal(r[:8], want) || r[9] != it.Note || r[8] == "" {
							t.Errorf("CSV row %d = %q, want %q … note %q", i, r, want, it.Note)
						}
					}
					if !strings.Contains(head[0][0], "2026年度重大行政决策事项目录") || !strings.Contains(strings.Join(head[2], ""), v.Anchor.Hash) ||
						!strings.Contains(strings.Join(head[2], ""), fmt.Sprintf("seq %d", v.Anchor.Seq)) {
						t.Errorf("CSV head without title and anchor: %q", head)
					}

					xlsx := mustGet(t, e, tc.path+".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
					if cd := xlsx.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, "filename*=UTF-8''") {
						t.Errorf("Content-Disposition = %q", cd)
					}
					xhead, xrows := splitAtHeader(t, readXLSX(t, xlsx.Body, "目录"))
					if !slices.EqualFunc(xrows, csvRows, slices.Equal) {
						t.Errorf("workbook rows differ from CSV rows:\n%q\n%q", xrows, csvRows)
					}
					if xhead[0][0] != head[0][0] || xhead[2][0] != head[2][0] {
						t.Errorf("workbook head %q, CSV head %q", xhead, head)
					}
					hearings := readXLSX(t, xlsx.Body, "听证事项目录")
					var hearingNames []string
					for _, r := range hearings[2:] {
						hearingNames = append(hearingNames, r[1])
					}
					var wantHearing []string
					for _, it := range listed {
						if it.Hearing {
							wantHearing = append(wantHearing, it.Name)
						}
					}
					if !slices.Equal(hearingNames, wantHearing) {
						t.Errorf("听证事项目录 %v, want %v", hearingNames, wantHearing)
					}

					var j struct {
						Anchor  workflow.Anchor `json:"anchor"`
						Columns []string        `json:"columns"`
						Version int             `json:"version"`
						Items   []struct {
							Name string   `json:"name"`
							Row  []string `json:"row"`
						} `json:"items"`
					}
					if err := json.Unmarshal(mustGet(t, e, tc.path+".json", "application/json").Body, &j); err != nil {
						t.Fatal(err)
					}
					if j.Anchor != *v.Anchor || !slices.Equal(j.Columns, workflow.CatalogueHeaders) || j.Version != v.No || len(j.Items) != len(csvRows) {
						t.Fatalf("JSON head = %+v", j)
					}
					for i := range j.Items {
						if !slices.Equal(j.Items[i].Row, csvRows[i]) {
							t.Errorf("JSON row %d %q, CSV %q", i, j.Items[i].Row, csvRows[i])
						}
					}

					doc := parseHTML(t, mustGet(t, e, tc.path, "text/html").Body)
					if got := tableRows(t, doc, "catalogue"); !slices.EqualFunc(got, csvRows, slices.Equal) {
						t.Errorf("HTML rows:\n%q\nCSV rows:\n%q", got, csvRows)
					}
					var heads []string
					for _, th := range find(find(doc, func(n *html.Node) bool { return element("table")(n) && hasClass(n, "catalogue") })[0], element("th")) {
						heads = append(heads, text(th))
					}
					if !slices.Equal(heads, workflow.CatalogueHeaders) {
						t.Errorf("HTML headers %v", heads)
					}
					seq := find(doc, func(n *html.Node) bool { return element("code")(n) && hasClass(n, "seq") })
					hash := find(doc, func(n *html.Node) bool { return element("code")(n) && hasClass(n, "hash") })
					if len(seq) == 0 || text(seq[0]) != fmt.Sprint(v.Anchor.Seq) || len(hash) == 0 || text(hash[0]) != v.Anchor.Hash {
						t.Errorf("HTML anchor missing or wrong (want seq %d hash %s)", v.Anchor.Seq, v.Anchor.Hash)
					}
					if m := metas(doc); m["ArticleTitle"] != v.Title() || !regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$`).MatchString(m["PubDate"]) ||
						m["ContentSource"] != seeds.DemoOrgan || m["ColumnName"] == "" {
						t.Errorf("content metadata = %v", m)
					}
				})
			}
			// Version 1 still lists the removed item; version 2 does not, and says why.
			_, v1 := readCSV(t, mustGet(t, e, "/public/catalogues/2026/v1.csv", "text/csv").Body)
			_, v2 := readCSV(t, mustGet(t, e, "/public/catalogues/2026/v2.csv", "text/csv").Body)
			names := func(rows [][]string) []string {
				var out []string
				for _, r := range rows {
					out = append(out, r[1])
				}
				return out
			}
			if !slices.Contains(names(v1), seeds.ItemTaxiFare) || slices.Contains(names(v2), seeds.ItemTaxiFare) || !slices.Contains(names(v2), seeds.ItemFunds) {
				t.Errorf("v1 %v, v2 %v", names(v1), names(v2))
			}
			for _, r := range v1 {
				if r[1] == seeds.ItemTaxiFare && !strings.HasPrefix(r[8], "已调出目录（"+seeds.TaxiRemovalReason) {
					t.Errorf("removed item's 完成情况 = %q", r[8])
				}
			}
			notice := parseHTML(t, mustGet(t, e, "/public/catalogues/2026/v2", "text/html").Body)
			if !strings.Contains(text(notice), "关于调整西宁市人民政府2026年度重大行政决策事项目录的公告") || !strings.Contains(text(notice), seeds.TaxiRemovalReason) {
				t.Error("version 2 does not show its adjustment notice")
			}
		})
	}
}

// The public completion report (年度目录执行情况) prints every item ever
// listed with the 完成情况 the store derives from the decisions' states.
func TestCompletionReportMatchesStates(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := demoEnv(t, b, public.Config{})
			rep, err := e.DB.YearReport(t.Context(), e.Demo.Units[seeds.DemoOrgan], 2026)
			if err != nil {
				t.Fatal(err)
			}
			_, rows := readCSV(t, mustGet(t, e, "/public/catalogues/2026/report.csv", "text/csv").Body)
			if len(rows) != len(rep.Items) || len(rows) != 9 {
				t.Fatalf("%d report rows, %d items", len(rows), len(rep.Items))
			}
			states := map[int64]workflow.State{}
			for _, id := range e.Demo.Decisions {
				d, err := e.DB.Decision(t.Context(), store.System, id)
				if err != nil {
					t.Fatal(err)
				}
				if d.CatalogueItemID != nil {
					states[*d.CatalogueItemID] = d.State
				}
			}
			for i, it := range rep.Items {
				if rows[i][1] != it.Name || rows[i][8] != it.Completion.Text {
					t.Errorf("row %d = %q, want %s %s", i, rows[i], it.Name, it.Completion.Text)
				}
				s, linked := states[it.ItemID]
				sd, _ := workflow.StateByCode(s)
				switch {
				case it.Name == seeds.ItemTaxiFare:
					if !strings.HasPrefix(rows[i][8], "已调出目录") {
						t.Errorf("%s: %s", it.Name, rows[i][8])
					}
				case !linked || s == workflow.StProposed:
					if !strings.HasPrefix(rows[i][8], "未启动") {
						t.Errorf("%s (no decision or proposed): %s", it.Name, rows[i][8])
					}
				case slices.Contains(workflow.PublicStates(), s):
					if !strings.HasPrefix(rows[i][8], "已完成（"+sd.ZH) {
						t.Errorf("%s (%s): %s", it.Name, s, rows[i][8])
					}
				default:
					if !strings.HasPrefix(rows[i][8], "推进中（"+sd.ZH) {
						t.Errorf("%s (%s): %s", it.Name, s, rows[i][8])
					}
				}
			}
			doc := parseHTML(t, mustGet(t, e, "/public/catalogues/2026/report", "text/html").Body)
			if got := tableRows(t, doc, "report"); !slices.EqualFunc(got, rows, slices.Equal) {
				t.Errorf("report HTML rows %q, CSV %q", got, rows)
			}
		})
	}
}

// Anything unpublished is 404 without sign-in: a draft catalogue, a
// version not published, a year with no catalogue, an unpublished decision,
// a published but non-disclosable one; malformed paths too, and a bad
// organ is a clear 400. None of it is cacheable.
func TestPublicNotFound(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := demoEnv(t, b, public.Config{})
			office := handlerstest.Token(t, "office")
			r := e.Do(t, "POST", "/api/v1/catalogues", office, map[string]any{"organ_id": e.Demo.Units[seeds.DemoOrgan], "year": 2027})
			if r.Status != http.StatusCreated {
				t.Fatalf("draft 2027: %s", r)
			}
			// A non-disclosable decision published through channels.
			flags := map[string]any{}
			for k, v := range seeds.FareFlags {
				flags[k] = v
			}
			flags["non_disclosable"] = true
			res, err := e.Fx.Run(t.Context(), e.DB, "依法不予公开的决策", flags, seeds.FareSteps)
			if err != nil {
				t.Fatal(err)
			}
			secret := res.Decision.ID
			if secret == 0 || res.Decision.State != workflow.StInExecution {
				t.Fatalf("non-disclosable decision = %+v", res.Decision)
			}
			for _, path := range []string{
				"/public/catalogues/2027", "/public/catalogues/2027/v1", "/public/catalogues/2027.csv", "/public/catalogues/2027/report",
				"/public/catalogues/2025", "/public/catalogues/2025.xlsx", "/public/catalogues/2026/v3", "/public/catalogues/2026/v3.json",
				"/public/catalogues/2026/v0", "/public/catalogues/2026/v01", "/public/catalogues/20266", "/public/catalogues/abcd",
				"/public/catalogues/2026.pdf", "/public/catalogues/2026/x", "/public/catalogues/2026?organ=999",
				fmt.Sprintf("/public/catalogues/2026?organ=%d", e.Demo.Units["西宁市交通运输局"]),
				fmt.Sprintf("/public/decisions/%d", e.Demo.Decisions["西宁市城市停车收费管理办法"]),
				fmt.Sprintf("/public/decisions/%d", e.Demo.Decisions["西宁市出租汽车运价调整方案"]),
				fmt.Sprintf("/public/decisions/%d", secret), "/public/decisions/99999", "/public/decisions/abc", "/public/decisions/-1",
			} {
				for _, accept := range []string{"text/html", "application/json"} {
					r := get(t, e, path, "Accept", accept)
					if r.Status != http.StatusNotFound {
						t.Errorf("GET %s (%s): %s, want 404", path, accept, r)
					}
					if cc := r.Header.Get("Cache-Control"); strings.Contains(cc, "public") {
						t.Errorf("GET %s: a 404 is cacheable: %q", path, cc)
					}
				}
			}
			r = get(t, e, "/public/catalogues/2026?organ=abc", "Accept", "application/json")
			if p := handlerstest.Problem(t, r, http.StatusBadRequest, workflow.CodeValidationFailed); p.Errors[0].Field != "organ" {
				t.Errorf("problem = %+v", p)
			}
			// The published one is there.
			mustGet(t, e, fmt.Sprintf("/public/decisions/%d", e.Demo.Decisions[seeds.FareTitle]), "text/html")
			mustGet(t, e, fmt.Sprintf("/public/catalogues/2026?organ=%d", e.Demo.Units[seeds.DemoOrgan]), "text/html")
		})
	}
}

// Public pages are cacheable: an ETag and Cache-Control: public, max-age;
// If-None-Match answers 304 with no body; when a decision behind a 完成情况
// moves, the page (and its ETag) change.
func TestPublicCaching(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := demoEnv(t, b, public.Config{})
			for _, path := range []string{"/public", "/public/catalogues", "/public/catalogues/2026", "/public/catalogues/2026.csv",
				"/public/catalogues/2026/v1.xlsx", "/public/catalogues/2026/report.json", fmt.Sprintf("/public/decisions/%d", e.Demo.Decisions[seeds.FareTitle])} {
				r := get(t, e, path)
				etag := r.Header.Get("ETag")
				if r.Status != 200 || r.Header.Get("Cache-Control") != "public, max-age=300" || !strings.HasPrefix(etag, `"`) {
					t.Fatalf("GET %s: %d Cache-Control %q ETag %q", path, r.Status, r.Header.Get("Cache-Control"), etag)
				}
				nm := get(t, e, path, "If-None-Match", etag)
				if nm.Status != http.StatusNotModified || len(nm.Body) != 0 || nm.Header.Get("ETag") != etag {
					t.Errorf("GET %s If-None-Match: %d (%d bytes)", path, nm.Status, len(nm.Body))
				}
				if again := get(t, e, path); !bytes.Equal(again.Body, r.Body) || again.Header.Get("ETag") != etag {
					t.Errorf("GET %s twice: different answers", path)
				}
			}
			before := get(t, e, "/public/catalogues/2026")
			id := e.Demo.Decisions["西宁市老旧小区改造三年行动计划"]
			d, _ := e.GetDecision(t, "office", id)
			e.MustFire(t, "office", d, workflow.EvLaunch, map[string]any{"undertaking_unit_id": e.Demo.Units["西宁市住房和城乡建设局"], "launch_ref": "市政府第20次常务会议纪要"})
			after := get(t, e, "/public/catalogues/2026", "If-None-Match", before.Header.Get("ETag"))
			if after.Status != http.StatusOK || after.Header.Get("ETag") == before.Header.Get("ETag") {
				t.Fatalf("after the launch: %d, ETag unchanged", after.Status)
			}
			rows := tableRows(t, parseHTML(t, after.Body), "catalogue")
			if rows[2][1] != seeds.ItemOldHousing || !strings.HasPrefix(rows[2][8], "推进中（决策启动·草案拟订") {
				t.Errorf("after the launch: %q", rows[2])
			}
		})
	}
}

// The footer and metadata come from configuration; empty configuration
// shows nothing — no placeholder numbers. The display switches (字号,
// language, print) are plain links: no JavaScript needed.
func TestPublicSiteConfiguration(t *testing.T) {
	b := storetest.Backends(t)[0]
	full := demoEnv(t, b, public.Config{Site: site})
	doc := parseHTML(t, mustGet(t, full, "/public/catalogues", "text/html").Body)
	m := metas(doc)
	if m["SiteName"] != site.Name || m["SiteDomain"] != site.Domain || m["SiteIDCode"] != site.IDCode || m["ColumnName"] == "" || m["ColumnType"] == "" {
		t.Errorf("meta = %v", m)
	}
	footer := find(doc, element("footer"))
	if len(footer) != 1 {
		t.Fatal("no footer")
	}
	ft := text(footer[0])
	for _, want := range []string{site.Sponsor, site.Contact, site.IDCode, site.ICP, site.PSB, "我为政府网站找错", "站点地图"} {
		if !strings.Contains(ft, want) {
			t.Errorf("footer lacks %q: %s", want, ft)
		}
	}
	var hrefs []string
	for _, a := range find(footer[0], element("a")) {
		hrefs = append(hrefs, attr(a, "href"))
	}
	if !slices.Contains(hrefs, site.ErrorReportURL) || !slices.Contains(hrefs, "https://beian.miit.gov.cn/") || !slices.Contains(hrefs, "/public") {
		t.Errorf("footer links %v", hrefs)
	}

	empty := demoEnv(t, b, public.Config{})
	doc = parseHTML(t, mustGet(t, empty, "/public/catalogues", "text/html").Body)
	m = metas(doc)
	for _, k := range []string{"SiteName", "SiteDomain", "SiteIDCode"} {
		if _, ok := m[k]; ok {
			t.Errorf("meta %s shown without configuration", k)
		}
	}
	ft = text(find(doc, element("footer"))[0])
	for _, absent := range []string{"网站标识码", "ICP", "公网安备", "主办单位", "联系方式", "我为政府网站找错"} {
		if strings.Contains(ft, absent) {
			t.Errorf("empty configuration shows %q: %s", absent, ft)
		}
	}
	if len(find(doc, element("script"))) != 1 || len(find(doc, element("form"))) != 0 {
		t.Error("public pages must need no script and no form (one deferred print helper at most)")
	}
	for _, q := range []string{"?size=large", "?size=xlarge", "?lang=en", "?print=1"} {
		r := mustGet(t, empty, "/public/catalogues/2026"+q, "text/html")
		body := parseHTML(t, r.Body)
		cls := attr(find(body, element("body"))[0], "class")
		switch q {
		case "?size=large", "?size=xlarge":
			if !strings.Contains(cls, strings.TrimPrefix(q, "?size=")) {
				t.Errorf("%s: body class %q", q, cls)
			}
		case "?print=1":
			if !strings.Contains(cls, "print-view") {
				t.Errorf("%s: body class %q", q, cls)
			}
		case "?lang=en":
			if attr(find(body, element("html"))[0], "lang") != "en" || !strings.Contains(text(body), "Audit anchor") {
				t.Error("?lang=en: not English")
			}
		}
	}
}

// Printed on A4 in the official document format (GB/T 9704): the page's
// margins, the 仿宋 body, the 小标宋 title, — 1 — page numbers.
func TestPrintFormat(t *testing.T) {
	b := storetest.Backends(t)[0]
	e := demoEnv(t, b, public.Config{})
	doc := parseHTML(t, mustGet(t, e, "/public/catalogues/2026", "text/html").Body)
	var css string
	for _, l := range find(doc, element("link")) {
		if attr(l, "rel") == "stylesheet" {
			css = attr(l, "href")
		}
	}
	if css != assets.URL("public.css") {
		t.Fatalf("stylesheet %q", css)
	}
	sheet := string(mustGet(t, e, css, "text/css").Body)
	for _, want := range []string{
		"@page { size: A4; margin: 37mm 26mm 35mm 28mm;",
		`content: "— " counter(page) " —"`,
		`"仿宋_GB2312", "FangSong", "Noto Serif CJK SC", serif`,
		`"方正小标宋简体", "Noto Serif CJK SC", serif`,
		`"黑体", "Noto Sans CJK SC", sans-serif`,
		"font-size: 16pt", "font-size: 22pt", "text-indent: 2em",
	} {
		if !strings.Contains(sheet, want) {
			t.Errorf("public.css lacks %s", want)
		}
	}
}

// A published decision's page: the document header table in its order, the
// 发文字号 in the GB/T 9704 form; a superseded decision says so and links to
// the decision that replaced it once that one is published.
func TestPublicDecisionPage(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := demoEnv(t, b, public.Config{Site: site})
			fare := e.Demo.Decisions[seeds.FareTitle]
			doc := parseHTML(t, mustGet(t, e, fmt.Sprintf("/public/decisions/%d", fare), "text/html").Body)
			var labels, values []string
			for _, tr := range find(find(doc, func(n *html.Node) bool { return element("table")(n) && hasClass(n, "header-table") })[0], element("tr")) {
				labels = append(labels, text(find(tr, element("th"))[0]))
				values = append(values, text(find(tr, element("td"))[0]))
			}
			if want := []string{"索引号", "主题分类", "发文机关", "成文日期", "标题", "发文字号", "发布日期"}; !slices.Equal(labels, want) {
				t.Fatalf("header table %v, want %v", labels, want)
			}
			if !workflow.DocNoRE.MatchString(values[5]) || values[2] != seeds.DemoOrgan || values[4] != seeds.FareTitle ||
				!regexp.MustCompile(`^\d{4}年\d{1,2}月\d{1,2}日$`).MatchString(values[3]) || !regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$`).MatchString(values[6]) {
				t.Errorf("header values %q", values)
			}
			if m := metas(doc); m["ArticleTitle"] != seeds.FareTitle || m["ContentSource"] != seeds.DemoOrgan || m["PubDate"] != values[6] {
				t.Errorf("meta %v", m)
			}
			if !strings.Contains(text(doc), "公众意见、专家意见采纳情况说明") {
				t.Error("no adoption explanation")
			}

			// Supersede it (Art. 37): the page says so, naming the new decision.
			d, _ := e.GetDecision(t, "office", fare)
			meeting := map[string]any{"meeting_type": "executive", "held_on": day(e, -8), "attendees": []string{"市长", "副市长甲"},
				"opinions": []map[string]any{{"member": "副市长甲", "position": "agree", "text": "同意"}, {"member": "市长", "position": "agree", "text": "同意", "is_head": true}},
				"decision": "adjust"}
			r := e.Fire(t, "office", fare, workflow.EvAdjust, d.Version, map[string]any{"meeting": meeting, "reason": "票价结构需重大调整"})
			if r.Status != http.StatusOK {
				t.Fatalf("adjust: %s", r)
			}
			spawned := *handlerstest.Decode[handlerstest.ActJSON](t, r).SpawnedDecisionID
			doc = parseHTML(t, mustGet(t, e, fmt.Sprintf("/public/decisions/%d", fare), "text/html").Body)
			alert := find(doc, func(n *html.Node) bool { return element("p")(n) && hasClass(n, "alert") })
			if len(alert) != 1 || !strings.Contains(text(alert[0]), "重大调整") || len(find(alert[0], element("a"))) != 0 {
				t.Fatalf("superseded, replacement unpublished: %v", alert)
			}
			mustGet(t, e, fmt.Sprintf("/public/decisions/%d", fare), "text/html")
			if r := get(t, e, fmt.Sprintf("/public/decisions/%d", spawned)); r.Status != http.StatusNotFound {
				t.Fatalf("the unpublished replacement: %s", r)
			}
			nd, _ := e.GetDecision(t, "office", spawned)
			// The replacement inherits the hearing item: it holds its hearing;
			// it runs the procedure again after the adjusting meeting (Art. 37).
			e.RunSteps(t, nd, rerunAfter(t, e))
			doc = parseHTML(t, mustGet(t, e, fmt.Sprintf("/public/decisions/%d", fare), "text/html").Body)
			alert = find(doc, func(n *html.Node) bool { return element("p")(n) && hasClass(n, "alert") })
			links := find(alert[0], element("a"))
			if len(links) != 1 || !strings.HasPrefix(attr(links[0], "href"), fmt.Sprintf("/public/decisions/%d", spawned)) {
				t.Fatalf("superseded, replacement published: no link to it")
			}
			mustGet(t, e, attr(links[0], "href"), "text/html")
		})
	}
}

func day(e *handlerstest.Env, offset int) string {
	return workflow.FormatDate(e.Fx.Today.AddDate(0, 0, offset))
}

// rerunAfter is the fare's main line, from its draft to its publication,
// run again after an adjusting meeting held 8 days ago (Art. 37: no date
// before that meeting): a shortened comment period with its reason, a
// hearing, the review and the meeting today.
func rerunAfter(t *testing.T, e *handlerstest.Env) []seeds.Step {
	t.Helper()
	override := map[string]func(m map[string]any){
		workflow.EvStartParticipation: func(m map[string]any) {
			m["methods"] = []any{"online_comment", "hearing"}
			m["notice"] = map[string]any{"channels": []any{"西宁市人民政府网站"}, "opened_on": day(e, -8), "closes_on": day(e, -1),
				"shortened_reason": "调整事项紧迫，缩短征求意见期限"}
		},
		workflow.EvSubmitLegalityReview: func(m map[string]any) {
			m["submitted_on"] = day(e, 0)
			due, _ := e.Fx.Calendar.AddWorkdays(e.Fx.Today, 7)
			m["review_due_on"] = workflow.FormatDate(due)
		},
		workflow.EvRecordLegalityOpinion: func(m map[string]any) { m["given_on"] = day(e, 0) },
		workflow.EvSubmitToMeeting:       func(m map[string]any) { m["planned_on"] = day(e, 0) },
		workflow.EvApprove:               func(m map[string]any) { m["meeting"].(map[string]any)["held_on"] = day(e, 0) },
		workflow.EvReportToParty:         func(m map[string]any) { m["reported_on"] = day(e, 0) },
		workflow.EvPublish: func(m map[string]any) {
			m["channels"] = []any{map[string]any{"kind": "website", "on": day(e, 0), "ref": "https://www.xining.gov.cn/zwgk/tz"}}
		},
	}
	var out []seeds.Step
	for _, st := range handlerstest.StepsBefore(t, workflow.EvStartExecution)[1:] {
		st := st
		inner := st.Data
		if fn, ok := override[st.Event]; ok {
			st.Data = func(env *seeds.Env) map[string]any { m := inner(env); fn(m); return m }
		}
		out = append(out, st)
		if st.Event == workflow.EvStartParticipation {
			out = append(out, seeds.Step{Who: "drafter", Event: workflow.EvRecordHearing, Data: func(*seeds.Env) map[string]any {
				return map[string]any{"held_on": day(e, -1), "materials_delivered_on": day(e, -8),
					"participants": []string{"消费者代表", "经营者代表"}, "record_signed": true}
			}})
		}
	}
	return out
}
