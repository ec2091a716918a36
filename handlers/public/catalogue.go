package public

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"decisiond/handlers/httpx"
	"decisiond/handlers/templates"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// One published catalogue version, and the year's completion report, in
// every format.

type channel struct{ Kind, Ref string }

var channelZH = map[string]string{"gazette": "政府公报", "website": "政府网站", "newspaper": "报纸", "new_media": "政务新媒体", "press_conference": "新闻发布会"}

func channelsOf(m map[string]any) []channel {
	var out []channel
	list, _ := m["channels"].([]any)
	for _, x := range list {
		c, _ := x.(map[string]any)
		k := str(c, "kind")
		if zh, ok := channelZH[k]; ok {
			k = zh
		}
		out = append(out, channel{Kind: k, Ref: str(c, "ref")})
	}
	return out
}

func dateZH(s string) string {
	d, err := workflow.ParseDate(s)
	if err != nil {
		return s
	}
	return workflow.DateZH(d)
}

type change struct{ Type, Name, Reason string }

type download struct{ Label, URL string }

type catalogueBody struct {
	Title, TitleEN, NoticeTitle string
	No                          int
	Adjustment, Current         bool
	CurrentURL, ReportURL       string
	PublishedAt, PublishedOn    string
	DocNo                       string
	ConsentNo, ConsentOn        string
	MeetingRef, HeldOn          string
	Channels                    []channel
	Headers                     []string
	Rows                        []itemRow
	Hearings                    []itemRow
	Changes                     []change
	Anchor                      workflow.Anchor
	ContentSHA256               string
	AsOf                        string
	Downloads                   []download
	Versions                    []versionLink
}

// publicCompletion is 完成情况 as the public reads it (which decisions are
// behind it is not public unless their pages are).
type publicCompletion struct {
	Code    string                     `json:"code"`
	Text    string                     `json:"text"`
	TextEN  string                     `json:"text_en"`
	Late    bool                       `json:"late"`
	Due     string                     `json:"due"`
	Removal *workflow.CatalogueRemoval `json:"removal,omitempty"`
}

type itemJSON struct {
	No              int              `json:"no"`
	ItemID          int64            `json:"item_id"`
	Name            string           `json:"name"`
	Organ           string           `json:"organ"`
	UndertakingUnit string           `json:"undertaking_unit"`
	Basis           string           `json:"basis"`
	Procedures      []string         `json:"procedures"`
	Hearing         bool             `json:"hearing"`
	Planned         string           `json:"planned"`
	Completion      publicCompletion `json:"completion"`
	Note            string           `json:"note"`
	// Row is the item in the ten columns, exactly as the CSV and the
	// workbook print it.
	Row []string `json:"row"`
}

type changeJSON struct {
	ItemID int64  `json:"item_id"`
	Change string `json:"change"`
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

type versionJSON struct {
	No          int    `json:"no"`
	Kind        string `json:"kind"`
	PublishedAt string `json:"published_at"`
	DocNo       string `json:"doc_no"`
	URL         string `json:"url"`
	Current     bool   `json:"current"`
}

type catalogueJSON struct {
	Title          string          `json:"title"`
	Organ          string          `json:"organ"`
	OrganID        int64           `json:"organ_id"`
	Year           int             `json:"year"`
	Version        int             `json:"version"`
	Kind           string          `json:"kind"`
	Current        bool            `json:"current"`
	PublishedAt    string          `json:"published_at"`
	Approval       map[string]any  `json:"approval"`
	PartyConsent   map[string]any  `json:"party_consent"`
	Publication    map[string]any  `json:"publication"`
	Anchor         workflow.Anchor `json:"anchor"`
	ContentSHA256  string          `json:"content_sha256"`
	CompletionAsOf string          `json:"completion_as_of"`
	Columns        []string        `json:"columns"`
	Items          []itemJSON      `json:"items"`
	HearingItems   []int           `json:"hearing_items"`
	Changes        []changeJSON    `json:"changes"`
	Versions       []versionJSON   `json:"versions"`
	Counts         map[string]int  `json:"counts,omitempty"`
}

// hearingNos are the numbers (序号) of the items that hold a hearing.
func hearingNos(rows []itemRow) []int {
	out := []int{}
	for _, r := range rows {
		if r.Item.Hearing {
			out = append(out, r.No)
		}
	}
	return out
}

// csvDownload and xlsxDownload render tables as an attachment named name
// (and ascii for clients without RFC 6266).
func csvDownload(t table, name, ascii string) (*rendered, error) {
	b, err := t.csvBytes()
	if err != nil {
		return nil, err
	}
	return newRendered(b, contentTypes["csv"]).download(name+".csv", ascii+".csv"), nil
}

func xlsxDownload(sheets []table, author, name, ascii string) (*rendered, error) {
	b, err := xlsxBytes(sheets[0].Title, author, sheets...)
	if err != nil {
		return nil, err
	}
	return newRendered(b, contentTypes["xlsx"]).download(name+".xlsx", ascii+".xlsx"), nil
}

func itemsJSON(rows []itemRow, organ string) []itemJSON {
	out := make([]itemJSON, len(rows))
	for i, r := range rows {
		c := r.Completion
		out[i] = itemJSON{No: r.No, ItemID: r.Item.ItemID, Name: r.Item.Name, Organ: organ, UndertakingUnit: r.Item.UndertakingUnit,
			Basis: r.Item.Basis, Procedures: r.Item.Procedures, Hearing: r.Item.Hearing, Planned: r.Item.Planned, Note: r.Item.Note, Row: r.Cells,
			Completion: publicCompletion{Code: c.Code, Text: c.Text, TextEN: c.TextEN, Late: c.Late, Due: c.Due, Removal: c.Removal}}
	}
	return out
}

// anchorLine is the anchor as every export prints it.
func anchorLine(a workflow.Anchor, content string) string {
	return fmt.Sprintf("审计锚点（公布时审计链链头）：seq %d，hash %s；内容SHA-256：%s", a.Seq, a.Hash, content)
}

// serveOrgan serves a page of the organ named by ?organ= (the top-level
// organ without it); downloads carry no display settings.
func (p *Public) serveOrgan(c *gin.Context, ext string, build func(ctx context.Context, asOf time.Time, organ *workflow.Unit, organParam string, pr prefs) (*rendered, error)) {
	q := c.Request.URL.Query()
	pr := readPrefs(q)
	if ext != "html" {
		pr = prefs{lang: "zh"}
	}
	organ, organParam, err := p.organOf(c.Request.Context(), q)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	p.serve(c, cacheKey(c, organParam, pr), func(ctx context.Context, asOf time.Time) (*rendered, error) {
		return build(ctx, asOf, organ, organParam, pr)
	})
}

// catalogue renders version no (0: the current one) of the organ's
// catalogue of year in format ext.
func (p *Public) catalogue(c *gin.Context, year, no int, ext string) {
	p.serveOrgan(c, ext, func(ctx context.Context, asOf time.Time, organ *workflow.Unit, organParam string, pr prefs) (*rendered, error) {
		v, err := p.db.PublishedCatalogue(ctx, organ.ID, year, no)
		if err != nil {
			return nil, err
		}
		rep, err := p.db.YearReport(ctx, organ.ID, year)
		if err != nil {
			return nil, err
		}
		comp := map[int64]workflow.Completion{}
		for _, it := range rep.Items {
			comp[it.ItemID] = it.Completion
		}
		groups, err := p.organGroups(ctx, pr)
		if err != nil {
			return nil, err
		}
		var versions []versionLink
		for _, g := range groups {
			for _, y := range g.Years {
				if g.Name == organ.Name && y.Year == year {
					versions = y.Versions
				}
			}
		}
		current := len(versions) > 0 && versions[len(versions)-1].No == v.No
		rows := rowsOf(organ.Name, v.Listed(), comp)
		title := v.Title()
		info := []string{
			fmt.Sprintf("第%d版%s；%s公布（%s）；经同级党委同意（%s，%s）", v.No, map[bool]string{true: "（目录调整）", false: ""}[v.Kind == workflow.CatalogueKindAdjustment],
				dateZH(str(v.Publication, "published_on")), str(v.Publication, "doc_no"), str(v.Consent, "doc_no"), dateZH(str(v.Consent, "consented_on"))),
			anchorLine(*v.Anchor, v.ContentSHA256),
			"完成情况由关联决策的状态生成，数据截至 " + minute(asOf),
		}
		main := table{Name: "目录", Title: title, Info: info, Headers: workflow.CatalogueHeaders}
		for _, r := range rows {
			main.Rows = append(main.Rows, r.Cells)
		}
		base := fmt.Sprintf("%s%d年度重大行政决策事项目录（第%d版）", organ.Name, year, v.No)
		ascii := fmt.Sprintf("catalogue-%d-%d-v%d", organ.ID, year, v.No)
		switch ext {
		case "csv":
			return csvDownload(main, base, ascii)
		case "xlsx":
			sheets := []table{main, hearingTable(title, rows)}
			if v.Kind == workflow.CatalogueKindAdjustment {
				sheets = append(sheets, changesTable(v.NoticeTitle(), v))
			}
			return xlsxDownload(sheets, organ.Name, base, ascii)
		case "json":
			j := catalogueJSON{Title: title, Organ: organ.Name, OrganID: organ.ID, Year: year, Version: v.No, Kind: v.Kind, Current: current,
				PublishedAt: minute(*v.PublishedAt), Approval: v.Approval, PartyConsent: v.Consent, Publication: v.Publication,
				Anchor: *v.Anchor, ContentSHA256: v.ContentSHA256, CompletionAsOf: minute(asOf), Columns: workflow.CatalogueHeaders,
				Items: itemsJSON(rows, organ.Name), HearingItems: hearingNos(rows), Changes: []changeJSON{}}
			for _, it := range v.Changes() {
				j.Changes = append(j.Changes, changeJSON{ItemID: it.ItemID, Change: it.Change, Name: it.Name, Reason: it.ChangeReason})
			}
			for _, vl := range versions {
				j.Versions = append(j.Versions, versionJSON{No: vl.No, Kind: vl.Kind, PublishedAt: vl.PublishedAt, DocNo: vl.DocNo,
					URL: catalogueURL(prefs{lang: "zh"}, year, organParam, "v"+strconv.Itoa(vl.No), "json"), Current: vl.Current})
			}
			b, err := json.MarshalIndent(j, "", "  ")
			if err != nil {
				return nil, err
			}
			return newRendered(b, contentTypes["json"]), nil
		}
		body := catalogueBody{Title: title, TitleEN: v.TitleEN(), NoticeTitle: v.NoticeTitle(), No: v.No,
			Adjustment: v.Kind == workflow.CatalogueKindAdjustment, Current: current,
			CurrentURL: catalogueURL(pr, year, organParam, "", ""), ReportURL: catalogueURL(pr, year, organParam, "report", ""),
			PublishedAt: minute(*v.PublishedAt), PublishedOn: dateZH(str(v.Publication, "published_on")), DocNo: str(v.Publication, "doc_no"),
			ConsentNo: str(v.Consent, "doc_no"), ConsentOn: dateZH(str(v.Consent, "consented_on")),
			MeetingRef: str(v.Approval, "meeting_ref"), HeldOn: dateZH(str(v.Approval, "held_on")),
			Channels: channelsOf(v.Publication), Headers: workflow.CatalogueHeaders, Rows: rows,
			Anchor: *v.Anchor, ContentSHA256: v.ContentSHA256, AsOf: minute(asOf), Versions: versions}
		for _, r := range rows {
			if r.Item.Hearing {
				body.Hearings = append(body.Hearings, r)
			}
		}
		for _, it := range v.Changes() {
			body.Changes = append(body.Changes, change{Type: changeZH[it.Change], Name: it.Name, Reason: it.ChangeReason})
		}
		sub := ""
		if no > 0 {
			sub = "v" + strconv.Itoa(no)
		}
		for _, f := range []string{"csv", "xlsx", "json"} {
			body.Downloads = append(body.Downloads, download{Label: map[string]string{"csv": "CSV", "xlsx": "Excel", "json": "JSON"}[f],
				URL: catalogueURL(pr, year, organParam, sub, f)})
		}
		t := templates.View{Lang: pr.lang}
		path := "/public/catalogues/" + strconv.Itoa(year)
		if sub != "" {
			path += "/" + sub
		}
		view := p.cfg.Site.view(pr, path, organParam, title,
			[]Meta{{"ColumnName", "重大行政决策事项目录"}, {"ColumnType", "目录"}, {"ArticleTitle", title}, {"PubDate", minute(*v.PublishedAt)}, {"ContentSource", organ.Name}},
			[]Crumb{{t.T("站点地图", "Site map"), pr.link("/public")}, {t.T("决策事项目录", "Catalogues"), pr.link("/public/catalogues")}}, body)
		return p.page("public/catalogue", view)
	})
}

type reportBody struct {
	Title        string
	Headers      []string
	Rows         []itemRow
	Counts       map[string]int
	AsOf         string
	Anchor       workflow.Anchor
	VersionNo    int
	CatalogueURL string
	Downloads    []download
}

// report renders the year's completion report (年度目录执行情况): every item
// ever published in the year's catalogue with its 完成情况.
func (p *Public) report(c *gin.Context, year int, ext string) {
	p.serveOrgan(c, ext, func(ctx context.Context, asOf time.Time, organ *workflow.Unit, organParam string, pr prefs) (*rendered, error) {
		rep, err := p.db.YearReport(ctx, organ.ID, year)
		if err != nil {
			return nil, err
		}
		var rows []itemRow
		comp := map[int64]workflow.Completion{}
		var items []workflow.CatalogueItem
		for _, it := range rep.Items {
			items = append(items, it.CatalogueItem)
			comp[it.ItemID] = it.Completion
		}
		rows = rowsOf(organ.Name, items, comp)
		title := fmt.Sprintf("%s%d年度重大行政决策事项目录执行情况", organ.Name, year)
		summary := fmt.Sprintf("共%d项：已完成%d项，推进中%d项，未启动%d项，未完成%d项，已调出目录%d项；逾期未完成%d项",
			rep.Counts["items"], rep.Counts[workflow.CompletionCompleted], rep.Counts[workflow.CompletionInProgress], rep.Counts[workflow.CompletionNotStarted],
			rep.Counts[workflow.CompletionEnded], rep.Counts[workflow.CompletionRemoved], rep.Counts["overdue"])
		info := []string{summary, anchorLine(*rep.Anchor, "") + fmt.Sprintf("（现行第%d版）", rep.VersionNo),
			"完成情况由关联决策的状态生成，数据截至 " + minute(asOf)}
		main := table{Name: "执行情况", Title: title, Info: info, Headers: workflow.CatalogueHeaders}
		ascii := fmt.Sprintf("catalogue-report-%d-%d", organ.ID, year)
		for _, r := range rows {
			main.Rows = append(main.Rows, r.Cells)
		}
		switch ext {
		case "csv":
			return csvDownload(main, title, ascii)
		case "xlsx":
			return xlsxDownload([]table{main}, organ.Name, title, ascii)
		case "json":
			j := catalogueJSON{Title: title, Organ: organ.Name, OrganID: organ.ID, Year: year, Version: rep.VersionNo, Current: true,
				Anchor: *rep.Anchor, CompletionAsOf: minute(asOf), Columns: workflow.CatalogueHeaders, Items: itemsJSON(rows, organ.Name),
				HearingItems: hearingNos(rows), Changes: []changeJSON{}, Versions: []versionJSON{}, Counts: rep.Counts}
			b, err := json.MarshalIndent(j, "", "  ")
			if err != nil {
				return nil, err
			}
			return newRendered(b, contentTypes["json"]), nil
		}
		body := reportBody{Title: title, Headers: workflow.CatalogueHeaders, Rows: rows, Counts: rep.Counts, AsOf: minute(asOf),
			Anchor: *rep.Anchor, VersionNo: rep.VersionNo, CatalogueURL: catalogueURL(pr, year, organParam, "", "")}
		for _, f := range []string{"csv", "xlsx", "json"} {
			body.Downloads = append(body.Downloads, download{Label: map[string]string{"csv": "CSV", "xlsx": "Excel", "json": "JSON"}[f],
				URL: catalogueURL(pr, year, organParam, "report", f)})
		}
		t := templates.View{Lang: pr.lang}
		view := p.cfg.Site.view(pr, "/public/catalogues/"+strconv.Itoa(year)+"/report", organParam, title,
			[]Meta{{"ColumnName", "重大行政决策事项目录"}, {"ColumnType", "目录执行情况"}, {"ArticleTitle", title}, {"PubDate", minute(asOf)}, {"ContentSource", organ.Name}},
			[]Crumb{{t.T("站点地图", "Site map"), pr.link("/public")}, {t.T("决策事项目录", "Catalogues"), pr.link("/public/catalogues")}}, body)
		return p.page("public/report", view)
	})
}
