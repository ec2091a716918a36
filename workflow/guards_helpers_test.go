package workflow

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// Helpers for the guard tests: Facts are built directly (no database) for a
// decision in a given state with given records, and the clock is pinned.

// gNow is the pinned server clock of the guard tests: 2026-11-20 10:00 in
// China, so f.Today() is 2026-11-20.
var gNow = time.Date(2026, 11, 20, 10, 0, 0, 0, ChinaTime)

const (
	gToday     = "2026-11-20"
	gTomorrow  = "2026-11-21"
	gYesterday = "2026-11-19"
	draftHash1 = "d1d1d1d1"
	draftHash2 = "d2d2d2d2"
)

// The people of the tests.
var (
	drafter   = Actor{UserID: 10, Name: "承办人甲", Roles: []Role{RoleUndertaking}, UnitID: 3}
	submitter = Actor{UserID: 11, Name: "承办人乙", Roles: []Role{RoleUndertaking}, UnitID: 3}
	reviewer  = Actor{UserID: 20, Name: "审查员", Roles: []Role{RoleLegalReviewer}, UnitID: 5}
	clerk     = Actor{UserID: 30, Name: "办公室", Roles: []Role{RoleOffice}, UnitID: 1}
	head      = Actor{UserID: 40, Name: "市长", Roles: []Role{RoleLeader}, UnitID: 1} // the organ's head (gUnits)
	viceHead  = Actor{UserID: 41, Name: "副市长甲", Roles: []Role{RoleLeader}, UnitID: 1}
	executor1 = Actor{UserID: 50, Name: "执行单位", Roles: []Role{RoleExecutor}, UnitID: 4}
	engine    = Actor{Name: "system", Roles: []Role{RoleSystem}}
)

func i64(n int64) *int64 { return &n }

// gUnits: the organ 1 (its head the user 40, its review body the unit 5)
// and its units 3 (undertaking), 4 (execution), 5 (司法局).
func gUnits() map[int64]Unit {
	return map[int64]Unit{
		1: {ID: 1, Name: "西宁市人民政府", Kind: "organ", HeadUserID: i64(40), ReviewUnitID: i64(5)},
		3: {ID: 3, Name: "市交通运输局", Kind: "unit", ParentID: i64(1)},
		4: {ID: 4, Name: "市公交集团", Kind: "unit", ParentID: i64(1)},
		5: {ID: 5, Name: "市司法局", Kind: "unit", ParentID: i64(1)},
	}
}

// nationalPack and qinghaiPack mirror seeds/rules (workflow tests cannot
// import seeds).
func nationalPack() RulePack {
	return RulePack{Code: NationalRulePackCode, Name: "全国基准规则", Basis: []string{"《重大行政决策程序暂行条例》"},
		CommentPeriodDays: 30, HearingNoticeDays: 7, ReviewWorkingDays: 7, MandatoryRiskDomains: []string{}, StuckDecisionDays: 365}
}

func qinghaiPack() RulePack {
	p := nationalPack()
	p.Code, p.Name = "qinghai", "青海省规则包"
	p.MandatoryRiskDomains = []string{"生态环境保护", "安全生产", "自然资源", "教育培训", "食品安全", "公共卫生", "劳动保障",
		"城市管理", "交通运输", "金融服务", "网络安全", "民族团结进步", "促进民生福祉"}
	p.PostponementLapseDays, p.ReviewerServiceLevelWorkingDays, p.StuckDecisionDays = 365, 7, 180
	return p
}

// dayRange lists every date from first to last inclusive.
func dayRange(first, last string) []string {
	a, _ := ParseDate(first)
	b, _ := ParseDate(last)
	var out []string
	for d := a; !d.After(b); d = d.AddDate(0, 0, 1) {
		out = append(out, FormatDate(d))
	}
	return out
}

// guardCalendar is the 2026 calendar of reference/cn-public-holidays.md,
// written out literally.
func guardCalendar(t testing.TB) *Calendar {
	t.Helper()
	c, err := NewCalendar(CalendarYear{
		Year: 2026,
		Holidays: slices.Concat(
			dayRange("2026-01-01", "2026-01-03"), // 元旦
			dayRange("2026-02-15", "2026-02-23"), // 春节
			dayRange("2026-04-04", "2026-04-06"), // 清明节
			dayRange("2026-05-01", "2026-05-05"), // 劳动节
			dayRange("2026-06-19", "2026-06-21"), // 端午节
			dayRange("2026-09-25", "2026-09-27"), // 中秋节
			dayRange("2026-10-01", "2026-10-07"), // 国庆节
		),
		Workdays: []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"},
		Source:   "reference/cn-public-holidays.md",
	})
	if err != nil {
		t.Fatalf("NewCalendar: %v", err)
	}
	return c
}

// newFacts returns a decision in state with a current draft, the national
// rule pack and the pinned clock; records are added with addRec.
func newFacts(t testing.TB, state State) *Facts {
	t.Helper()
	return &Facts{
		Decision: Decision{ID: 7, Title: "西宁市城市公共交通票价调整方案", OrganID: 1, UndertakingUnitID: i64(3),
			Flags: Flags{Category: "public_policy", Domains: []string{}}, State: state, Version: 1,
			CurrentDraftHash: draftHash1, CreatedAt: gNow.AddDate(0, -6, 0), StateSince: gNow.AddDate(0, 0, -10)},
		DrafterIDs:       []int64{drafter.UserID},
		ExecutionUnitIDs: []int64{4},
		Units:            gUnits(),
		HeadName:         "市长",
		Rules:            nationalPack(),
		Calendar:         guardCalendar(t),
		Now:              gNow,
	}
}

// addRec appends a record of event with data (a map or a JSON string),
// bound to the current draft, recorded a day before the pinned clock by
// actor. It returns the record's ID.
func addRec(t testing.TB, f *Facts, event string, data any, actor Actor) int64 {
	t.Helper()
	var raw []byte
	switch d := data.(type) {
	case string:
		raw = []byte(d)
	case nil:
		raw = []byte("{}")
	default:
		var err error
		if raw, err = json.Marshal(d); err != nil {
			t.Fatal(err)
		}
	}
	id := int64(len(f.Records) + 100)
	f.Records = append(f.Records, Record{ID: id, Event: event, ActorID: actor.UserID, ActorName: actor.Name,
		Data: raw, DraftHash: f.Decision.CurrentDraftHash, At: gNow.AddDate(0, 0, -1)})
	return id
}

// M is a JSON object in a test.
type M = map[string]any

// A is a JSON array in a test.
type A = []any

// fire runs one act through New().Fire; data is a map or a JSON string and
// goes through DecodeData as a request body would.
func fire(t testing.TB, f *Facts, actor Actor, event string, data any) (*Outcome, error) {
	t.Helper()
	raw, ok := data.(string)
	if !ok {
		b, err := json.Marshal(data)
		if err != nil {
			t.Fatal(err)
		}
		raw = string(b)
	}
	m, err := DecodeData([]byte(raw))
	if err != nil {
		t.Fatalf("DecodeData(%s): %v", raw, err)
	}
	return New().Fire(context.Background(), f, Act{Event: event, Data: m, Actor: actor})
}

// allowed fails unless the act was allowed.
func allowed(t testing.TB, out *Outcome, err error) *Outcome {
	t.Helper()
	if err != nil {
		t.Fatalf("act refused, want allowed: %v", err)
	}
	return out
}

// refused fails unless the act was refused with code; a legal rule's
// refusal names its article and says why in Chinese and in English.
func refused(t testing.TB, err error, code string) *Error {
	t.Helper()
	if err == nil {
		t.Fatalf("act allowed, want refused with %s", code)
	}
	if got := ErrorCode(err); got != code {
		t.Fatalf("refused with %q, want %q (%v)", got, code, err)
	}
	e, _ := AsError(err)
	if e.ZH == "" || e.EN == "" {
		t.Errorf("refusal without both messages: %+v", e)
	}
	generic := []string{CodeValidationFailed, CodeForbidden, CodeInvalidTransition, CodeNotFound, CodeVersionConflict, CodeCalendarYearUnknown}
	if !slices.Contains(generic, code) && e.Article == "" {
		t.Errorf("refusal %s names no article: %+v", code, e)
	}
	return e
}

// refusedField fails unless the act was refused as validation_failed naming
// field.
// refusedRule asserts a 403 forbidden that names the rule.
func refusedRule(t testing.TB, err error, rule string) *Error {
	t.Helper()
	e := refused(t, err, CodeForbidden)
	if e.Rule != rule {
		t.Fatalf("forbidden by rule %q, want %q (%v)", e.Rule, rule, err)
	}
	return e
}

func refusedField(t testing.TB, err error, field string) *Error {
	t.Helper()
	e := refused(t, err, CodeValidationFailed)
	for _, fe := range e.Fields {
		if fe.Field == field {
			return e
		}
	}
	t.Fatalf("validation_failed does not name %q: %v", field, err)
	return nil
}

// mentions fails unless the refusal's Chinese or English text contains each
// of the strings.
func mentions(t testing.TB, e *Error, subs ...string) {
	t.Helper()
	text := e.ZH + " / " + e.EN
	for _, f := range e.Fields {
		text += " / " + f.Field + ": " + f.ZH + " " + f.EN
	}
	for _, s := range subs {
		if !strings.Contains(text, s) {
			t.Errorf("refusal does not mention %q: %s", s, text)
		}
	}
}

// clone deep-copies a JSON-shaped map so a subtest can edit its own.
// Payloads from PROCEDURE.md § Example payloads.

func participationData(opened, closes string) M {
	return M{"methods": A{"online_comment"}, "notice": M{"channels": A{"市政府网站"}, "opened_on": opened, "closes_on": closes}}
}

func adoptionData() M {
	return M{"adoption_report": A{M{"opinion": "建议延长换乘优惠时段", "adopted": false, "reason": "财政承受能力有限"}}}
}

func expertData() M {
	return M{"experts": A{
		M{"name": "王某", "field": "交通经济", "conflict_of_interest": false, "signed": true},
		M{"name": "赵某", "field": "公共财政", "conflict_of_interest": false, "signed": true, "differing_view": true, "institution": "某大学"},
	}, "adoption_report": A{M{"opinion": "分步实施", "adopted": true}}}
}

func riskData() M {
	return M{"risk_points": A{"低收入群体出行负担"}, "measures": A{"保留老年人免费乘车"},
		"contingency_plan": "舆情应对预案", "grade": "low", "controllable": true, "assessor": "某社会稳定风险评估中心"}
}

func submissionData(submitted, due string) M {
	return M{"submitted_on": submitted, "review_due_on": due,
		"materials": M{"draft": true, "legal_basis": A{"《中华人民共和国价格法》第二十三条"}, "procedure_explanation": "已履行公众参与、专家论证、风险评估程序"}}
}

func opinionData(outcome string) M {
	m := M{"outcome": outcome, "findings": M{"authority": "符合法定权限", "procedure": "程序完备", "content": "内容合法"},
		"adviser_opinions": A{M{"adviser": "李律师", "opinion": "无法律障碍"}}}
	if outcome == OutcomeLegalWithRevisions {
		m["revisions"] = A{"第五条表述不准确"}
	}
	return m
}

var memberNames = []string{"委员甲", "委员乙", "委员丙", "委员丁", "委员戊", "委员己", "委员庚"}

// meetingData is a meeting record: the members' positions in speaking order,
// then the head (市长) with headPos; decision is the record's decision.
func meetingData(decision, headPos string, members ...string) M {
	attendees := A{"市长"}
	var ops A
	for i, pos := range members {
		name := memberNames[i]
		attendees = append(attendees, name)
		ops = append(ops, M{"member": name, "position": pos, "text": "意见" + name})
	}
	ops = append(ops, M{"member": "市长", "position": headPos, "text": "我最后讲", "is_head": true})
	return M{"meeting_type": "executive", "held_on": gYesterday, "attendees": attendees, "opinions": ops, "decision": decision}
}

func approveData() M {
	return M{"meeting": meetingData("approve", "agree", "agree", "disagree", "agree"),
		"execution": M{"units": A{4}, "time_limit": "2027-06-30", "feedback": "每季度报告执行情况"}}
}

// throughRisk adds the records of a decision that has run participation,
// expert review and risk assessment on the current draft.
func throughRisk(t testing.TB, f *Facts) {
	t.Helper()
	addRec(t, f, EvReviseDraft, M{"sha256": f.Decision.CurrentDraftHash, "note": "初稿"}, drafter)
	addRec(t, f, EvStartParticipation, participationData("2026-09-01", "2026-10-08"), drafter)
	addRec(t, f, EvCompleteParticipation, adoptionData(), drafter)
	addRec(t, f, EvCompleteExpertReview, expertData(), drafter)
	addRec(t, f, EvCompleteRiskAssessment, riskData(), drafter)
}

// reviewed adds to throughRisk a submission and a legality opinion with the
// given outcome on the current draft.
func reviewed(t testing.TB, f *Facts, outcome string) {
	t.Helper()
	throughRisk(t, f)
	addRec(t, f, EvSubmitLegalityReview, submissionData("2026-11-02", "2026-11-11"), submitter)
	op := opinionData(outcome)
	if outcome == OutcomeExploratoryWithRisk {
		op["risk_statement"] = "国家尚无明确规定，存在被上级纠正的风险"
	}
	addRec(t, f, EvRecordLegalityOpinion, op, reviewer)
}

// approved adds the records of a decision adopted by the meeting (held
// yesterday, execution by unit 4) and reported to the party committee.
func approved(t testing.TB, f *Facts, report bool) {
	t.Helper()
	reviewed(t, f, OutcomeLegal)
	addRec(t, f, EvSubmitToMeeting, M{"meeting_type": "executive", "planned_on": gYesterday}, drafter)
	a := approveData()
	a["meeting"].(M)["held_on"] = "2026-11-10"
	addRec(t, f, EvApprove, a, clerk)
	if report {
		addRec(t, f, EvReportToParty, M{"reported_on": "2026-11-12", "doc_no": "西政党组〔2026〕5号"}, clerk)
	}
}

// mustAllow fires the act and fails unless it was allowed.
func mustAllow(t testing.TB, f *Facts, actor Actor, event string, data any) *Outcome {
	t.Helper()
	out, err := fire(t, f, actor, event, data)
	return allowed(t, out, err)
}
