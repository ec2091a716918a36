package console_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"decisiond/handlers/handlerstest"
	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserWalk drives the console in Debian's Chromium (skipped with the
// reason where it is absent): the drafter signs in and moves a decision
// through public participation with the generated forms; submitting to the
// meeting before the legality review shows the 「未经合法性审查」 refusal on
// the page with the typed input kept; the reviewer records the legality
// opinion by keyboard alone; the drafter's stale form gets the
// version-conflict message; the leader opens the audit trail and sees
// those acts with the right names; the English switch works and persists.
// With DECISIOND_SCREENSHOTS=DIR it writes screenshots of the main pages.
func TestBrowserWalk(t *testing.T) {
	chrome := handlerstest.NewChrome(t)
	db, _ := storetest.OpenSQLite(t, "qinghai")
	e := handlerstest.Start(t, db, store.AuthPolicy{AllowDemo: true})
	ctx := t.Context()
	res, err := e.Fx.Run(ctx, db, seeds.FareTitle, seeds.FareFlags, handlerstest.StepsBefore(t, workflow.EvReviseDraft))
	if err != nil {
		t.Fatal(err)
	}
	id := res.Decision.ID
	page := fmt.Sprintf("%s/decisions/%d", e.Srv.URL, id)
	today := workflow.DateOf(db.Now())
	day := func(n int) string { return workflow.FormatDate(today.AddDate(0, 0, n)) }
	do, text := handlerstest.Do, handlerstest.Text

	// The drafter signs in: the decision waits in 待办.
	drafter := chrome.Tab()
	e.SignInTab(t, drafter, "drafter", seeds.DemoPassword)
	if q := text(t, drafter); !strings.Contains(q, "待办") || !strings.Contains(q, seeds.FareTitle) {
		t.Fatalf("the work queue does not list the decision:\n%s", q)
	}
	handlerstest.Screenshot(t, drafter, "queue")

	// revise_draft, start_participation, complete_participation by the forms.
	act := func(tab context.Context, event string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		open := []chromedp.Action[chromedp.Void]{chromedp.Navigate(page), chromedp.Click(chromedp.ID("sum-" + event)),
			chromedp.WaitVisible(chromedp.ID("submit-" + event))}
		do(t, tab, append(open, steps...)...)
	}
	submit := func(tab context.Context, event string) string {
		t.Helper()
		handlerstest.Navigating(t, tab, chromedp.Click(chromedp.ID("submit-"+event)))
		return text(t, tab)
	}
	act(drafter, workflow.EvReviseDraft,
		chromedp.SendKeys(chromedp.ID("f-revise_draft-text"), "西宁市城市公共交通票价调整方案（草案）\n一、调整范围……"),
		chromedp.SendKeys(chromedp.ID("f-revise_draft-note"), "初稿"))
	if got := submit(drafter, workflow.EvReviseDraft); !strings.Contains(got, "已办理：修改草案") {
		t.Fatalf("revise_draft not done:\n%s", got)
	}
	act(drafter, workflow.EvStartParticipation,
		chromedp.Click(chromedp.CSS(`input[name="methods"][value="online_comment"]`)),
		chromedp.Click(chromedp.CSS(`input[name="methods"][value="symposium"]`)),
		chromedp.SendKeys(chromedp.ID("f-start_participation-notice-channels"), "西宁市人民政府网站"),
		chromedp.SetValue(chromedp.ID("f-start_participation-notice-opened_on"), day(-80)),
		chromedp.SetValue(chromedp.ID("f-start_participation-notice-closes_on"), day(-45)))
	if got := submit(drafter, workflow.EvStartParticipation); !strings.Contains(got, "已办理：启动公众参与") {
		t.Fatalf("start_participation not done:\n%s", got)
	}
	// A second row of the adoption report, without JavaScript's help: the
	// "add a row" button re-shows the form with what was typed.
	act(drafter, workflow.EvCompleteParticipation,
		chromedp.SendKeys(chromedp.ID("f-complete_participation-adoption_report-0-opinion"), "建议延长换乘优惠时段"),
		chromedp.SetValue(chromedp.ID("f-complete_participation-adoption_report-0-adopted"), "false"),
		chromedp.SendKeys(chromedp.ID("f-complete_participation-adoption_report-0-reason"), "财政承受能力有限"),
	)
	handlerstest.Navigating(t, drafter, chromedp.Click(chromedp.CSS(`#f-complete_participation-adoption_report button.more`)))
	if v := handlerstest.Get(t, drafter, chromedp.Value(chromedp.ID("f-complete_participation-adoption_report-0-opinion"))); v != "建议延长换乘优惠时段" {
		t.Fatalf("adding a row lost what was typed: %q", v)
	}
	do(t, drafter, chromedp.SendKeys(chromedp.ID("f-complete_participation-adoption_report-1-opinion"), "建议保留老年人免费乘车"),
		chromedp.SetValue(chromedp.ID("f-complete_participation-adoption_report-1-adopted"), "true"))
	if got := submit(drafter, workflow.EvCompleteParticipation); !strings.Contains(got, "已办理：完成公众参与") || !strings.Contains(got, "专家论证") {
		t.Fatalf("complete_participation not done:\n%s", got)
	}
	d, err := db.Decision(ctx, e.Fx.Actors["drafter"], id)
	if err != nil || d.State != workflow.StExpertReview {
		t.Fatalf("after the forms: %+v %v", d, err)
	}

	// Expert review, risk assessment and the submission for legality review
	// through the store (as the drafter), to reach the core invariant.
	for _, ev := range []string{workflow.EvCompleteExpertReview, workflow.EvCompleteRiskAssessment, workflow.EvSubmitLegalityReview} {
		st := handlerstest.FareStep(t, ev)
		r, err := db.Apply(ctx, id, workflow.Act{Event: ev, Data: seeds.Data(st.Payload(&e.Fx.Env)), Actor: e.Fx.Actors["drafter"]}, d.Version)
		if err != nil {
			t.Fatalf("%s: %v", ev, err)
		}
		d = &r.Decision
	}

	// Submitting to the meeting before the legality opinion: the refusal
	// on the page, the typed input kept.
	act(drafter, workflow.EvSubmitToMeeting,
		chromedp.SetValue(chromedp.ID("f-submit_to_meeting-meeting_type"), "executive"),
		chromedp.SetValue(chromedp.ID("f-submit_to_meeting-planned_on"), day(10)),
		chromedp.SendKeys(chromedp.ID("f-submit_to_meeting-fair_competition_review"), "已开展公平竞争审查"))
	got := submit(drafter, workflow.EvSubmitToMeeting)
	if !strings.Contains(got, "未经合法性审查") {
		t.Fatalf("no 未经合法性审查 refusal on the page:\n%s", got)
	}
	for sel, want := range map[string]string{"f-submit_to_meeting-planned_on": day(10), "f-submit_to_meeting-fair_competition_review": "已开展公平竞争审查",
		"f-submit_to_meeting-meeting_type": "executive"} {
		if v := handlerstest.Get(t, drafter, chromedp.Value(chromedp.ID(sel))); v != want {
			t.Errorf("after the refusal %s = %q, want %q (typed input kept)", sel, v, want)
		}
	}
	handlerstest.Screenshot(t, drafter, "refusal")

	// The reviewer records the legality opinion by keyboard alone.
	reviewer := chrome.Tab()
	e.SignInTab(t, reviewer, "reviewer", seeds.DemoPassword)
	do(t, reviewer, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.ID("sum-"+workflow.EvRecordLegalityOpinion)))
	keys := func(id, typed string) {
		t.Helper()
		handlerstest.TabTo(t, reviewer, id)
		do(t, reviewer, chromedp.KeyEvent(typed))
	}
	keys("sum-"+workflow.EvRecordLegalityOpinion, kb.Enter) // opens the form
	keys("f-record_legality_opinion-outcome", kb.ArrowDown) // 合法
	keys("f-record_legality_opinion-findings-authority", "符合法定权限")
	keys("f-record_legality_opinion-findings-procedure", "程序完备")
	keys("f-record_legality_opinion-findings-content", "内容合法")
	keys("f-record_legality_opinion-adviser_opinions-0-adviser", "李律师")
	keys("f-record_legality_opinion-adviser_opinions-0-opinion", "无法律障碍")
	handlerstest.TabTo(t, reviewer, "submit-"+workflow.EvRecordLegalityOpinion)
	handlerstest.Navigating(t, reviewer, chromedp.KeyEvent(kb.Enter))
	if got := text(t, reviewer); !strings.Contains(got, "已办理：出具合法性审查意见") {
		t.Fatalf("the opinion typed by keyboard was not recorded:\n%s", got)
	}

	// The drafter's page is now stale: the same form again gets the
	// version-conflict message and a reload link, never an overwrite.
	got = submit(drafter, workflow.EvSubmitToMeeting)
	if !strings.Contains(got, "该决策已被他人更新") || !strings.Contains(got, "重新载入最新内容") {
		t.Fatalf("no version-conflict message on the stale form:\n%s", got)
	}
	if d, _ := db.Decision(ctx, e.Fx.Actors["drafter"], id); d.State != workflow.StLegalityReview {
		t.Fatalf("a stale form changed the decision: %s", d.State)
	}
	// After reloading, the submission passes the core invariant.
	handlerstest.Navigating(t, drafter, chromedp.Click(chromedp.CSS(`.alert a[href="/decisions/`+fmt.Sprint(id)+`"]`)))
	act(drafter, workflow.EvSubmitToMeeting,
		chromedp.SetValue(chromedp.ID("f-submit_to_meeting-meeting_type"), "executive"),
		chromedp.SetValue(chromedp.ID("f-submit_to_meeting-planned_on"), day(10)))
	if got := submit(drafter, workflow.EvSubmitToMeeting); !strings.Contains(got, "已办理：提请集体讨论") {
		t.Fatalf("submit_to_meeting after the opinion:\n%s", got)
	}
	handlerstest.Screenshot(t, drafter, "decision")

	// The leader reads the audit trail: those acts, the right names.
	leader := chrome.Tab()
	e.SignInTab(t, leader, "leader", seeds.DemoPassword)
	do(t, leader, chromedp.Navigate(fmt.Sprintf("%s/audit?decision=%d", e.Srv.URL, id)), chromedp.WaitVisible(chromedp.CSS("table.audit")))
	trail := text(t, leader)
	for _, want := range []string{"交通运输局李科员", "司法局赵审查员", "修改草案", "启动公众参与", "完成公众参与", "出具合法性审查意见", "提请集体讨论", "符合法定权限"} {
		if !strings.Contains(trail, want) {
			t.Errorf("the audit trail lacks %q", want)
		}
	}
	if strings.Contains(trail, `{"`) {
		t.Errorf("the audit trail shows raw JSON")
	}
	handlerstest.Screenshot(t, leader, "audit")
	do(t, leader, chromedp.Navigate(e.Srv.URL+"/dashboard"), chromedp.WaitVisible(chromedp.CSS("figure.chart svg")))
	handlerstest.Screenshot(t, leader, "dashboard")
	do(t, leader, chromedp.Navigate(page+"/print"), chromedp.WaitVisible(chromedp.CSS("article.gw")))
	handlerstest.Screenshot(t, leader, "print")
	// Printed as the page asks (GB/T 9704: A4 via @page).
	pdf := handlerstest.Get(t, leader, chromedp.PrintToPDF(func(p *cdppage.PrintToPDFParams) { yes := true; p.PreferCSSPageSize = &yes }))
	if len(pdf) < 1000 || string(pdf[:4]) != "%PDF" {
		t.Errorf("the print page did not print to PDF (%d bytes)", len(pdf))
	}
	if !regexp.MustCompile(`/MediaBox \[0 0 59[45][.\d]* 84[12][.\d]*\]`).Match(pdf) {
		t.Errorf("the process record does not print on A4")
	}
	if dir := os.Getenv(handlerstest.ScreenshotsEnv); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "print.pdf"), pdf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	do(t, leader, chromedp.Navigate(e.Srv.URL+"/procedure"), chromedp.WaitVisible(chromedp.CSS("figure.procedure svg")))
	handlerstest.Screenshot(t, leader, "procedure")

	// The English switch works and persists.
	do(t, leader, chromedp.Navigate(e.Srv.URL+"/"))
	handlerstest.Navigating(t, leader, chromedp.Click(chromedp.CSS(`button[name="lang"][value="en"]`)))
	if got := text(t, leader); !strings.Contains(got, "Work queue") || !strings.Contains(got, "Search") {
		t.Fatalf("the English switch did not switch:\n%s", got)
	}
	do(t, leader, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("main")))
	if got := text(t, leader); !strings.Contains(got, "Progress") || !strings.Contains(got, "collective decision") {
		t.Errorf("English does not persist to the next page:\n%s", got)
	}
	handlerstest.Screenshot(t, leader, "decision-en")
}

// TestBrowserSessionWarning: five minutes before the session ends the
// page warns, and its button extends the session without leaving the page.
func TestBrowserSessionWarning(t *testing.T) {
	chrome := handlerstest.NewChrome(t)
	db, _ := storetest.OpenSQLite(t, "qinghai")
	p := store.DefaultAuthPolicy
	p.AllowDemo, p.SessionIdle = true, 4*time.Minute // ends within the warning's five minutes
	e := handlerstest.Start(t, db, p)
	tab := chrome.Tab()
	e.SignInTab(t, tab, "drafter", seeds.DemoPassword)
	hidden := func() bool {
		return handlerstest.Get(t, tab, chromedp.Evaluate[bool](`document.getElementById("session-warning").hidden`))
	}
	if hidden() {
		t.Fatal("no warning four minutes before the session ends")
	}
	if got := handlerstest.Get(t, tab, chromedp.Text(chromedp.ID("session-warning"))); !strings.Contains(got, "登录将于") {
		t.Errorf("warning text: %q", got)
	}
	handlerstest.Do(t, tab, chromedp.Click(chromedp.CSS("#session-warning button")))
	for range 100 {
		if hidden() {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !hidden() {
		t.Error("extending the session did not clear the warning")
	}
	if loc := handlerstest.Get(t, tab, chromedp.Location()); !strings.HasSuffix(loc, "/") {
		t.Errorf("extending left the page: %s", loc)
	}
}
