package console_test

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"decisiond/handlers"
	"decisiond/handlers/console"
	"decisiond/handlers/handlerstest"
	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	os.Exit(m.Run())
}

// world is a test server with decisions in several stages and a signed-in
// browser per demo user.
type world struct {
	*handlerstest.Env
	t        *testing.T
	br       map[string]*http.Client
	fare     int64 // in execution
	pending  int64 // legality review, submission pending (the reviewer's move)
	drafting int64 // launched, no draft
	late     int64 // public participation, the comment period closed and not completed (overdue)
	proposed int64 // a proposal (the office's move)
}

func newWorld(t *testing.T, open func(testing.TB) (*store.DB, string)) *world {
	t.Helper()
	db, _ := open(t)
	e := handlerstest.Start(t, db, store.AuthPolicy{AllowDemo: true})
	w := &world{Env: e, t: t, br: map[string]*http.Client{}}
	ctx := t.Context()
	run := func(title string, flags map[string]any, steps []seeds.Step) int64 {
		t.Helper()
		r, err := e.Fx.Run(ctx, db, title, flags, steps)
		if err != nil {
			t.Fatalf("%s: %v", title, err)
		}
		return r.Decision.ID
	}
	w.fare = run(seeds.FareTitle, seeds.FareFlags, seeds.FareSteps)
	w.pending = run("西宁市城市停车收费管理办法", seeds.FareFlags, handlerstest.StepsBefore(t, workflow.EvRecordLegalityOpinion))
	w.drafting = run("西宁市老旧小区改造三年行动计划", map[string]any{"category": "major_plan"}, handlerstest.StepsBefore(t, workflow.EvReviseDraft))
	late := append(handlerstest.StepsBefore(t, workflow.EvStartParticipation), seeds.Step{Who: "drafter", Event: workflow.EvStartParticipation,
		Data: func(s *seeds.Env) map[string]any {
			return map[string]any{"methods": []string{"online_comment"}, "notice": map[string]any{"channels": []string{"市政府网站"},
				"opened_on": workflow.FormatDate(s.Today.AddDate(0, 0, -40)), "closes_on": workflow.FormatDate(s.Today.AddDate(0, 0, -5))}}
		}})
	w.late = run("西宁市中小学校课后服务管理办法", map[string]any{"category": "public_policy"}, late)
	w.proposed = run("关于设立市级文化产业引导基金的建议", map[string]any{"category": "other_major"}, nil)
	for _, u := range []string{"office", "drafter", "reviewer", "leader", "executor", "auditor", "sysadmin"} {
		b := e.Browser(t)
		if r := e.SignIn(t, b, u, seeds.DemoPassword); r.Status != http.StatusSeeOther {
			t.Fatalf("sign in %s: %s", u, r)
		}
		w.br[u] = b
	}
	return w
}

func (w *world) page(who, path string) handlerstest.Response {
	w.t.Helper()
	return w.Page(w.t, w.br[who], path)
}

func (w *world) form(who, path string, v url.Values) handlerstest.Response {
	w.t.Helper()
	return w.Form(w.t, w.br[who], path, v)
}

func (w *world) decision(id int64) *workflow.Decision {
	w.t.Helper()
	d, err := w.DB.Decision(w.t.Context(), store.System, id)
	if err != nil {
		w.t.Fatal(err)
	}
	return d
}

func must(t *testing.T, r handlerstest.Response, status int, contains ...string) string {
	t.Helper()
	if r.Status != status {
		t.Fatalf("want %d, got %s", status, r)
	}
	body := string(r.Body)
	for _, c := range contains {
		if !strings.Contains(body, c) {
			t.Errorf("the page lacks %q", c)
		}
	}
	return body
}

// rows are the data rows of the first table body on a page.
var rowRE = regexp.MustCompile(`(?s)<tr[^>]*><td>(\d+)</td>(.*?)</tr>`)

func titlesInOrder(body string) []string {
	var out []string
	for _, m := range rowRE.FindAllStringSubmatch(body, -1) {
		cells := regexp.MustCompile(`<td>(.*?)</td>`).FindAllStringSubmatch(m[2], -1)
		if len(cells) > 0 {
			out = append(out, cells[0][1])
		}
	}
	return out
}

// TestWorkQueue: 待办 holds what awaits each person's act (the ball in
// legality review with the review body while a submission is pending),
// overdue first and marked in text; 已办 and 我发起的; counts per stage;
// search, pagination; bad input is a 400, never a 500.
func TestWorkQueue(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			w := newWorld(t, b.Open)
			body := must(t, w.page("drafter", "/"), http.StatusOK, "待办", "已办", "我发起的", "搜索", "重置", "序号", "操作", "各阶段事项数")
			got := titlesInOrder(body)
			if len(got) != 2 || got[0] != "西宁市中小学校课后服务管理办法" || got[1] != "西宁市老旧小区改造三年行动计划" {
				t.Errorf("drafter's 待办 (overdue first): %v", got)
			}
			if !strings.Contains(body, `class="overdue"`) || !strings.Contains(body, "已逾期") || !strings.Contains(body, "row-overdue") {
				t.Errorf("the overdue item is not marked in text and colour")
			}
			if strings.Contains(body, "西宁市城市停车收费管理办法") {
				t.Errorf("a decision whose submission awaits the review body is not the drafter's to do")
			}
			if got := titlesInOrder(string(w.page("reviewer", "/").Body)); len(got) != 1 || got[0] != "西宁市城市停车收费管理办法" {
				t.Errorf("reviewer's 待办: %v", got)
			}
			if got := titlesInOrder(string(w.page("executor", "/").Body)); len(got) != 1 || got[0] != seeds.FareTitle {
				t.Errorf("executor's 待办: %v", got)
			}
			if got := titlesInOrder(string(w.page("office", "/").Body)); len(got) != 1 || got[0] != "关于设立市级文化产业引导基金的建议" {
				t.Errorf("office's 待办: %v", got)
			}
			if got := titlesInOrder(string(w.page("leader", "/").Body)); len(got) != 0 {
				t.Errorf("leader's 待办 holds nothing to act on: %v", got)
			}
			// 已办: the acts this person took.
			body = must(t, w.page("drafter", "/?tab=done"), http.StatusOK, "修改草案", "启动公众参与", "送请合法性审查")
			if strings.Contains(body, "决定启动") {
				t.Errorf("已办 lists only the person's own acts")
			}
			// 我发起的: the office recorded every proposal.
			if got := titlesInOrder(string(w.page("office", "/?tab=mine").Body)); len(got) != 5 {
				t.Errorf("office's 我发起的: %v", got)
			}
			if got := titlesInOrder(string(w.page("drafter", "/?tab=mine").Body)); len(got) != 0 {
				t.Errorf("drafter's 我发起的: %v", got)
			}
			// Search and pagination.
			if got := titlesInOrder(string(w.page("office", "/?tab=mine&q="+url.QueryEscape("停车")).Body)); len(got) != 1 {
				t.Errorf("search by title: %v", got)
			}
			if got := titlesInOrder(string(w.page("office", "/?tab=mine&stage=in_execution").Body)); len(got) != 1 || got[0] != seeds.FareTitle {
				t.Errorf("search by stage: %v", got)
			}
			unit := w.Fx.Units["西宁市交通运输局"]
			if got := titlesInOrder(string(w.page("office", fmt.Sprintf("/?tab=mine&unit=%d", unit)).Body)); len(got) != 4 {
				t.Errorf("search by unit: %v", got)
			}
			today := workflow.FormatDate(workflow.DateOf(w.DB.Now()))
			if got := titlesInOrder(string(w.page("office", "/?tab=mine&since="+today+"&until="+today).Body)); len(got) != 5 {
				t.Errorf("search by dates (today, inclusive): %v", got)
			}
			if got := titlesInOrder(string(w.page("office", "/?tab=mine&until=2020-01-01").Body)); len(got) != 0 {
				t.Errorf("search by dates (long ago): %v", got)
			}
			must(t, w.page("office", "/?tab=mine&per_page=2"), http.StatusOK, "共5条，第1/3页", `rel="next"`, "page=2")
			must(t, w.page("office", "/?tab=mine&per_page=2&page=3"), http.StatusOK, "共5条，第3/3页", `rel="prev"`)
			// Counts per stage.
			must(t, w.page("office", "/"), http.StatusOK, "执行中 <strong>1</strong>", "合法性审查 <strong>1</strong>")
			// Bad input: a clear 400.
			for _, q := range []string{"/?tab=x", "/?since=2026-13-01", "/?stage=nope", "/?page=0", "/?unit=abc", "/?per_page=100000", "/?page=99999999"} {
				if r := w.page("office", q); r.Status != http.StatusBadRequest {
					t.Errorf("GET %s: want 400, got %s", q, r)
				}
			}
			// Administrators do not advance decisions: no queue.
			must(t, w.page("sysadmin", "/"), http.StatusOK, "三员分立")
		})
	}
}

// TestDecisionPage: progress, drafts and their character-level difference,
// records, timeline, deadlines and the generated forms; an act through a
// form; a refusal in place with the input kept; missing fields at their
// inputs; a stale form's conflict; a row added without JavaScript; bad
// input refused with a 4xx.
func TestDecisionPage(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			w := newWorld(t, b.Open)
			id := w.drafting
			path := fmt.Sprintf("/decisions/%d", id)
			body := must(t, w.page("drafter", path), http.StatusOK, "办理进度", "当前阶段", "未开始", "可办理事项", "修改草案", "办理过程",
				"收到时间", "办结时间", "用时", `name="expected_version" value="2"`, `id="f-revise_draft-text"`)
			if strings.Contains(body, "出具合法性审查意见") {
				t.Errorf("the drafter is offered the reviewer's act")
			}
			// Two drafts by the form, then their difference.
			for i, text := range []string{"第一条　为规范老旧小区改造，制定本计划。", "第一条　为规范和推进老旧小区改造工作，制定本计划。"} {
				r := w.form("drafter", path+"/acts/revise_draft", url.Values{"expected_version": {fmt.Sprint(2 + i)}, "text": {text}, "note": {"修改"}})
				if r.Status != http.StatusSeeOther || r.Header.Get("Location") != path+"?done=revise_draft" {
					t.Fatalf("revise_draft by form: %s", r)
				}
			}
			if d := w.decision(id); d.Version != 4 {
				t.Fatalf("version after two acts: %d", d.Version)
			}
			body = must(t, w.page("drafter", path+"?done=revise_draft"), http.StatusOK, "已办理：修改草案", "版本比较", "<ins>", "第2版")
			if !strings.Contains(body, "和推进") || !regexp.MustCompile(`<ins><span class="sr">\[新增\]</span>和推进</ins>`).MatchString(body) {
				t.Errorf("the character-level difference does not show 和推进 inserted")
			}
			must(t, w.page("drafter", path+"?from=2&to=1"), http.StatusOK, "<del>")
			must(t, w.page("drafter", path+"?from=1&to=1"), http.StatusOK, "两个版本内容相同")
			if r := w.page("drafter", path+"?from=x"); r.Status != http.StatusBadRequest {
				t.Errorf("bad version number: %s", r)
			}

			// A rule's refusal in place: the comment period is too short.
			today := workflow.DateOf(w.DB.Now())
			day := func(n int) string { return workflow.FormatDate(today.AddDate(0, 0, n)) }
			typed := url.Values{"expected_version": {"4"}, "methods": {"online_comment", "symposium"}, "notice.channels": {"市政府网站\r\n西宁发布"},
				"notice.opened_on": {day(0)}, "notice.closes_on": {day(10)}}
			r := w.form("drafter", path+"/acts/start_participation", typed)
			body = must(t, r, http.StatusUnprocessableEntity, "第十五条", `id="f-start_participation-notice-closes_on-err"`, `value="`+day(10)+`"`,
				"市政府网站\n西宁发布", `value="symposium" checked`)
			if !regexp.MustCompile(`<details class="act" id="act-start_participation" open>`).MatchString(body) {
				t.Errorf("the refused form is not open")
			}
			// Missing fields: each at its input.
			r = w.form("drafter", path+"/acts/start_participation", url.Values{"expected_version": {"4"}})
			must(t, r, http.StatusBadRequest, `id="f-start_participation-methods"`, `id="f-start_participation-notice-opened_on-err"`, "必填")
			// The stale form: the version-conflict message and a reload link.
			typed.Set("notice.closes_on", day(40))
			typed.Set("expected_version", "3")
			r = w.form("drafter", path+"/acts/start_participation", typed)
			must(t, r, http.StatusConflict, "该决策已被他人更新", "重新载入最新内容", `href="`+path+`"`)
			if d := w.decision(id); d.State != workflow.StDrafting || d.Version != 4 {
				t.Fatalf("a stale form changed the decision: %+v", d)
			}
			// And with the current version it passes.
			typed.Set("expected_version", "4")
			if r := w.form("drafter", path+"/acts/start_participation", typed); r.Status != http.StatusSeeOther {
				t.Fatalf("start_participation: %s", r)
			}
			if d := w.decision(id); d.State != workflow.StPublicParticipation {
				t.Fatalf("state %s", d.State)
			}
			// More rows without JavaScript, what was typed kept.
			r = w.form("drafter", path+"/acts/complete_participation", url.Values{"expected_version": {"5"}, "_more": {"adoption_report"},
				"adoption_report[0].opinion": {"建议延长换乘优惠时段"}, "adoption_report[0].adopted": {""}, "adoption_report[0].reason": {""}})
			must(t, r, http.StatusOK, `name="adoption_report[1].opinion"`, `value="建议延长换乘优惠时段"`)
			if strings.Contains(string(r.Body), `name="adoption_report[2].opinion"`) {
				t.Errorf("one row more, not two")
			}
			// The period is still open: 422 in place.
			r = w.form("drafter", path+"/acts/complete_participation", url.Values{"expected_version": {"5"},
				"adoption_report[0].opinion": {"建议延长换乘优惠时段"}, "adoption_report[0].adopted": {"true"}})
			must(t, r, http.StatusUnprocessableEntity, "建议延长换乘优惠时段")

			// Bad requests: a clear 4xx.
			for _, c := range []struct {
				who, path string
				form      url.Values
				status    int
			}{
				{"drafter", path + "/acts/no_such_event", url.Values{"expected_version": {"5"}}, http.StatusNotFound},
				{"drafter", path + "/acts/record_legality_opinion", url.Values{"expected_version": {"5"}}, http.StatusForbidden},
				{"drafter", path + "/acts/revise_draft", url.Values{"expected_version": {"x"}, "text": {"草案"}}, http.StatusBadRequest},
				{"drafter", "/decisions/abc/acts/revise_draft", url.Values{"expected_version": {"5"}}, http.StatusNotFound},
				{"drafter", fmt.Sprintf("/decisions/%d/acts/revise_draft", w.proposed), url.Values{"expected_version": {"1"}, "text": {"x"}}, http.StatusNotFound},
				{"office", path + "/acts/launch", url.Values{"expected_version": {"5"}, "undertaking_unit_id": {"abc"}}, http.StatusConflict},
				{"sysadmin", path + "/acts/withdraw", url.Values{"expected_version": {"5"}}, http.StatusForbidden},
				{"drafter", path + "/acts/revise_draft", url.Values{"expected_version": {"5"}, "text": {"草案\x00"}}, http.StatusBadRequest},
				{"drafter", path + "/acts/revise_draft", url.Values{"expected_version": {"5"}, "text": {"草案\xff"}}, http.StatusBadRequest},
				{"drafter", path + "/acts/revise_draft", url.Values{"expected_version": {"5"}, "te\x00xt": {"草案"}}, http.StatusBadRequest},
				{"office", path + "/remind", url.Values{"message": {"催办\x00"}}, http.StatusBadRequest},
				{"office", "/notifications/email", url.Values{"email": {"a\x00@b.cn"}}, http.StatusBadRequest},
			} {
				if r := w.form(c.who, c.path, c.form); r.Status != c.status {
					t.Errorf("POST %s as %s: want %d, got %s", c.path, c.who, c.status, r)
				}
			}
			for _, p := range []string{"/decisions/0", "/decisions/abc", "/decisions/99999", "/decisions/99999/print"} {
				if r := w.page("drafter", p); r.Status != http.StatusNotFound {
					t.Errorf("GET %s: want 404, got %s", p, r)
				}
			}
			// Records by stage and the timeline, readable.
			body = must(t, w.page("leader", fmt.Sprintf("/decisions/%d", w.fare)), http.StatusOK, "各阶段记录", "公众意见、专家意见采纳情况说明",
				"常务会议", "不同意", "建议暂缓，待财政测算完成后再议。", "执行单位", "西宁市交通运输局", "合法")
			if strings.Contains(body, `{"`) {
				t.Errorf("raw JSON on the decision page")
			}
		})
	}
}

// TestWaiverAndPrint: a waived stage shows its recorded reason; the
// process record prints per GB/T 9704 with Chinese dates.
func TestWaiverAndPrint(t *testing.T) {
	db, _ := storetest.OpenSQLite(t, "qinghai")
	e := handlerstest.Start(t, db, store.AuthPolicy{AllowDemo: true})
	steps := append(handlerstest.StepsBefore(t, workflow.EvCompleteExpertReview), seeds.Step{Who: "drafter", Event: workflow.EvWaiveExpertReview,
		Data: func(*seeds.Env) map[string]any {
			return map[string]any{"reason": "本事项不涉及专业技术问题"}
		}})
	r, err := e.Fx.Run(t.Context(), db, "西宁市政务服务事项清单调整", map[string]any{"category": "other_major"}, steps)
	if err != nil {
		t.Fatal(err)
	}
	b := e.Browser(t)
	e.SignIn(t, b, "leader", seeds.DemoPassword)
	path := fmt.Sprintf("/decisions/%d", r.Decision.ID)
	must(t, e.Page(t, b, path), http.StatusOK, `class="step-waived"`, "依法免于", "本事项不涉及专业技术问题")
	body := must(t, e.Page(t, b, path+"/print"), http.StatusOK, "决策过程记录", `class="gw"`, "2026年11月25日", "一、办理进度", "二、办理过程")
	if strings.Contains(body, "2026年01月") {
		t.Errorf("leading zeros in a Chinese date")
	}
	css := e.Page(t, b, regexp.MustCompile(`href="(/assets/app\.[0-9a-f]+\.css)"`).FindStringSubmatch(body)[1])
	for _, want := range []string{"@page { size: A4; margin: 37mm 26mm 35mm 28mm;", `content: "— " counter(page) " —"`,
		`"仿宋_GB2312", "FangSong", "Noto Serif CJK SC", serif`, `"方正小标宋简体", "Noto Serif CJK SC", serif`, "font-size: 22pt", "font-size: 16pt"} {
		if !strings.Contains(string(css.Body), want) {
			t.Errorf("the print CSS lacks %q", want)
		}
	}
}

// TestAuditPage: the leader's trail with filters, readable; reading appends
// nothing; the CSV export is itself audited; the badge reflects the
// background verification.
func TestAuditPage(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			w := newWorld(t, b.Open)
			before := w.AuditTotal(t)
			body := must(t, w.page("leader", "/audit"), http.StatusOK, "审计追踪", "交通运输局李科员", "司法局赵审查员", "出具合法性审查意见",
				"审计链尚未校验", "导出CSV", "序号", "操作")
			if strings.Contains(body, `{"`) {
				t.Errorf("raw JSON in the audit trail")
			}
			must(t, w.page("leader", fmt.Sprintf("/audit?decision=%d", w.fare)), http.StatusOK, "办理时间线", "建议研究 → ", "符合法定权限")
			body = must(t, w.page("leader", "/audit?event=record_legality_opinion"), http.StatusOK, "司法局赵审查员")
			if strings.Contains(body, `<span class="who-name">交通运输局李科员</span>`) {
				t.Errorf("the event filter lets other events through")
			}
			body = must(t, w.page("leader", "/audit?person="+url.QueryEscape("赵审查员")), http.StatusOK, "司法局赵审查员")
			if strings.Contains(body, `<span class="who-name">交通运输局李科员</span>`) {
				t.Errorf("the person filter lets others through")
			}
			must(t, w.page("leader", fmt.Sprintf("/audit?unit=%d&since=2026-11-25&until=2026-11-25", w.Fx.Units["西宁市司法局"])), http.StatusOK, "司法局赵审查员")
			must(t, w.page("leader", "/audit?until=2020-01-01"), http.StatusOK, "没有符合条件的审计记录")
			for _, q := range []string{"/audit?event=nope", "/audit?since=yesterday", "/audit?decision=x", "/audit?page=0"} {
				if r := w.page("leader", q); r.Status != http.StatusBadRequest {
					t.Errorf("GET %s: want 400, got %s", q, r)
				}
			}
			if r := w.page("drafter", "/audit?decision=999999"); r.Status != http.StatusNotFound {
				t.Errorf("another's decision: %s", r)
			}
			if got := w.AuditTotal(t); got != before {
				t.Errorf("reading the audit pages appended %d events", got-before)
			}
			// The CSV export: what the filter selects, UTF-8 with BOM, audited.
			r := w.page("leader", "/audit.csv?event=record_legality_opinion")
			if r.Status != http.StatusOK || !strings.HasPrefix(string(r.Body), "\uFEFF序号,") || !strings.Contains(string(r.Body), "司法局赵审查员") {
				t.Fatalf("CSV: %s", r)
			}
			if n := strings.Count(string(r.Body), "\n"); n != 2 {
				t.Errorf("CSV lines: %d, want a header and the one opinion", n)
			}
			if got := w.AuditTotal(t); got != before+1 {
				t.Errorf("the export is one audit event: %d → %d", before, got)
			}
			w.Verify(t)
			must(t, w.page("leader", "/audit?event=export"), http.StatusOK, "导出", "audit_csv", "市长")
			// The badge, once the background has verified the chain.
			if err := w.Background.Round(t.Context()); err != nil {
				t.Fatal(err)
			}
			must(t, w.page("leader", "/audit"), http.StatusOK, "审计链校验通过", "badge-ok")
			// The auditor reads every trail; administrators' pages carry no queue.
			must(t, w.page("auditor", "/audit?event=export"), http.StatusOK, "市长")
		})
	}
}

// TestReminders: a decision entering someone's queue notifies them; the
// office's reminder is audited and notifies the undertaking unit; deadlines
// three working days ahead and passed; the bell's count; marking read.
func TestReminders(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			w := newWorld(t, b.Open)
			ctx := t.Context()
			// Entering the queue: the reviewer was told of the pending submission.
			must(t, w.page("reviewer", "/notifications"), http.StatusOK, "已进入您的待办", "西宁市城市停车收费管理办法")
			// The office's reminder.
			before := w.AuditTotal(t)
			r := w.form("office", fmt.Sprintf("/decisions/%d/remind", w.drafting), url.Values{"message": {"请于本周内提交草案"}})
			if r.Status != http.StatusSeeOther {
				t.Fatalf("remind: %s", r)
			}
			if got := w.AuditTotal(t); got != before+1 {
				t.Errorf("the reminder is one audit event: %d → %d", before, got)
			}
			must(t, w.page("leader", "/audit?event=remind"), http.StatusOK, "催办", "办公厅王科长", "请于本周内提交草案")
			w.Verify(t) // the reminder's event keeps the chain (and the database) verifying
			home := must(t, w.page("drafter", "/"), http.StatusOK, `class="count"`)
			if !regexp.MustCompile(`<span class="count">\d+</span>`).MatchString(home) {
				t.Errorf("the bell shows no count")
			}
			must(t, w.page("drafter", "/notifications"), http.StatusOK, "办公厅王科长催办「西宁市老旧小区改造三年行动计划」：请于本周内提交草案", "未读")
			// Refusals: not the office; an empty message; an ended decision.
			if r := w.form("drafter", fmt.Sprintf("/decisions/%d/remind", w.drafting), url.Values{"message": {"x"}}); r.Status != http.StatusForbidden {
				t.Errorf("remind by the drafter: %s", r)
			}
			must(t, w.form("office", fmt.Sprintf("/decisions/%d/remind", w.drafting), url.Values{"message": {" "}}), http.StatusBadRequest, "请填写催办内容")
			// Deadlines: the late decision is overdue; one closing within three
			// working days is due soon.
			soon, err := w.Fx.Run(ctx, w.DB, "西宁市公园管理办法", map[string]any{"category": "public_policy"},
				append(handlerstest.StepsBefore(t, workflow.EvStartParticipation), seeds.Step{Who: "drafter", Event: workflow.EvStartParticipation,
					Data: func(s *seeds.Env) map[string]any {
						return map[string]any{"methods": []string{"online_comment"}, "notice": map[string]any{"channels": []string{"市政府网站"},
							"opened_on": workflow.FormatDate(s.Today.AddDate(0, 0, -30)), "closes_on": workflow.FormatDate(s.Today.AddDate(0, 0, 1)),
							"shortened_reason": "测试"}}
					}}))
			if err != nil {
				t.Fatal(err)
			}
			n, err := w.DB.DueNotices(ctx, 3)
			if err != nil || n < 2 {
				t.Fatalf("due notices: %d %v", n, err)
			}
			if again, _ := w.DB.DueNotices(ctx, 3); again != 0 {
				t.Errorf("due notices are made once: %d more", again)
			}
			body := must(t, w.page("drafter", "/notifications"), http.StatusOK, "即将到期", "西宁市公园管理办法", "已逾期", "西宁市中小学校课后服务管理办法")
			_ = soon
			// Mark one read, then all.
			id := regexp.MustCompile(`name="id" value="(\d+)"`).FindStringSubmatch(body)
			if id == nil {
				t.Fatal("no notification to mark")
			}
			if r := w.form("drafter", "/notifications/read", url.Values{"id": {id[1]}}); r.Status != http.StatusSeeOther {
				t.Fatalf("mark read: %s", r)
			}
			if r := w.form("drafter", "/notifications/read", nil); r.Status != http.StatusSeeOther {
				t.Fatalf("mark all read: %s", r)
			}
			if strings.Contains(string(w.page("drafter", "/").Body), `class="count"`) {
				t.Errorf("the bell still counts after all were read")
			}
			if r := w.form("drafter", "/notifications/read", url.Values{"id": {"x"}}); r.Status != http.StatusBadRequest {
				t.Errorf("bad id: %s", r)
			}
			// Notifications are not audit events: the reminder, the drafter's
			// refused reminder (a security event) and the new decision's
			// creation and three acts are.
			if got := w.AuditTotal(t); got != before+1+1+1+len(handlerstest.StepsBefore(t, workflow.EvStartParticipation))+1 {
				t.Errorf("notifications reached the audit chain: %d events after %d", got, before)
			}
		})
	}
}

// smtpServer is a tiny SMTP server on the loopback address that keeps
// what it receives (enough of RFC 5321 for net/smtp).
type smtpServer struct {
	addr string
	mu   sync.Mutex
	msgs []string
	rcpt []string
}

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{addr: ln.Addr().String()}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	r, wr := bufio.NewReader(c), bufio.NewWriter(c)
	say := func(l string) { wr.WriteString(l + "\r\n"); wr.Flush() }
	say("220 test ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 test")
		case strings.HasPrefix(cmd, "MAIL FROM"):
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO"):
			s.mu.Lock()
			s.rcpt = append(s.rcpt, strings.TrimSpace(line[8:]))
			s.mu.Unlock()
			say("250 ok")
		case cmd == "DATA":
			say("354 go on")
			var msg strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				msg.WriteString(l)
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, msg.String())
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

// TestEmail: notifications are e-mailed through SMTP to a person who gave
// an address (the test starts its own SMTP server); setting the address is
// a security event; a bad address is refused in place.
func TestEmail(t *testing.T) {
	mail := startSMTP(t)
	db, _ := storetest.OpenSQLite(t, "qinghai")
	bg := console.NewBackground(db, console.BackgroundOptions{SMTP: &console.SMTPConfig{Addr: mail.addr, From: "decisiond@example.gov.cn"}})
	e := handlerstest.StartDeps(t, handlers.Deps{DB: db, Auth: store.AuthPolicy{AllowDemo: true}, Background: bg,
		Limits: handlers.Limits{SignIn: 1000, Failing: 1000, Expensive: 1000}})
	fx := e.Fx
	res, err := fx.Run(t.Context(), db, seeds.FareTitle, seeds.FareFlags, handlerstest.StepsBefore(t, workflow.EvReviseDraft))
	if err != nil {
		t.Fatal(err)
	}
	drafter, office := e.Browser(t), e.Browser(t)
	e.SignIn(t, drafter, "drafter", seeds.DemoPassword)
	e.SignIn(t, office, "office", seeds.DemoPassword)
	must(t, e.Form(t, drafter, "/notifications/email", url.Values{"email": {"not an address"}}), http.StatusBadRequest, "电子邮件地址格式不正确", `value="not an address"`)
	if r := e.Form(t, drafter, "/notifications/email", url.Values{"email": {"li@jtj.xining.gov.cn"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("set e-mail: %s", r)
	}
	if r := e.Form(t, office, fmt.Sprintf("/decisions/%d/remind", res.Decision.ID), url.Values{"message": {"请尽快拟订草案"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("remind: %s", r)
	}
	if err := bg.Round(t.Context()); err != nil {
		t.Fatal(err)
	}
	mail.mu.Lock()
	defer mail.mu.Unlock()
	if len(mail.msgs) != 1 || len(mail.rcpt) != 1 || !strings.Contains(mail.rcpt[0], "li@jtj.xining.gov.cn") {
		t.Fatalf("mail: %d messages to %v", len(mail.msgs), mail.rcpt)
	}
	msg := mail.msgs[0]
	head, body, _ := strings.Cut(msg, "\r\n\r\n")
	subject := regexp.MustCompile(`Subject: (.*)\r\n`).FindStringSubmatch(head + "\r\n")
	if subject == nil {
		t.Fatalf("no subject: %s", head)
	}
	dec, err := new(mime.WordDecoder).DecodeHeader(subject[1])
	if err != nil || !strings.Contains(dec, "催办") {
		t.Errorf("subject %q (%v)", dec, err)
	}
	text, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(body, "\r\n", ""))
	if err != nil || !strings.Contains(string(text), "请尽快拟订草案") || !strings.Contains(string(text), "sends a reminder") {
		t.Errorf("body %q (%v)", text, err)
	}
	// Sent once only.
	mail.mu.Unlock()
	if err := bg.Round(t.Context()); err != nil {
		t.Fatal(err)
	}
	mail.mu.Lock()
	if len(mail.msgs) != 1 {
		t.Errorf("a notification was e-mailed twice")
	}
	// The address change is in the security audit.
	r := e.Do(t, "GET", "/api/v1/audit?per_page=200", handlerstest.Token(t, "leader"), nil)
	if !strings.Contains(string(r.Body), workflow.EvSetNotificationEmail) {
		t.Errorf("setting the address is not audited")
	}
}

// TestPagesMisc: the dashboard (SVG with its figures as tables, the
// catalogue hook), the procedure page drawn from the event table with the
// articles, the session extension, the large-text mode.
func TestPagesMisc(t *testing.T) {
	w := newWorld(t, func(tb testing.TB) (*store.DB, string) { return storetest.OpenSQLite(tb, "qinghai") })
	body := must(t, w.page("leader", "/dashboard"), http.StatusOK, `<svg role="img"`, "<title id=\"chart-stages-t\">各阶段决策事项数</title>",
		"逾期事项", "久拖不决事项", "合法性审查结论", "年度决策事项目录进度", "目录尚未公布", "西宁市中小学校课后服务管理办法")
	if !strings.Contains(body, "<td>执行中</td><td>1</td>") {
		t.Errorf("the stage figures are not given as a table")
	}
	if r := w.page("drafter", "/dashboard"); r.Status != http.StatusForbidden {
		t.Errorf("dashboard for the drafter: %s", r)
	}
	body = must(t, w.page("drafter", "/procedure"), http.StatusOK, `href="#state-legality_review"`, `id="state-legality_review"`, "第二十五条",
		"未经合法性审查", "办理事项一览", "提请集体讨论")
	for _, s := range workflow.States {
		if !strings.Contains(body, `href="#state-`+string(s.Code)+`"`) {
			t.Errorf("the diagram has no box for %s", s.Code)
		}
	}
	// The session: the warning's data, its extension.
	must(t, w.page("drafter", "/"), http.StatusOK, `id="session-warning"`, `data-left="1800"`, "延长登录")
	r := w.form("drafter", "/session/extend", url.Values{"return": {"/audit"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/audit" {
		t.Errorf("extend (form): %s", r)
	}
	req, _ := http.NewRequest("POST", w.Srv.URL+"/session/extend", nil)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	r = w.Send(t, w.br["drafter"], req)
	var ext struct {
		Ends time.Time `json:"ends"`
		Left int       `json:"left"`
	}
	if err := json.Unmarshal(r.Body, &ext); err != nil || r.Status != http.StatusOK || ext.Left != 1800 {
		t.Errorf("extend (script): %s", r)
	}
	if r := w.form("drafter", "/session/extend", url.Values{"return": {"//evil.example"}}); r.Header.Get("Location") != "/" {
		t.Errorf("extend returns only within the site: %s", r.Header.Get("Location"))
	}
	// Large text.
	w.form("drafter", "/prefs", url.Values{"size": {"large"}, "return": {"/"}})
	must(t, w.page("drafter", "/"), http.StatusOK, `<body class="large `)
}

// TestDashboardStuck: a decision that has not moved for longer than the
// rule pack allows (Qinghai: 180 days) is listed as 久拖不决, and its
// overdue deadlines as overdue, once time has passed.
func TestDashboardStuck(t *testing.T) {
	opts := storetest.Options(t, "qinghai")
	clock := opts.Clock.(*workflow.FixedClock)
	db, _ := storetest.Backends(t)[0].OpenWith(t, opts)
	p := store.DefaultAuthPolicy
	p.AllowDemo, p.PasswordMaxAge = true, 0 // 200 days pass below
	e := handlerstest.Start(t, db, p)
	if _, err := e.Fx.Run(t.Context(), db, "西宁市城市供水价格调整方案", map[string]any{"category": "public_policy"},
		handlerstest.StepsBefore(t, workflow.EvReviseDraft)); err != nil {
		t.Fatal(err)
	}
	b := e.Browser(t)
	e.SignIn(t, b, "leader", seeds.DemoPassword)
	must(t, e.Page(t, b, "/dashboard"), http.StatusOK, "没有久拖不决的事项")
	clock.T = clock.T.AddDate(0, 0, 200)
	e.SignIn(t, b, "leader", seeds.DemoPassword) // the old session has long ended
	body := must(t, e.Page(t, b, "/dashboard"), http.StatusOK, "久拖不决事项（第三十八条）（1）", "西宁市城市供水价格调整方案")
	if !strings.Contains(body, `<span class="overdue">久拖不决</span>`) {
		t.Errorf("the stuck decision is not marked in text")
	}
}

// TestDashboardCatalogue: the year's catalogue progress — each item's
// 完成情况 as the catalogue's own report derives it — drawn and tabled.
func TestDashboardCatalogue(t *testing.T) {
	e := handlerstest.NewWith(t, func(tb testing.TB) (*store.DB, string) { return storetest.OpenSQLite(tb, "qinghai") },
		handlerstest.Options{Demo: true})
	organ := e.Fx.Units[seeds.DemoOrgan]
	report, err := e.DB.YearReport(t.Context(), organ, 2026)
	if err != nil {
		t.Fatal(err)
	}
	b := e.Browser(t)
	e.SignIn(t, b, "leader", seeds.DemoPassword)
	body := must(t, e.Page(t, b, "/dashboard"), http.StatusOK, "2026年度决策事项目录完成情况", `id="chart-catalogue-t"`, "/public/catalogues/2026/report")
	for code, label := range map[string]string{workflow.CompletionCompleted: "已完成", workflow.CompletionInProgress: "推进中", workflow.CompletionNotStarted: "未启动"} {
		if want := fmt.Sprintf("<td>%s</td><td>%d</td>", label, report.Counts[code]); !strings.Contains(body, want) {
			t.Errorf("catalogue figure %s: want %s", code, want)
		}
	}
	if len(report.Items) == 0 {
		t.Fatal("the demo catalogue has no items; the test proves nothing")
	}
}

// TestBackgroundVerifiesOnItsOwnCadence: the dashboard's verification runs
// at the first round, not again at every round (at scale it costs seconds of
// a core), and again once VerifyEvery has passed — and it still finds what
// happened since.
func TestBackgroundVerifiesOnItsOwnCadence(t *testing.T) {
	opts := storetest.Options(t, "qinghai")
	clock := opts.Clock.(*workflow.FixedClock)
	db, _ := storetest.Backends(t)[0].OpenWith(t, opts)
	fx := storetest.Base(t, db)
	bg := console.NewBackground(db, console.BackgroundOptions{VerifyEvery: time.Hour})
	if err := bg.Round(t.Context()); err != nil {
		t.Fatal(err)
	}
	first, at := bg.Chain()
	if first == nil || !first.OK || !at.Equal(clock.T) {
		t.Fatalf("the first round did not verify: %+v at %s", first, at)
	}
	if _, err := fx.Run(t.Context(), db, seeds.FareTitle, seeds.FareFlags, seeds.FareSteps[:2]); err != nil {
		t.Fatal(err)
	}
	clock.T = clock.T.Add(59 * time.Minute)
	if err := bg.Round(t.Context()); err != nil {
		t.Fatal(err)
	}
	if again, at2 := bg.Chain(); again.Events != first.Events || !at2.Equal(at) {
		t.Fatalf("verified again within the hour: %d events at %s", again.Events, at2)
	}
	clock.T = clock.T.Add(time.Minute)
	if err := bg.Round(t.Context()); err != nil {
		t.Fatal(err)
	}
	if later, at3 := bg.Chain(); !later.OK || later.Events <= first.Events || !at3.Equal(clock.T) {
		t.Fatalf("not verified again after the hour: %+v at %s", later, at3)
	}
}
