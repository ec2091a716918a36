package public_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"decisiond/handlers"
	"decisiond/handlers/api"
	"decisiond/handlers/handlerstest"
	"decisiond/handlers/public"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// Public participation online (Art. 14–18): the consultation pages, the
// comments with their receipts, the abuse rules, and the adoption report
// that answers every comment.

// consultationTitle is the demo's decision in public participation: its
// notice opened 5 days before the demo's day and closes 30 days after it.
const consultationTitle = "西宁市中小学校课后服务管理办法"

// consult is a test server over the whole demo with a clock the test
// moves, and the demo's consultation.
type consult struct {
	*handlerstest.Env
	clock          *workflow.FixedClock
	id             int64
	opened, closes time.Time // the notice's first and last day
	path, postPath string
}

func newConsult(t *testing.T, b storetest.Backend, l handlers.Limits) *consult {
	t.Helper()
	return newConsultWith(t, b, l, public.Config{})
}

// newConsultWith is newConsult with the public site configured.
func newConsultWith(t *testing.T, b storetest.Backend, l handlers.Limits, cfg public.Config) *consult {
	t.Helper()
	opts := storetest.Options(t, "qinghai")
	clock := opts.Clock.(*workflow.FixedClock)
	e := handlerstest.NewWith(t, func(tb testing.TB) (*store.DB, string) { return b.OpenWith(tb, opts) },
		handlerstest.Options{Demo: true, Limits: l, Public: cfg})
	today := workflow.DateOf(clock.T)
	c := &consult{Env: e, clock: clock, id: e.Demo.Decisions[consultationTitle], opened: today.AddDate(0, 0, -5), closes: today.AddDate(0, 0, 30)}
	c.path = fmt.Sprintf("/public/consultations/%d", c.id)
	c.postPath = c.path + "/comments"
	return c
}

// at sets the clock to a day (a date at 00:00 UTC, as DateOf gives) and a
// time of that day in China.
func (c *consult) at(day time.Time, hms string) {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", workflow.FormatDate(day)+" "+hms, workflow.ChinaTime)
	if err != nil {
		panic(err)
	}
	c.clock.T = t
}

// postJSON posts a comment as an API client (JSON in, JSON out).
func (c *consult) postJSON(t *testing.T, path string, body any) handlerstest.Response {
	t.Helper()
	return c.Do(t, "POST", path, "", body)
}

// postForm posts the comment form as a browser would.
func (c *consult) postForm(t *testing.T, path string, form url.Values) handlerstest.Response {
	t.Helper()
	return c.Form(t, c.Browser(t), path, form)
}

// comments is the number of comments of the consultation, read by its
// drafter through the API.
func (c *consult) comments(t *testing.T) int {
	t.Helper()
	r := c.Do(t, "GET", fmt.Sprintf("/api/v1/decisions/%d/comments?all_rounds=true", c.id), handlerstest.Token(t, "drafter"), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("comments: %s", r)
	}
	return handlerstest.Decode[api.CommentsPage](t, r).Meta.Total
}

// written is the comments and audit events so far: a refused post
// changes neither.
func (c *consult) written(t *testing.T) [2]int {
	t.Helper()
	return [2]int{c.comments(t), c.AuditTotal(t)}
}

type receiptJSON struct {
	Receipt string `json:"receipt"`
	At      string `json:"at"`
}

var receiptShape = regexp.MustCompile(`^\d{8}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$`)

func mustReceipt(t *testing.T, r handlerstest.Response) receiptJSON {
	t.Helper()
	if r.Status != http.StatusCreated {
		t.Fatalf("post: want 201, got %s", r)
	}
	rc := handlerstest.Decode[receiptJSON](t, r)
	if !receiptShape.MatchString(rc.Receipt) {
		t.Fatalf("receipt %q is not a receipt number", rc.Receipt)
	}
	if _, err := time.Parse(time.RFC3339, rc.At); err != nil {
		t.Fatalf("at %q: %v", rc.At, err)
	}
	if loc := r.Header.Get("Location"); loc != "/public/receipts/"+rc.Receipt {
		t.Errorf("Location = %q", loc)
	}
	return rc
}

// TestConsultation_PeriodBoundaries (Art. 15): comments are taken from the
// first second of the notice's first day to the last second of its closing
// day, China time by the server's clock; the day before and the day after
// are refused 409 consultation_closed with nothing written, and the page
// shows the form only while the period is open.
func TestConsultation_PeriodBoundaries(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			c := newConsult(t, b, handlers.Limits{})
			cases := []struct {
				name string
				day  time.Time
				hms  string
				open bool
			}{
				{"the day before the first day, 23:59:59", c.opened.AddDate(0, 0, -1), "23:59:59", false},
				{"the first day, 00:00:00", c.opened, "00:00:00", true},
				{"the last day, 23:59:59", c.closes, "23:59:59", true},
				{"the day after the last, 00:00:00", c.closes.AddDate(0, 0, 1), "00:00:00", false},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					c.at(tc.day, tc.hms)
					before := c.written(t)
					r := c.postJSON(t, c.postPath, map[string]any{"text": "建议课后服务延长至18时。"})
					page := get(t, c.Env, c.path)
					if page.Status != http.StatusOK {
						t.Fatalf("page: %s", page)
					}
					hasForm := strings.Contains(string(page.Body), `name="text"`)
					if tc.open {
						mustReceipt(t, r)
						if got := c.written(t); got[0] != before[0]+1 || got[1] != before[1]+1 {
							t.Errorf("one comment and one audit event written: %v → %v", before, got)
						}
						if !hasForm {
							t.Error("the page shows no comment form while the period is open")
						}
						return
					}
					p := handlerstest.Problem(t, r, http.StatusConflict, workflow.CodeConsultationClosed)
					if !strings.Contains(p.Detail, "第十五条") || !strings.Contains(p.Detail, workflow.FormatDate(tc.day)) {
						t.Errorf("the refusal names the rule and today: %q", p.Detail)
					}
					if got := c.written(t); got != before {
						t.Errorf("a refused post wrote something: %v → %v", before, got)
					}
					if hasForm {
						t.Error("the page shows the comment form outside the period")
					}
				})
			}
			c.Verify(t)
		})
	}
}

// TestConsultation_ReceiptRoundTrip: a browser posts the form and lands on
// its receipt's page; an API client gets {"receipt","at"}; the receipt
// page names the draft (version, SHA-256) and shows the text but never
// the name or contact; once the adoption report exists it says how the
// comment was handled and why. The receipt is found by its number in any
// case, a wrong number is 404, and receipt pages are never cached by
// shared caches.
func TestConsultation_ReceiptRoundTrip(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			c := newConsult(t, b, handlers.Limits{})
			// The form, as a browser posts it.
			r := c.postForm(t, c.postPath, url.Values{"text": {"建议增加体育类课后服务项目。\r\n第二段。"}, "name": {"王老师"}, "contact": {"13900000000"}, "website": {""}})
			if r.Status != http.StatusSeeOther {
				t.Fatalf("form post: want 303, got %s", r)
			}
			loc := r.Header.Get("Location")
			m := regexp.MustCompile(`^/public/receipts/(\d{8}-[0-9A-Z-]{14})\?new=1$`).FindStringSubmatch(loc)
			if m == nil {
				t.Fatalf("Location = %q", loc)
			}
			formReceipt := m[1]
			page := get(t, c.Env, loc)
			body := string(page.Body)
			if page.Status != http.StatusOK || !strings.Contains(body, "您的意见已提交成功") || !strings.Contains(body, formReceipt) ||
				!strings.Contains(body, "建议增加体育类课后服务项目。") || !strings.Contains(body, "已收到，正在研究处理") {
				t.Fatalf("receipt page: %s", page)
			}
			if strings.Contains(body, "王老师") || strings.Contains(body, "13900000000") {
				t.Error("the receipt page shows the name or the contact")
			}
			if cc := page.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") || strings.Contains(cc, "public") {
				t.Errorf("receipt page Cache-Control = %q", cc)
			}
			_, dec := c.GetDecision(t, "drafter", c.id)
			hash := strings.Trim(string(dec["current_draft_hash"]), `"`)
			if !strings.Contains(body, hash) {
				t.Errorf("the receipt page does not name the draft's hash %s", hash)
			}

			// JSON, as an API client posts it.
			rc := mustReceipt(t, c.postJSON(t, c.postPath, map[string]any{"text": "建议明确收费标准。", "name": "", "contact": ""}))
			if rc.Receipt == formReceipt {
				t.Fatal("two comments got one receipt")
			}
			if got := get(t, c.Env, "/public/receipts/"+strings.ToLower(rc.Receipt)); got.Status != http.StatusOK {
				t.Errorf("a receipt typed in lower case: %s", got)
			}
			if got := c.Page(t, c.Browser(t), "/public/receipts?no="+url.QueryEscape(" "+rc.Receipt+" ")); got.Status != http.StatusSeeOther ||
				got.Header.Get("Location") != "/public/receipts/"+rc.Receipt {
				t.Errorf("the lookup form: %s", got)
			}
			for _, bad := range []string{"/public/receipts/20260101-0000-0000-0000", "/public/receipts/nonsense", "/public/receipts?no=20260101-0000-0000-0000"} {
				if got := get(t, c.Env, bad, "Accept", "text/html"); got.Status != http.StatusNotFound {
					t.Errorf("%s: want 404, got %s", bad, got)
				}
			}

			// The drafter reads both, with the name and contact and a source.
			r = c.Do(t, "GET", fmt.Sprintf("/api/v1/decisions/%d/comments", c.id), handlerstest.Token(t, "drafter"), nil)
			list := handlerstest.Decode[api.CommentsPage](t, r)
			if list.Meta.Total != 2 || list.Counts.Open != 2 || len(list.Items) != 2 || list.Items[1].Name != "王老师" ||
				list.Items[1].Contact != "13900000000" || list.Items[1].Text != "建议增加体育类课后服务项目。\n第二段。" || list.Items[1].Source == "" {
				t.Fatalf("the drafter's list: %+v", list)
			}
			formID, jsonID := list.Items[1].ID, list.Items[0].ID

			// Handled and reported: the form's comment answered by an item,
			// the other marked off-topic.
			handle(t, c, []int64{formID}, map[string]any{"kind": "group", "opinion": "增加体育类课后服务"}, http.StatusOK)
			handle(t, c, []int64{jsonID}, map[string]any{"kind": "off_topic", "reason": "收费标准另行制定，不属于本办法内容"}, http.StatusOK)
			complete(t, c, []any{map[string]any{"opinion": "增加体育类课后服务", "adopted": true, "comments": []int64{formID}}}, http.StatusOK)
			page = get(t, c.Env, "/public/receipts/"+formReceipt)
			if body := string(page.Body); !strings.Contains(body, "增加体育类课后服务") || !strings.Contains(body, "已采纳") {
				t.Errorf("the receipt page after the report: %s", page)
			}
			page = get(t, c.Env, "/public/receipts/"+rc.Receipt)
			if body := string(page.Body); !strings.Contains(body, "与征求意见内容无关") || !strings.Contains(body, "收费标准另行制定") {
				t.Errorf("the marked comment's receipt page: %s", page)
			}
			c.Verify(t)
		})
	}
}

// handle groups or marks comments through the API as the drafter.
func handle(t *testing.T, c *consult, ids []int64, body map[string]any, want int) handlerstest.Response {
	t.Helper()
	body["comments"] = ids
	r := c.Do(t, "POST", fmt.Sprintf("/api/v1/decisions/%d/comments/handling", c.id), handlerstest.Token(t, "drafter"), body)
	if r.Status != want {
		t.Fatalf("handling %v: want %d, got %s", ids, want, r)
	}
	return r
}

// complete fires complete_participation the day after the period closed.
func complete(t *testing.T, c *consult, report []any, want int) handlerstest.Response {
	t.Helper()
	c.at(c.closes.AddDate(0, 0, 1), "09:00:00")
	d, _ := c.GetDecision(t, "drafter", c.id)
	r := c.Fire(t, "drafter", c.id, workflow.EvCompleteParticipation, d.Version, map[string]any{"adoption_report": report})
	if r.Status != want {
		t.Fatalf("complete_participation: want %d, got %s", want, r)
	}
	return r
}

// TestConsultation_CoverageGuard (Art. 18): complete_participation is
// refused while a comment received online is neither answered by an item
// of the adoption report nor marked, naming it; accepted once each is
// answered or marked. After it the comments are handled no more (409).
func TestConsultation_CoverageGuard(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			c := newConsult(t, b, handlers.Limits{})
			mustReceipt(t, c.postJSON(t, c.postPath, map[string]any{"text": "建议将课后服务纳入财政补贴。"}))
			mustReceipt(t, c.postJSON(t, c.postPath, map[string]any{"text": "这个网站很难用。"}))
			list := handlerstest.Decode[api.CommentsPage](t, c.Do(t, "GET", fmt.Sprintf("/api/v1/decisions/%d/comments", c.id), handlerstest.Token(t, "drafter"), nil))
			subsidy, offTopic := list.Items[1].ID, list.Items[0].ID
			report := []any{map[string]any{"opinion": "落实课后服务经费保障", "adopted": false, "reason": "经费由学校统筹"}}

			p := handlerstest.Problem(t, complete(t, c, report, http.StatusUnprocessableEntity), http.StatusUnprocessableEntity, workflow.CodeCommentsUnanswered)
			if !strings.Contains(p.Detail, "2条") || p.Article != "Art. 18" {
				t.Errorf("two unanswered: %+v", p)
			}
			handle(t, c, []int64{offTopic}, map[string]any{"kind": "off_topic", "reason": "与草案内容无关"}, http.StatusOK)
			p = handlerstest.Problem(t, complete(t, c, report, http.StatusUnprocessableEntity), http.StatusUnprocessableEntity, workflow.CodeCommentsUnanswered)
			if !strings.Contains(p.Detail, "1条") || !strings.Contains(p.Detail, fmt.Sprint(subsidy)) {
				t.Errorf("one unanswered, named: %q", p.Detail)
			}
			// Grouping alone answers nothing: the report must name it.
			handle(t, c, []int64{subsidy}, map[string]any{"kind": "group", "opinion": "落实课后服务经费保障"}, http.StatusOK)
			complete(t, c, report, http.StatusUnprocessableEntity)
			// A report naming what is not a comment of this period.
			bad := []any{map[string]any{"opinion": "落实课后服务经费保障", "adopted": false, "reason": "经费由学校统筹", "comments": []int64{subsidy, 999999}}}
			pf := handlerstest.Problem(t, complete(t, c, bad, http.StatusBadRequest), http.StatusBadRequest, workflow.CodeValidationFailed)
			if f := handlerstest.FieldsOf(pf); len(f) != 1 || f[0] != "adoption_report[0].comments[1]" {
				t.Errorf("fields: %v", f)
			}
			report[0].(map[string]any)["comments"] = []int64{subsidy}
			complete(t, c, report, http.StatusOK)
			// Participation is over: no more handling, and no more comments.
			handle(t, c, []int64{subsidy}, map[string]any{"kind": "duplicate", "reason": "x"}, http.StatusConflict)
			c.at(c.closes, "12:00:00") // even on a day within the period
			handlerstest.Problem(t, c.postJSON(t, c.postPath, map[string]any{"text": "迟到的意见"}), http.StatusConflict, workflow.CodeConsultationClosed)
			c.Verify(t)
		})
	}
}

// TestConsultation_BadInput: every bad post is a 4xx with its reason and
// writes nothing — an empty, blank or over-long text, NUL or invalid
// UTF-8 in a form or JSON, the honeypot filled in, unknown or mistyped
// JSON fields, a body over 64 KB, another content type; a decision the
// public may not see (404) or whose consultation is over (409). A browser
// gets the form again with the reason next to the field and its text kept.
func TestConsultation_BadInput(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			c := newConsult(t, b, handlers.Limits{})
			fare := c.Demo.Decisions["西宁市城市公共交通票价调整方案"]     // participation long over
			drafting := c.Demo.Decisions["西宁市老旧小区改造三年行动计划"] // never opened for comment
			long := strings.Repeat("意", workflow.CommentMaxLen+1)
			raw := func(ctype, body string) func(t *testing.T) handlerstest.Response {
				return func(t *testing.T) handlerstest.Response {
					req, _ := http.NewRequest("POST", c.Srv.URL+c.postPath, strings.NewReader(body))
					req.Header.Set("Content-Type", ctype)
					return c.Send(t, nil, req)
				}
			}
			js := func(v any) func(t *testing.T) handlerstest.Response {
				return func(t *testing.T) handlerstest.Response { return c.postJSON(t, c.postPath, v) }
			}
			cases := []struct {
				name   string
				post   func(t *testing.T) handlerstest.Response
				status int
				code   string
				field  string
			}{
				{"no text", js(map[string]any{"name": "张三"}), 400, workflow.CodeValidationFailed, "text"},
				{"blank text", js(map[string]any{"text": " \n\t "}), 400, workflow.CodeValidationFailed, "text"},
				{"5001 characters", js(map[string]any{"text": long}), 400, workflow.CodeValidationFailed, "text"},
				{"a name too long", js(map[string]any{"text": "意见", "name": strings.Repeat("名", 51)}), 400, workflow.CodeValidationFailed, "name"},
				{"the honeypot filled in", js(map[string]any{"text": "意见", "website": "http://spam.example"}), 400, workflow.CodeValidationFailed, "website"},
				{"NUL in a form", raw("application/x-www-form-urlencoded", "text=%E6%84%8F%00"), 400, workflow.CodeValidationFailed, "text"},
				{"invalid UTF-8 in a form", raw("application/x-www-form-urlencoded", "text=%FF%FE"), 400, workflow.CodeValidationFailed, "text"},
				{"NUL in JSON", raw("application/json", `{"text":"意\u0000见"}`), 400, workflow.CodeValidationFailed, "text"},
				{"a raw NUL byte in JSON", raw("application/json", "{\"text\":\"意\x00见\"}"), 400, workflow.CodeValidationFailed, "body"},
				{"invalid UTF-8 in JSON", raw("application/json", "{\"text\":\"\xff\xfe\"}"), 400, workflow.CodeValidationFailed, "body"},
				{"an unknown JSON field", js(map[string]any{"text": "意见", "email": "a@b.c"}), 400, workflow.CodeValidationFailed, "body"},
				{"a number for the text", js(map[string]any{"text": 42}), 400, workflow.CodeValidationFailed, "body"},
				{"a JSON array", raw("application/json", `["意见"]`), 400, workflow.CodeValidationFailed, "body"},
				{"another content type", raw("text/plain", "意见"), 400, workflow.CodeValidationFailed, "body"},
				{"a body over 64 KB", raw("application/x-www-form-urlencoded", "text="+strings.Repeat("%E6%84%8F", 8000)), 413, "payload_too_large", ""},
				{"a decision never opened for comment", func(t *testing.T) handlerstest.Response {
					return c.postJSON(t, fmt.Sprintf("/public/consultations/%d/comments", drafting), map[string]any{"text": "意见"})
				}, 404, workflow.CodeNotFound, ""},
				{"no such decision", func(t *testing.T) handlerstest.Response {
					return c.postJSON(t, "/public/consultations/999999/comments", map[string]any{"text": "意见"})
				}, 404, workflow.CodeNotFound, ""},
				{"not an id", func(t *testing.T) handlerstest.Response {
					return c.postJSON(t, "/public/consultations/abc/comments", map[string]any{"text": "意见"})
				}, 404, workflow.CodeNotFound, ""},
				{"a consultation that is over", func(t *testing.T) handlerstest.Response {
					return c.postJSON(t, fmt.Sprintf("/public/consultations/%d/comments", fare), map[string]any{"text": "意见"})
				}, 409, workflow.CodeConsultationClosed, ""},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					before := c.written(t)
					r := tc.post(t)
					p := handlerstest.Problem(t, r, tc.status, tc.code)
					if tc.field != "" {
						if f := handlerstest.FieldsOf(p); len(f) == 0 || f[0] != tc.field {
							t.Errorf("fields %v, want %s", f, tc.field)
						}
					}
					if got := c.written(t); got != before {
						t.Errorf("a refused post wrote something: %v → %v", before, got)
					}
				})
			}
			// A browser: the page again, the reason at the field, the text kept.
			before := c.written(t)
			r := c.postForm(t, c.postPath, url.Values{"text": {long}, "name": {"李四"}})
			body := string(r.Body)
			if r.Status != http.StatusBadRequest || !strings.Contains(body, "意见未能提交") || !strings.Contains(body, "意见内容不超过5000字") ||
				!strings.Contains(body, long) || !strings.Contains(body, `value="李四"`) || !strings.Contains(r.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("the refused form: %s", r)
			}
			r = c.postForm(t, fmt.Sprintf("/public/consultations/%d/comments", fare), url.Values{"text": {"过期的意见"}})
			if r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "过期的意见") || !strings.Contains(string(r.Body), "截止") {
				t.Fatalf("a closed consultation's form post: %s", r)
			}
			if got := c.written(t); got != before {
				t.Errorf("a refused form wrote something: %v → %v", before, got)
			}
		})
	}
}

// TestConsultation_RateLimit: an address over its budget of comment posts
// is refused 429 with a Chinese message and Retry-After, nothing written;
// a browser gets its text back.
func TestConsultation_RateLimit(t *testing.T) {
	b := storetest.Backends(t)[0]
	c := newConsult(t, b, handlers.Limits{SignIn: 100, Failing: 100, Expensive: 100, Comments: 3, CommentEvery: time.Hour})
	for i := range 3 {
		mustReceipt(t, c.postJSON(t, c.postPath, map[string]any{"text": fmt.Sprintf("第%d条意见", i+1)}))
	}
	before := c.written(t)
	r := c.postJSON(t, c.postPath, map[string]any{"text": "第4条意见"})
	p := handlerstest.Problem(t, r, http.StatusTooManyRequests, "rate_limited")
	if !strings.Contains(p.Detail, "提交过于频繁") || r.Header.Get("Retry-After") != "3600" {
		t.Errorf("429: %q, Retry-After %q", p.Detail, r.Header.Get("Retry-After"))
	}
	r = c.postForm(t, c.postPath, url.Values{"text": {"第5条意见"}})
	if r.Status != http.StatusTooManyRequests || !strings.Contains(string(r.Body), "提交过于频繁") || !strings.Contains(string(r.Body), "第5条意见") {
		t.Errorf("a browser over the limit: %s", r)
	}
	if got := c.written(t); got != before {
		t.Errorf("refused posts wrote something: %v → %v", before, got)
	}
}

// TestConsultation_Pages: the list of consultations and a consultation's
// page (UI-CONVENTIONS: metadata, footer from the configuration, the
// large-text switch, no script needed for the form), 404 for what the
// public may not see, and the published decision's page with its
// adoption explanation per main opinion and the comments received.
func TestConsultation_Pages(t *testing.T) {
	b := storetest.Backends(t)[0]
	opts := storetest.Options(t, "qinghai")
	e := handlerstest.NewWith(t, func(tb testing.TB) (*store.DB, string) { return b.OpenWith(tb, opts) },
		handlerstest.Options{Demo: true, Public: public.Config{Site: site}})
	id := e.Demo.Decisions[consultationTitle]

	r := mustGet(t, e, "/public/consultations", "text/html")
	doc := parseHTML(t, r.Body)
	rows := find(doc, element("tr"))
	if len(rows) != 2 || !strings.Contains(text(rows[1]), consultationTitle) || !strings.Contains(text(rows[1]), "正在征求意见") {
		t.Fatalf("the list: %s", r)
	}
	if m := metas(doc); m["SiteName"] != site.Name || m["ColumnName"] != "公开征求意见" {
		t.Errorf("list metadata: %v", m)
	}

	page := mustGet(t, e, fmt.Sprintf("/public/consultations/%d?size=large", id), "text/html")
	body := string(page.Body)
	for _, want := range []string{"征求意见稿", "西宁发布", "向社会公开征求意见", "SHA-256", `name="text"`, `name="website"`, site.ICP, `class="public large"`, "（截止日当天24时前提交有效"} {
		if !strings.Contains(body, want) {
			t.Errorf("the consultation page lacks %q", want)
		}
	}
	m := metas(parseHTML(t, page.Body))
	if m["ArticleTitle"] != consultationTitle || !regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d$`).MatchString(m["PubDate"]) {
		t.Errorf("content metadata: %v", m)
	}
	if cc := page.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "public") {
		t.Errorf("the consultation page is cacheable: %q", cc)
	}
	for _, hidden := range []int64{e.Demo.Decisions["西宁市老旧小区改造三年行动计划"], 999999} {
		if r := get(t, e, fmt.Sprintf("/public/consultations/%d", hidden)); r.Status != http.StatusNotFound {
			t.Errorf("consultation %d: want 404, got %s", hidden, r)
		}
	}
	// The fare decision's page: its participation, item by item.
	fare := mustGet(t, e, fmt.Sprintf("/public/decisions/%d", e.Demo.Decisions["西宁市城市公共交通票价调整方案"]), "text/html")
	if fb := string(fare.Body); !strings.Contains(fb, "公众意见采纳情况") || !strings.Contains(fb, "建议延长换乘优惠时段") || !strings.Contains(fb, "财政承受能力有限") {
		t.Errorf("the published decision's participation section is missing")
	}
	idx := mustGet(t, e, "/public", "text/html")
	if !strings.Contains(string(idx.Body), `href="/public/consultations"`) {
		t.Error("the site map does not link the consultations")
	}
}
