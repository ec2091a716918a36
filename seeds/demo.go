// Package seeds is embedded data — the demo organ, units, users and
// decisions, the holiday calendar, the rule packs — and a loader that goes
// through the same store code a user's acts take (no back door that skips
// guards or audit).
package seeds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"decisiond/store"
	"decisiond/workflow"
)

// DemoUser is one demo account.
type DemoUser struct {
	Name, DisplayName, Unit string
	Roles                   []string
	Head                    bool
	Token                   string
}

// DemoPassword is every demo account's password. Demo passwords and the
// demo-* tokens work only while the server runs with --demo.
const DemoPassword = "Demo#2026"

// DemoUsers are the demo accounts; their tokens are fixed so that the
// README's walkthrough works. Never use --demo for real data. The three
// administrators of 三员分立 are named after their roles.
var DemoUsers = []DemoUser{
	{"office", "办公厅王科长", "西宁市人民政府办公厅", []string{"office"}, false, "demo-office"},
	{"drafter", "交通运输局李科员", "西宁市交通运输局", []string{"undertaking"}, false, "demo-drafter"},
	{"reviewer", "司法局赵审查员", "西宁市司法局", []string{"legal_reviewer"}, false, "demo-reviewer"},
	{"leader", "市长", "西宁市人民政府", []string{"leader"}, true, "demo-leader"},
	{"executor", "交通运输局执行专班", "西宁市交通运输局", []string{"executor"}, false, "demo-executor"},
	{"sysadmin", "系统管理员", "西宁市人民政府办公厅", []string{"sysadmin"}, false, "demo-sysadmin"},
	{"secadmin", "安全管理员", "西宁市人民政府办公厅", []string{"secadmin"}, false, "demo-secadmin"},
	{"auditor", "审计管理员", "西宁市人民政府办公厅", []string{"auditor"}, false, "demo-auditor"},
}

// DemoReviewBody is the demo organ's legality-review body.
const DemoReviewBody = "西宁市司法局"

// DemoOrgan is the demo decision organ.
const DemoOrgan = "西宁市人民政府"

// DemoUnits are the organ's units.
var DemoUnits = []string{"西宁市人民政府办公厅", "西宁市司法局", "西宁市交通运输局", "西宁市生态环境局", "西宁市教育局", "西宁市财政局", "西宁市住房和城乡建设局"}

// ErrAlreadySeeded: the demo loads only into a new, empty database.
var ErrAlreadySeeded = errors.New("the database already holds decisions; the demo loads only into a new database")

// Demo loads the demo organ, units, users, tokens and a handful of
// decisions in different states into a new database, every act through
// the store's Apply path. Dates are relative to the store's clock so that
// every legal period is really satisfied.
func Demo(ctx context.Context, db *store.DB) error {
	_, err := LoadDemo(ctx, db)
	return err
}

// LoadDemo is Demo returning what it loaded: the 2026 catalogue (published,
// then adjusted) and the decisions, each linked to its catalogue item at
// creation (seeds/catalogue.go).
func LoadDemo(ctx context.Context, db *store.DB) (*DemoData, error) {
	n, err := db.CountDecisions(ctx)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, ErrAlreadySeeded
	}
	fx, err := Base(ctx, db)
	if err != nil {
		return nil, err
	}
	dd := &DemoData{Fixture: fx, Decisions: map[string]int64{}, Items: map[string]int64{}}
	if err := dd.publishCatalogue(ctx, db); err != nil {
		return nil, err
	}
	for _, d := range append(append([]demoDecision{}, demoDecisions...), catalogueDecisions...) {
		flags := map[string]any{}
		for k, v := range d.flags {
			flags[k] = v
		}
		if d.item != "" {
			flags["catalogue_item_id"] = dd.Items[d.item]
		}
		res, err := fx.Run(ctx, db, d.title, flags, d.steps)
		if err != nil {
			return nil, fmt.Errorf("demo decision %q: %w", d.title, err)
		}
		dd.Decisions[d.title] = res.Decision.ID
	}
	if err := dd.adjustCatalogue(ctx, db); err != nil {
		return nil, err
	}
	return dd, nil
}

// Fixture is the demo organ, units and users as loaded into a store.
type Fixture struct {
	Env
	Actors map[string]workflow.Actor
}

// Base loads the demo organ, its units, the demo users, their passwords and
// tokens, and names the organ's head and review body (audited
// administrative acts, as the system).
func Base(ctx context.Context, db *store.DB) (*Fixture, error) {
	organ, err := db.CreateUnit(ctx, store.System, store.NewUnit{Name: DemoOrgan, ShortName: "市政府", Kind: "organ"})
	if err != nil {
		return nil, fmt.Errorf("demo organ: %w", err)
	}
	fx := &Fixture{Env: Env{Units: map[string]int64{DemoOrgan: organ.ID}, Today: workflow.DateOf(db.Now()), Calendar: db.Calendar()},
		Actors: map[string]workflow.Actor{}}
	for _, name := range DemoUnits {
		u, err := db.CreateUnit(ctx, store.System, store.NewUnit{Name: name, ShortName: strings.TrimPrefix(name, "西宁市"), Kind: "unit", ParentID: &organ.ID})
		if err != nil {
			return nil, fmt.Errorf("demo unit %s: %w", name, err)
		}
		fx.Units[name] = u.ID
	}
	review := fx.Units[DemoReviewBody]
	if _, err := db.SetOrgan(ctx, store.System, organ.ID, store.OrganSettings{ReviewUnitID: &review}); err != nil {
		return nil, fmt.Errorf("demo review body: %w", err)
	}
	for _, du := range DemoUsers {
		uid := fx.Units[du.Unit]
		u, err := db.CreateUser(ctx, store.System, store.NewUser{Name: du.Name, DisplayName: du.DisplayName, Roles: du.Roles, UnitID: &uid, Head: du.Head, Demo: true})
		if err != nil {
			return nil, fmt.Errorf("demo user %s: %w", du.Name, err)
		}
		if err := db.SetPassword(ctx, store.System, u.ID, DemoPassword, false); err != nil {
			return nil, fmt.Errorf("demo password %s: %w", du.Name, err)
		}
		never := time.Time{}
		if _, _, err := db.CreateToken(ctx, store.System, store.NewToken{UserID: u.ID, Label: "demo", Fixed: du.Token, Demo: true, ExpiresAt: &never}); err != nil {
			return nil, fmt.Errorf("demo token %s: %w", du.Name, err)
		}
		fx.Actors[du.Name] = u.Actor()
	}
	return fx, nil
}

// Run creates a decision (as office) and applies the steps in order.
func (fx *Fixture) Run(ctx context.Context, db *store.DB, title string, flags map[string]any, steps []Step) (*store.Result, error) {
	body := map[string]any{"title": title, "organ_id": fx.Units[DemoOrgan]}
	for k, v := range flags {
		body[k] = v
	}
	res, err := db.CreateDecision(ctx, Data(body), fx.Actors["office"])
	if err != nil {
		return nil, err
	}
	for _, st := range steps {
		act := workflow.Act{Event: st.Event, Data: Data(st.Payload(&fx.Env)), Actor: fx.Actors[st.Who]}
		res, err = db.Apply(ctx, res.Decision.ID, act, res.Decision.Version)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", st.Event, err)
		}
	}
	return res, nil
}

// Data turns a payload into event data exactly as the API decodes a
// request body (workflow.DecodeData), so seeds and tests take the same
// path as a user's request.
func Data(v any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	m, err := workflow.DecodeData(b)
	if err != nil {
		panic(err)
	}
	return m
}

// Env is what demo and test payloads are computed from: unit ids by name,
// today's date (so every legal period is really satisfied) and the
// working-day calendar.
type Env struct {
	Units    map[string]int64
	Today    time.Time
	Calendar *workflow.Calendar
}

// Step is one act of a scripted decision: who (a demo user name) fires
// which event with which data.
type Step struct {
	Who, Event string
	Data       func(e *Env) map[string]any
}

type demoDecision struct {
	title string
	item  string // the demo catalogue item it is linked to at creation
	flags map[string]any
	steps []Step
}

func (e *Env) day(offset int) string { return workflow.FormatDate(e.Today.AddDate(0, 0, offset)) }

// reviewDue is the earliest lawful review due date (Art. 26).
func (e *Env) reviewDue(submitted int) string {
	d, err := e.Calendar.AddWorkdays(e.Today.AddDate(0, 0, submitted), 7)
	if err != nil {
		return e.day(submitted + 14)
	}
	return workflow.FormatDate(d)
}

// Payload is the step's data for env (an empty object when it has none).
func (st Step) Payload(env *Env) map[string]any {
	if st.Data == nil {
		return map[string]any{}
	}
	return st.Data(env)
}

func meeting(s *Env, decision string, held int) map[string]any {
	return map[string]any{"meeting_type": "executive", "held_on": s.day(held),
		"attendees": []string{"市长", "常务副市长", "副市长甲", "副市长乙"},
		"opinions": []map[string]any{
			{"member": "常务副市长", "position": "agree", "text": "同意。"},
			{"member": "副市长甲", "position": "agree", "text": "同意，建议加强宣传解读。"},
			{"member": "副市长乙", "position": "disagree", "text": "建议暂缓，待财政测算完成后再议。"},
			{"member": "市长", "position": "agree", "text": "同意，按程序办理。", "is_head": true}},
		// Art. 30: the head is the organ's head (the demo leader 市长, by
		// display name); every attending member states a position, an
		// absent one is recorded with the reason.
		"absences": []map[string]any{{"member": "副市长丙", "reason": "因公出差"}},
		"decision": decision}
}

func launch(unit string) Step {
	return Step{"office", workflow.EvLaunch, func(s *Env) map[string]any {
		return map[string]any{"undertaking_unit_id": s.Units[unit], "launch_ref": "市政府第12次常务会议纪要"}
	}}
}

func draft(text string) Step {
	return Step{"drafter", workflow.EvReviseDraft, func(s *Env) map[string]any {
		return map[string]any{"text": text, "note": "初稿"}
	}}
}

var participation = []Step{
	{"drafter", workflow.EvStartParticipation, func(s *Env) map[string]any {
		return map[string]any{"methods": []string{"online_comment", "symposium"},
			"notice": map[string]any{"channels": []string{"西宁市人民政府网站"}, "opened_on": s.day(-80), "closes_on": s.day(-45)}}
	}},
	{"drafter", workflow.EvCompleteParticipation, func(s *Env) map[string]any {
		return map[string]any{"adoption_report": []map[string]any{
			{"opinion": "建议延长换乘优惠时段", "adopted": false, "reason": "财政承受能力有限"},
			{"opinion": "建议保留老年人免费乘车", "adopted": true}}}
	}},
}

var expertAndRisk = []Step{
	{"drafter", workflow.EvCompleteExpertReview, func(s *Env) map[string]any {
		return map[string]any{"experts": []map[string]any{
			{"name": "王教授", "field": "交通经济", "institution": "青海大学", "conflict_of_interest": false, "signed": true, "differing_view": true},
			{"name": "陈研究员", "field": "公共财政", "institution": "省社科院", "conflict_of_interest": false, "signed": true}},
			"adoption_report": []map[string]any{{"opinion": "分步实施", "adopted": true}}}
	}},
	{"drafter", workflow.EvCompleteRiskAssessment, func(s *Env) map[string]any {
		return map[string]any{"risk_points": []string{"低收入群体出行负担"}, "measures": []string{"保留老年人免费乘车"},
			"contingency_plan": "舆情应对预案", "grade": "low", "controllable": true, "assessor": "西宁市社会稳定风险评估中心"}
	}},
}

func legality(submittedOffset int) []Step {
	return []Step{
		{"drafter", workflow.EvSubmitLegalityReview, func(s *Env) map[string]any {
			return map[string]any{"submitted_on": s.day(submittedOffset), "review_due_on": s.reviewDue(submittedOffset),
				"materials": map[string]any{"draft": true, "legal_basis": []string{"《中华人民共和国价格法》第二十三条"},
					"procedure_explanation": "已履行公众参与、专家论证、风险评估程序"}}
		}},
	}
}

// opinion is given (given_on) after the submissions of legality(-30) and
// legality(-25), and before the meetings of day -10.
var opinion = Step{"reviewer", workflow.EvRecordLegalityOpinion, func(s *Env) map[string]any {
	return map[string]any{"outcome": "legal", "findings": map[string]any{"authority": "符合法定权限", "procedure": "程序完备", "content": "内容合法"},
		"adviser_opinions": []map[string]any{{"adviser": "李律师（政府法律顾问）", "opinion": "无法律障碍"}}, "given_on": s.day(-20)}
}}

var toMeeting = Step{"drafter", workflow.EvSubmitToMeeting, func(s *Env) map[string]any {
	return map[string]any{"meeting_type": "executive", "planned_on": s.day(-10)}
}}

func concat(parts ...[]Step) []Step {
	var out []Step
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// FareTitle and FareFlags describe the bus-fare decision of PROCEDURE.md's
// example payloads; FareSteps carry it from launch to execution with one
// execution report, every act with the data the law asks for.
const FareTitle = "西宁市城市公共交通票价调整方案"

// FareFlags are the bus-fare decision's flags.
var FareFlags = map[string]any{"category": "public_policy", "domains": []string{"交通运输"}, "technical": true, "risk_relevant": true, "public_concern": true}

// FareSteps carry the bus-fare decision from proposed to in_execution.
var FareSteps = concat([]Step{launch("西宁市交通运输局"), draft("西宁市城市公共交通票价调整方案（草案）……")}, participation, expertAndRisk, legality(-30),
	[]Step{opinion, toMeeting,
		{"office", workflow.EvApprove, func(s *Env) map[string]any {
			return map[string]any{"meeting": meeting(s, "approve", -10),
				"execution": map[string]any{"units": []int64{s.Units["西宁市交通运输局"]}, "time_limit": s.day(200), "feedback": "每季度报告执行情况"}}
		}},
		{"office", workflow.EvReportToParty, func(s *Env) map[string]any {
			return map[string]any{"reported_on": s.day(-8), "doc_no": "西政党组〔2026〕5号"}
		}},
		{"office", workflow.EvPublish, func(s *Env) map[string]any {
			return map[string]any{"channels": []map[string]any{{"kind": "website", "on": s.day(-5), "ref": "https://www.xining.gov.cn/zwgk/"}},
				"adoption_explanation": "公众意见、专家意见采纳情况说明……"}
		}},
		{"office", workflow.EvStartExecution, nil},
		{"executor", workflow.EvReportExecution, func(s *Env) map[string]any {
			return map[string]any{"period": "第一季度", "progress": "新票价已实施，运行平稳"}
		}},
	})

// FareComplete closes the bus-fare decision.
var FareComplete = Step{"office", workflow.EvComplete, func(s *Env) map[string]any {
	return map[string]any{"summary": "新票价方案已全面实施，执行完毕"}
}}

var demoDecisions = []demoDecision{
	// The fare is a hearing item (价格法 第二十三条): its demo holds the hearing.
	{title: FareTitle, item: ItemFare, flags: FareFlags, steps: WithDocNo(WithHearing(FareSteps), "西政〔2026〕36号")},
	{title: "西宁市城市停车收费管理办法", item: ItemParking,
		flags: map[string]any{"category": "public_policy", "domains": []string{"城市管理"}, "public_concern": true, "risk_relevant": true},
		steps: concat([]Step{launch("西宁市交通运输局"), draft("西宁市城市停车收费管理办法（草案）……")}, participation, expertAndRisk, legality(-25),
			[]Step{opinion, toMeeting})},
	{title: "湟水河西宁段生态环境保护规划（2026—2030年）",
		flags: map[string]any{"category": "major_plan", "domains": []string{"生态环境保护"}, "technical": true, "risk_relevant": true},
		steps: concat([]Step{launch("西宁市交通运输局"), draft("湟水河西宁段生态环境保护规划（草案）……")}, participation, expertAndRisk, legality(-1))},
	{title: "西宁市中小学校课后服务管理办法",
		flags: map[string]any{"category": "public_policy", "domains": []string{"教育培训"}, "public_concern": true},
		steps: []Step{launch("西宁市交通运输局"), draft("西宁市中小学校课后服务管理办法（征求意见稿）……"),
			{"drafter", workflow.EvStartParticipation, func(s *Env) map[string]any {
				return map[string]any{"methods": []string{"online_comment"},
					"notice": map[string]any{"channels": []string{"西宁市人民政府网站", "西宁发布"}, "opened_on": s.day(-5), "closes_on": s.day(30)}}
			}}}},
	{title: "西宁市老旧小区改造三年行动计划", item: ItemOldHousing, flags: map[string]any{"category": "major_plan", "domains": []string{"促进民生福祉"}}},
	{title: "关于设立市级文化产业引导基金的建议", flags: map[string]any{"category": "other_major", "domains": []string{"金融服务"}},
		steps: []Step{{"office", workflow.EvDecline, func(s *Env) map[string]any {
			return map[string]any{"reason": "经研究，相关事项已纳入省级统筹，不再单独启动决策程序"}
		}}}},
}
