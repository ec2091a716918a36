package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"decisiond/handlers/handlerstest"
	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// TestCommentsPage: the drafter's side of the public's comments in the
// console — the decision page counts them and links their page; the page
// lists them (search, filter by handling, the source of each); the
// undertaking unit groups them into main opinions and marks them (the
// reason required, the choices kept on a refusal); another role reads but
// may not handle (403); the complete_participation form starts from the
// main opinions, each naming its comments, and completes once every
// comment is answered or marked.
func TestCommentsPage(t *testing.T) {
	opts := storetest.Options(t, "qinghai")
	clock := opts.Clock.(*workflow.FixedClock)
	db, _ := storetest.Backends(t)[0].OpenWith(t, opts)
	e := handlerstest.Start(t, db, store.AuthPolicy{AllowDemo: true})
	ctx := t.Context()
	steps := append(handlerstest.StepsBefore(t, workflow.EvStartParticipation), seeds.Step{Who: "drafter", Event: workflow.EvStartParticipation,
		Data: func(s *seeds.Env) map[string]any {
			return map[string]any{"methods": []string{"online_comment"}, "notice": map[string]any{"channels": []string{"市政府网站"},
				"opened_on": workflow.FormatDate(s.Today.AddDate(0, 0, -5)), "closes_on": workflow.FormatDate(s.Today.AddDate(0, 0, 30))}}
		}})
	res, err := e.Fx.Run(ctx, db, "西宁市中小学校课后服务管理办法", map[string]any{"category": "public_policy"}, steps)
	if err != nil {
		t.Fatal(err)
	}
	id := res.Decision.ID
	var ids []int64
	for i, text := range []string{"建议延长课后服务时间至18时", "建议课后服务延长到下午六点", "网站打不开"} {
		if _, err := db.SubmitComment(ctx, id, workflow.NewComment{Text: text, Name: fmt.Sprintf("家长%d", i+1)}, "192.0.2.9"); err != nil {
			t.Fatal(err)
		}
	}
	list, _ := db.Comments(ctx, store.System, id, store.CommentFilter{})
	for i := len(list.Items) - 1; i >= 0; i-- {
		ids = append(ids, list.Items[i].ID)
	}
	drafter, office := e.Browser(t), e.Browser(t)
	e.SignIn(t, drafter, "drafter", seeds.DemoPassword)
	e.SignIn(t, office, "office", seeds.DemoPassword)
	path := fmt.Sprintf("/decisions/%d/comments", id)

	must(t, e.Page(t, drafter, fmt.Sprintf("/decisions/%d", id)), http.StatusOK, "公众意见", `href="`+path+`"`, "未处理")
	body := must(t, e.Page(t, drafter, path), http.StatusOK, "建议延长课后服务时间至18时", "家长1", "来源", `name="c"`, "处理所选意见")
	if strings.Count(body, `name="c"`) != 3 {
		t.Errorf("want 3 check boxes")
	}
	body = must(t, e.Page(t, drafter, path+"?q="+url.QueryEscape("六点")), http.StatusOK, "建议课后服务延长到下午六点")
	if strings.Contains(body, "网站打不开") {
		t.Error("the search does not filter")
	}

	// A mark without its reason: refused, the choice kept.
	r := e.Form(t, drafter, path+"/handling", url.Values{"c": {strconv.FormatInt(ids[2], 10)}, "kind": {"off_topic"}, "back": {""}})
	must(t, r, http.StatusBadRequest, "须说明理由", fmt.Sprintf(`value="%d" id="c-%d" checked`, ids[2], ids[2]))
	// Grouped, then marked.
	r = e.Form(t, drafter, path+"/handling", url.Values{"c": {strconv.FormatInt(ids[0], 10), strconv.FormatInt(ids[1], 10)}, "kind": {"group"},
		"opinion": {"延长课后服务时间"}, "back": {""}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("group: %s", r)
	}
	must(t, e.Page(t, drafter, r.Header.Get("Location")), http.StatusOK, "已处理2条意见", "主要意见", "延长课后服务时间")
	r = e.Form(t, drafter, path+"/handling", url.Values{"c": {strconv.FormatInt(ids[2], 10)}, "kind": {"off_topic"}, "reason": {"反映的是网站问题"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("mark: %s", r)
	}
	must(t, e.Page(t, drafter, path+"?status=marked"), http.StatusOK, "与征求意见内容无关", "反映的是网站问题")

	// The office reads them but may not handle them.
	body = must(t, e.Page(t, office, path), http.StatusOK, "只有承办单位的经办人员可以处理公众意见")
	if strings.Contains(body, `name="c"`) {
		t.Error("the office gets check boxes")
	}
	if r := e.Form(t, office, path+"/handling", url.Values{"c": {"1"}, "kind": {"off_topic"}, "reason": {"x"}}); r.Status != http.StatusForbidden {
		t.Errorf("the office handling comments: %s", r)
	}

	// After the period: the complete_participation form starts from the
	// main opinion, naming its two comments.
	clock.T = clock.T.AddDate(0, 0, 31).Add(time.Hour)
	drafter = e.Browser(t) // the old session has long expired
	e.SignIn(t, drafter, "drafter", seeds.DemoPassword)
	page := must(t, e.Page(t, drafter, fmt.Sprintf("/decisions/%d", id)), http.StatusOK, `value="延长课后服务时间"`)
	want := fmt.Sprintf("%d\n%d</textarea>", ids[0], ids[1])
	if !strings.Contains(page, want) {
		t.Fatalf("the adoption report does not start from the main opinion and its comments (%q)", want)
	}
	d := e.DB
	dec, _ := d.Decision(ctx, store.System, id)
	r = e.Form(t, drafter, fmt.Sprintf("/decisions/%d/acts/%s", id, workflow.EvCompleteParticipation), url.Values{
		"expected_version":            {strconv.FormatInt(dec.Version, 10)},
		"adoption_report[0].opinion":  {"延长课后服务时间"},
		"adoption_report[0].adopted":  {"true"},
		"adoption_report[0].comments": {fmt.Sprintf("%d\n%d", ids[0], ids[1])}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("complete_participation from the form: %s", r)
	}
	must(t, e.Page(t, drafter, path), http.StatusOK, "公众参与已经结束")
}
