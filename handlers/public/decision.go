package public

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"decisiond/handlers/httpx"
	"decisiond/handlers/templates"
	"decisiond/store"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// A published decision's page: the document header table (索引号, 主题分类,
// 发文机关, 成文日期, 标题, 发文字号, 发布日期), the text, the publication
// channels, the adoption explanation (Art. 32) and — when it was stopped,
// suspended or superseded — a notice saying so, linking to what replaced it.

type headerRow struct{ Label, LabelEN, Value string }

type notice struct {
	Text, TextEN string
	Link, Title  string
	Alert        bool
}

type decisionBody struct {
	Title               string
	Header              []headerRow
	Paragraphs          []string
	Channels            []channel
	AdoptionExplanation []string
	Notice              *notice
	// Participation: the comments received online and the adoption
	// report per main opinion (nil when there was none).
	Participation *participationView
}

type participationView struct {
	Comments int
	Marked   []markCount
	Items    []adoptionRow
	URL      string // the consultation's page
}

type markCount struct {
	Label string
	N     int
}

type adoptionRow struct {
	Opinion, Adopted, Reason string
	Comments                 int
}

// participationOf is the participation section of a published decision's
// page: the adoption explanation per main opinion (Art. 18, 32) and the
// comments received online.
func participationOf(s *store.ParticipationSummary, pr prefs, id int64) *participationView {
	if s == nil {
		return nil
	}
	t := templates.View{Lang: pr.lang}
	v := &participationView{Comments: s.Comments, URL: pr.link("/public/consultations/" + strconv.FormatInt(id, 10))}
	for _, m := range workflow.CommentMarks {
		if n := s.Marked[m]; n > 0 {
			l := workflow.HandlingLabel(m)
			v.Marked = append(v.Marked, markCount{Label: t.T(l.ZH, l.EN), N: n})
		}
	}
	for _, it := range s.Items {
		row := adoptionRow{Opinion: it.Opinion, Reason: it.Reason, Comments: it.Comments, Adopted: t.T("未采纳", "Not adopted")}
		if it.Adopted {
			row.Adopted = t.T("采纳", "Adopted")
		}
		v.Items = append(v.Items, row)
	}
	return v
}

// categoryZH names the Art. 3 categories as 主题分类.
var categoryZH = map[string]string{
	"public_policy":    "重大公共政策和措施",
	"major_plan":       "经济和社会发展等方面的重要规划",
	"resources_policy": "开发利用、保护重要自然资源和文化资源的重大公共政策和措施",
	"public_project":   "重大公共建设项目",
	"other_major":      "其他重大事项",
}

func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func recordMap(r *workflow.Record) map[string]any {
	if r == nil {
		return map[string]any{}
	}
	m, err := workflow.DecodeData(r.Data)
	if err != nil {
		return map[string]any{}
	}
	return m
}

// indexNo is the decision's 索引号: organ / year of publication - number.
func indexNo(d *store.PublicDecision) string {
	return fmt.Sprintf("%06d/%d-%05d", d.Decision.OrganID, d.Publish.At.In(workflow.ChinaTime).Year(), d.Decision.ID)
}

// Decision: GET /public/decisions/{id} — a published decision's page;
// anything not published (or lawfully withheld) is 404.
func (p *Public) Decision(c *gin.Context) {
	id, err := httpx.PathID(c, "id")
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	pr := readPrefs(c.Request.URL.Query())
	p.serve(c, cacheKey(c, "", pr), func(ctx context.Context, asOf time.Time) (*rendered, error) {
		d, err := p.db.PublicDecision(ctx, id)
		if err != nil {
			return nil, err
		}
		t := templates.View{Lang: pr.lang}
		pub := recordMap(d.Publish)
		held := ""
		if m, ok := recordMap(d.Approve)["meeting"].(map[string]any); ok {
			held = dateZH(str(m, "held_on"))
		}
		topic := categoryZH[d.Decision.Category]
		if len(d.Decision.Domains) > 0 {
			topic += "（" + strings.Join(d.Decision.Domains, "、") + "）"
		}
		body := decisionBody{Title: d.Decision.Title, Paragraphs: paragraphs(d.Text), Channels: channelsOf(pub),
			AdoptionExplanation: paragraphs(str(pub, "adoption_explanation")),
			Header: []headerRow{
				{"索引号", "Index no.", indexNo(d)},
				{"主题分类", "Subject", topic},
				{"发文机关", "Issuing organ", d.OrganName},
				{"成文日期", "Adopted on", held},
				{"标题", "Title", d.Decision.Title},
				{"发文字号", "Document no.", str(pub, "doc_no")},
				{"发布日期", "Published", minute(d.Publish.At)},
			}}
		body.Notice = p.decisionNotice(d, pr)
		body.Participation = participationOf(d.Participation, pr, id)
		view := p.cfg.Site.view(pr, "/public/decisions/"+strconv.FormatInt(id, 10), "", d.Decision.Title,
			[]Meta{{"ArticleTitle", d.Decision.Title}, {"PubDate", minute(d.Publish.At)}, {"ContentSource", d.OrganName}},
			[]Crumb{{t.T("站点地图", "Site map"), pr.link("/public")}}, body)
		return p.page("public/decision", view)
	})
}

// decisionNotice says on the decision's own page that it no longer stands
// as published (Art. 37), linking to what replaced it.
func (p *Public) decisionNotice(d *store.PublicDecision, pr prefs) *notice {
	end := recordMap(d.End)
	on := ""
	if d.End != nil {
		on = workflow.DateZH(workflow.DateOf(d.End.At))
		if m, ok := end["meeting"].(map[string]any); ok && str(m, "held_on") != "" {
			on = dateZH(str(m, "held_on"))
		}
	}
	switch d.Decision.State {
	case workflow.StStopped:
		return &notice{Alert: true, Text: "本决策已于" + on + "经决策机关决定停止执行（《重大行政决策程序暂行条例》第三十七条），不再执行。",
			TextEN: "This decision was stopped by the organ's decision (Art. 37) and is no longer in force."}
	case workflow.StSuspended:
		return &notice{Alert: true, Text: "本决策已中止执行（《重大行政决策程序暂行条例》第三十七条），恢复执行前暂停实施。",
			TextEN: "Execution of this decision is suspended (Art. 37)."}
	case workflow.StCompleted:
		return &notice{Text: "本决策已执行完毕。", TextEN: "This decision has been carried out in full."}
	case workflow.StSuperseded:
		n := &notice{Alert: true, Text: "本决策已于" + on + "经决策机关决定作重大调整，另行决策（《重大行政决策程序暂行条例》第三十七条）。",
			TextEN: "This decision was superseded by a major adjustment decided by the organ (Art. 37)."}
		if r := d.Replacement; r != nil {
			n.Title = r.Title
			if r.Public {
				n.Link = pr.link("/public/decisions/" + strconv.FormatInt(r.ID, 10))
				n.Text += "调整后的决策："
				n.TextEN += " It is replaced by:"
			} else {
				n.Text += "调整后的决策「" + r.Title + "」正在依法定程序办理，公布后在此链接。"
				n.TextEN += " The adjusted decision is going through the procedure and will be linked here once published."
				n.Title = ""
			}
		}
		return n
	}
	return nil
}
