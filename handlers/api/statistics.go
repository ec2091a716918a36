package api

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"decisiond/handlers/httpx"
	"decisiond/store"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"
)

// Indicator is one line of the annual report: a stable code, its Chinese
// and English names, and the value.
type Indicator struct {
	Code  string
	ZH    string
	EN    string
	Value string
}

var methodNames = map[string][2]string{
	"symposium": {"座谈会", "symposium"}, "hearing": {"听证会", "hearing"}, "field_visit": {"实地走访", "field visit"},
	"written_consultation": {"书面征求意见", "written consultation"}, "online_comment": {"网上征求意见", "online comment"},
	"questionnaire": {"问卷调查", "questionnaire"}, "opinion_poll": {"民意调查", "opinion poll"}, "group_consultation": {"专题协商", "group consultation"},
}

var gradeNames = map[string][2]string{"low": {"低风险", "low"}, "medium": {"中风险", "medium"}, "high": {"高风险", "high"}, "prior": {"沿用已有评估", "prior assessment"}}

var outcomeNames = map[string][2]string{
	workflow.OutcomeLegal: {"合法", "legal"}, workflow.OutcomeLegalWithRevisions: {"修改后合法", "legal with revisions"},
	workflow.OutcomeIllegal: {"不合法", "illegal"}, workflow.OutcomeExploratoryWithRisk: {"探索性改革（风险提示）", "exploratory, with risk statement"},
}

// Indicators are an organ's figures in report order.
func Indicators(s *store.OrganStatistics) []Indicator {
	var out []Indicator
	n := func(code, zh, en string, v int) {
		out = append(out, Indicator{code, zh, en, strconv.Itoa(v)})
	}
	n("proposed", "登记决策事项建议", "proposals recorded", s.Proposed)
	n("launched", "启动决策程序", "decisions launched", s.Launched)
	n("declined", "不予启动", "declined", s.Declined)
	n("approved", "集体讨论通过", "approved at the meeting", s.Approved)
	n("published", "公布决策", "published", s.Published)
	n("completed", "执行完毕", "completed", s.Completed)
	n("withdrawn", "撤回", "withdrawn", s.Withdrawn)
	n("rejected", "未通过", "rejected", s.Rejected)
	n("participation_started", "开展公众参与", "public participation held", s.ParticipationStarted)
	for _, m := range workflow.ParticipationMethods {
		name := methodNames[m]
		n("participation_method."+m, "公众参与方式："+name[0], "participation method: "+name[1], s.ParticipationMethods[m])
	}
	n("participation_waived", "依法免于公众参与", "participation waived", s.ParticipationWaived)
	n("hearings", "举行听证会", "hearings held", s.Hearings)
	n("comments_received", "网上收到公众意见（条）", "public comments received online", s.CommentsReceived)
	n("comments_answered", "意见采纳情况中答复的公众意见（条）", "public comments answered by an adoption report", s.CommentsAnswered)
	for _, m := range workflow.CommentMarks {
		l := workflow.HandlingLabel(m)
		n("comments_marked."+m, "标注为"+l.ZH+"的公众意见（条）", "public comments marked "+l.EN, s.CommentsMarked[m])
	}
	n("expert_reviews", "开展专家论证", "expert reviews", s.ExpertReviews)
	n("expert_reviews_waived", "免于专家论证", "expert reviews waived", s.ExpertReviewsWaived)
	for _, g := range store.RiskGrades {
		name := gradeNames[g]
		n("risk_assessment."+g, "风险评估："+name[0], "risk assessment: "+name[1], s.RiskAssessments[g])
	}
	n("risk_not_controllable", "风险评估认为风险不可控", "risks found not controllable", s.RiskNotControllable)
	n("risk_waived", "免于风险评估", "risk assessments waived", s.RiskWaived)
	for _, o := range store.OpinionOutcomes {
		name := outcomeNames[o]
		n("legality_opinion."+o, "合法性审查意见："+name[0], "legality opinion: "+name[1], s.LegalityOpinions[o])
	}
	rt := s.ReviewTime
	n("review_time.count", "合法性审查用时（计入的意见数）", "legality review time: opinions counted", rt.Count)
	out = append(out, Indicator{"review_time.average", "合法性审查平均用时（工作日）", "legality review time: average (working days)", strconv.FormatFloat(rt.Average, 'f', 1, 64)})
	out = append(out, Indicator{"review_time.median", "合法性审查用时中位数（工作日）", "legality review time: median (working days)", strconv.FormatFloat(rt.Median, 'f', 1, 64)})
	n("review_time.max", "合法性审查最长用时（工作日）", "legality review time: longest (working days)", rt.Max)
	n("review_time.over_service_level", "超过审查办理时限的意见", "opinions later than the service level", rt.OverServiceLevel)
	n("stuck", "久拖不决的决策事项（截至统计时）", "decisions stuck (at the time of the report)", s.Stuck)
	return out
}

// Statistics: GET /api/v1/statistics?year=&organ=&format=json|csv|xlsx —
// the annual rule-of-law report's figures per organ (法治政府建设年度报告):
// an organ's office and leaders read their own organ, the audit
// administrator every organ. CSV (UTF-8 with BOM) and XLSX downloads are
// exports, recorded as security events.
func (a *API) Statistics(c *gin.Context) {
	var inv workflow.Invalid
	year := workflow.DateOf(a.db.Now()).Year()
	if _, ok := c.GetQuery("year"); ok {
		year = httpx.QueryInt(c, "year", &inv)
	}
	organ := httpx.QueryID(c, "organ", &inv)
	format := c.DefaultQuery("format", "json")
	if format != "json" && format != "csv" && format != "xlsx" {
		inv.Add("format", "格式应为 json、csv 或 xlsx", "format must be json, csv or xlsx")
	}
	if err := inv.Err(); err != nil {
		httpx.Fail(c, err)
		return
	}
	who := httpx.Actor(c)
	st, err := a.db.Statistics(c.Request.Context(), who, year, organ)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	if format == "json" {
		c.PureJSON(http.StatusOK, st)
		return
	}
	var body []byte
	var ctype string
	if format == "csv" {
		body, ctype = statisticsCSV(st), "text/csv; charset=utf-8"
	} else if body, err = statisticsXLSX(st); err != nil {
		httpx.Fail(c, err)
		return
	} else {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	rows := 0
	for i := range st.Organs {
		rows += len(Indicators(&st.Organs[i]))
	}
	if err := a.db.RecordExport(c.Request.Context(), who, "statistics", map[string]any{"year": year, "organ": organ, "format": format}, rows); err != nil {
		httpx.Fail(c, err)
		return
	}
	name := fmt.Sprintf("decisiond-statistics-%d.%s", year, format)
	zh := fmt.Sprintf("法治政府建设年度统计-%d.%s", year, format)
	c.Header("Content-Disposition", `attachment; filename="`+name+`"; filename*=UTF-8''`+url.PathEscape(zh))
	c.Data(http.StatusOK, ctype, body)
}

// statisticsHeader is the header row of the CSV and of the XLSX sheet.
var statisticsHeader = []string{"决策机关编号 organ_id", "决策机关 organ", "年度 year", "指标代码 indicator", "指标", "indicator", "数值 value"}

// statisticsCSV is the report as CSV, UTF-8 with a BOM so that Excel opens
// the Chinese intact; one row per organ and indicator, then the stuck
// decisions.
func statisticsCSV(st *store.Statistics) []byte {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	_ = w.Write(statisticsHeader)
	for i := range st.Organs {
		o := &st.Organs[i]
		for _, ind := range Indicators(o) {
			_ = w.Write([]string{strconv.FormatInt(o.OrganID, 10), o.OrganName, strconv.Itoa(st.Year), ind.Code, ind.ZH, ind.EN, ind.Value})
		}
	}
	_ = w.Write(nil)
	_ = w.Write([]string{"决策机关编号 organ_id", "决策机关 organ", "决策编号 decision_id", "久拖不决事项 stuck decision", "状态 state", "自 since", "期限 due_on"})
	for _, o := range st.Organs {
		for _, s := range o.StuckDecisions {
			_ = w.Write([]string{strconv.FormatInt(o.OrganID, 10), o.OrganName, strconv.FormatInt(s.ID, 10), s.Title, s.State, s.Since, s.DueOn})
		}
	}
	w.Flush()
	return b.Bytes()
}

// statisticsXLSX is the report as a workbook: a sheet of indicators and a
// sheet of stuck decisions.
func statisticsXLSX(st *store.Statistics) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const main, stuck = "统计 Statistics", "久拖不决 Stuck"
	if err := f.SetSheetName("Sheet1", main); err != nil {
		return nil, err
	}
	if _, err := f.NewSheet(stuck); err != nil {
		return nil, err
	}
	put := func(sheet string, row int, vals ...any) error {
		cell, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		return f.SetSheetRow(sheet, cell, &vals)
	}
	hdr := make([]any, len(statisticsHeader))
	for i, h := range statisticsHeader {
		hdr[i] = h
	}
	if err := put(main, 1, hdr...); err != nil {
		return nil, err
	}
	row := 2
	for i := range st.Organs {
		o := &st.Organs[i]
		for _, ind := range Indicators(o) {
			var v any = ind.Value
			if n, err := strconv.ParseFloat(ind.Value, 64); err == nil {
				v = n
			}
			if err := put(main, row, o.OrganID, o.OrganName, st.Year, ind.Code, ind.ZH, ind.EN, v); err != nil {
				return nil, err
			}
			row++
		}
	}
	if err := put(stuck, 1, "决策机关编号 organ_id", "决策机关 organ", "决策编号 decision_id", "久拖不决事项 stuck decision", "状态 state", "自 since", "期限 due_on"); err != nil {
		return nil, err
	}
	row = 2
	for _, o := range st.Organs {
		for _, s := range o.StuckDecisions {
			if err := put(stuck, row, o.OrganID, o.OrganName, s.ID, s.Title, s.State, s.Since, s.DueOn); err != nil {
				return nil, err
			}
			row++
		}
	}
	_ = f.SetColWidth(main, "B", "B", 24)
	_ = f.SetColWidth(main, "D", "F", 36)
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
