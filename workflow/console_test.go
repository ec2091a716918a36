package workflow_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"decisiond/seeds"
	"decisiond/workflow"
)

func fareEnv(t *testing.T) *seeds.Env {
	t.Helper()
	cal, err := workflow.NewCalendar(seeds.BuiltinCalendarYears()...)
	if err != nil {
		t.Fatal(err)
	}
	units := map[string]int64{seeds.DemoOrgan: 1}
	for i, u := range seeds.DemoUnits {
		units[u] = int64(i + 2)
	}
	return &seeds.Env{Units: units, Today: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), Calendar: cal}
}

// TestFormRoundTrip: for every act of the bus-fare walk, the form values
// that carry its payload decode to exactly the data the JSON API decodes
// from the same payload — one source of truth for forms and the API.
func TestFormRoundTrip(t *testing.T) {
	p := workflow.New()
	env := fareEnv(t)
	steps := append(append([]seeds.Step{}, seeds.FareSteps...), seeds.FareComplete)
	for _, st := range steps {
		def, ok := p.Event(st.Event)
		if !ok {
			t.Fatalf("no event %s", st.Event)
		}
		want := seeds.Data(st.Payload(env))
		form := workflow.EncodeForm(def.Fields, want)
		got := workflow.DecodeForm(def.Fields, form)
		if !reflect.DeepEqual(got, want) {
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(want)
			t.Errorf("%s: form %v\n decodes to %s\n want       %s", st.Event, form, gj, wj)
		}
	}
}

// TestDecodeForm: what a browser sends — CR LF line ends, blank rows,
// unchecked boxes, empty selects — becomes the data a client would send;
// what is missing is reported by the same validation at the same paths.
func TestDecodeForm(t *testing.T) {
	p := workflow.New()
	expert, _ := p.Event(workflow.EvCompleteExpertReview)
	v := workflow.Values{
		"experts[0].name": {""}, "experts[0].field": {""}, "experts[0].conflict_of_interest": {""}, "experts[0].signed": {""},
		"experts[1].name": {"王教授"}, "experts[1].field": {"交通经济"}, "experts[1].conflict_of_interest": {"false"}, "experts[1].signed": {"true"},
		"experts[2].name": {"陈研究员"}, "experts[2].signed": {""},
		"adoption_report[0].opinion": {"分步实施"}, "adoption_report[0].adopted": {"true"},
		"institution": {"  "},
	}
	d := workflow.DecodeForm(expert.Fields, v)
	experts, _ := d["experts"].([]any)
	if len(experts) != 2 {
		t.Fatalf("blank rows must be dropped: %v", d)
	}
	if _, ok := d["institution"]; ok {
		t.Errorf("a blank optional field must be absent: %v", d)
	}
	var inv workflow.Invalid
	workflow.ValidateFields(d, expert.Fields, "", &inv)
	var paths []string
	for _, f := range inv {
		paths = append(paths, f.Field)
	}
	if !slices.Contains(paths, "experts[1].field") || !slices.Contains(paths, "experts[1].signed") {
		t.Errorf("the incomplete row is reported at its (compacted) path: %v", paths)
	}

	start, _ := p.Event(workflow.EvStartParticipation)
	d = workflow.DecodeForm(start.Fields, workflow.Values{"methods": {"online_comment", "symposium"},
		"notice.channels": {"市政府网站\r\n\r\n 西宁发布 \r\n"}, "notice.opened_on": {"2026-09-01"}, "notice.closes_on": {"2026-10-08"}})
	want := seeds.Data(map[string]any{"methods": []string{"online_comment", "symposium"},
		"notice": map[string]any{"channels": []string{"市政府网站", "西宁发布"}, "opened_on": "2026-09-01", "closes_on": "2026-10-08"}})
	if !reflect.DeepEqual(d, want) {
		t.Errorf("start_participation: got %v, want %v", d, want)
	}
	// A required object left empty is present, so each of its required
	// fields is reported where it is typed.
	d = workflow.DecodeForm(start.Fields, workflow.Values{})
	inv = nil
	workflow.ValidateFields(d, start.Fields, "", &inv)
	paths = nil
	for _, f := range inv {
		paths = append(paths, f.Field)
	}
	for _, want := range []string{"methods", "notice.channels", "notice.opened_on", "notice.closes_on"} {
		if !slices.Contains(paths, want) {
			t.Errorf("empty form: %s not reported (%v)", want, paths)
		}
	}
	// An id that is not a number is kept as typed and refused by validation.
	launch, _ := p.Event(workflow.EvLaunch)
	d = workflow.DecodeForm(launch.Fields, workflow.Values{"undertaking_unit_id": {"abc"}, "launch_ref": {"纪要"}})
	if d["undertaking_unit_id"] != "abc" {
		t.Errorf("typed id kept: %v", d)
	}
}

// TestFieldLabels: every field of every event has a Chinese and an
// English label, and every enumerated value a Chinese one.
func TestFieldLabels(t *testing.T) {
	p := workflow.New()
	var walk func(event, prefix string, fs []workflow.Field)
	walk = func(event, prefix string, fs []workflow.Field) {
		for _, f := range fs {
			path := prefix + f.Name
			l := workflow.FieldLabel(event, path)
			if l.ZH == path || l.EN == "" || !strings.ContainsFunc(l.ZH, func(r rune) bool { return r > 0x3000 }) {
				t.Errorf("%s: field %s has no label (%+v)", event, path, l)
			}
			for _, e := range f.Enum {
				if el := workflow.EnumLabel(f.Name, e); el.ZH == e && !strings.ContainsFunc(e, func(r rune) bool { return r > 0x3000 }) {
					t.Errorf("%s: value %s of %s has no label", event, e, path)
				}
			}
			walk(event, path+".", f.Fields)
		}
	}
	for _, e := range p.Events() {
		walk(e.Name, "", e.Fields)
		if l := workflow.EventLabel(p, e.Name); l.ZH == e.Name {
			t.Errorf("event %s has no label", e.Name)
		}
	}
	if l := workflow.FieldLabel(workflow.EvApprove, "meeting.opinions[2].text"); l.ZH != "发言要点" {
		t.Errorf("nested row label: %+v", l)
	}
	if l := workflow.FieldLabel(workflow.EvReportIssue, "kind"); l.ZH != "问题类别" {
		t.Errorf("event-specific label: %+v", l)
	}
	for _, c := range workflow.AuditEventCodes(p) {
		if c.ZH == "" || c.ZH == c.Code {
			t.Errorf("audit event %s has no label", c.Code)
		}
	}
}

func rec(event string, from, to workflow.State, data string) workflow.Record {
	return workflow.Record{Event: event, From: from, To: to, Data: json.RawMessage(data)}
}

// TestProgress: done, current, waived with its reason, ahead.
func TestProgress(t *testing.T) {
	rs := []workflow.Record{
		rec(workflow.EvLaunch, workflow.StProposed, workflow.StDrafting, `{}`),
		rec(workflow.EvStartParticipation, workflow.StDrafting, workflow.StPublicParticipation, `{}`),
		rec(workflow.EvCompleteParticipation, workflow.StPublicParticipation, workflow.StExpertReview, `{}`),
		rec(workflow.EvWaiveExpertReview, workflow.StExpertReview, workflow.StRiskAssessment, `{"reason":"事项不具专业性"}`),
	}
	got := workflow.Progress(workflow.StRiskAssessment, rs)
	status := func(s workflow.State) workflow.Step {
		for _, st := range got {
			if st.State.Code == s {
				return st
			}
		}
		t.Fatalf("no step %s", s)
		return workflow.Step{}
	}
	for s, want := range map[workflow.State]string{workflow.StProposed: "done", workflow.StDrafting: "done", workflow.StPublicParticipation: "done",
		workflow.StExpertReview: "waived", workflow.StRiskAssessment: "current", workflow.StLegalityReview: "ahead", workflow.StCompleted: "ahead"} {
		if st := status(s); st.Status != want {
			t.Errorf("%s: %s, want %s", s, st.Status, want)
		}
	}
	if r := status(workflow.StExpertReview).Reason; r != "事项不具专业性" {
		t.Errorf("waiver reason %q", r)
	}
	// Returned for revision: back in drafting, everything after it ahead.
	rs = append(rs, rec(workflow.EvReturnForRevision, workflow.StCollectiveDecision, workflow.StDrafting, `{}`))
	got = workflow.Progress(workflow.StDrafting, rs)
	if status(workflow.StDrafting).Status != "current" || status(workflow.StExpertReview).Status != "ahead" {
		t.Errorf("after a return: %+v", got)
	}
	// Ended off the main line: the stages reached are done.
	got = workflow.Progress(workflow.StWithdrawn, rs[:2])
	if status(workflow.StPublicParticipation).Status != "done" || status(workflow.StExpertReview).Status != "ahead" {
		t.Errorf("withdrawn: %+v", got)
	}
}

// TestHolders: the ball in legality review passes between the undertaking
// unit and the review body.
func TestHolders(t *testing.T) {
	lr := workflow.StLegalityReview
	cases := []struct {
		events []string
		want   workflow.Role
	}{
		{nil, workflow.RoleUndertaking},
		{[]string{workflow.EvSubmitLegalityReview}, workflow.RoleLegalReviewer},
		{[]string{workflow.EvSubmitLegalityReview, workflow.EvReturnLegalitySubmission}, workflow.RoleUndertaking},
		{[]string{workflow.EvSubmitLegalityReview, workflow.EvRecordLegalityOpinion}, workflow.RoleUndertaking},
		{[]string{workflow.EvSubmitLegalityReview, workflow.EvReviseDraft}, workflow.RoleUndertaking},
		{[]string{workflow.EvSubmitLegalityReview, "record_internal_legal_check"}, workflow.RoleLegalReviewer},
	}
	for _, c := range cases {
		var rs []workflow.Record
		for _, e := range c.events {
			rs = append(rs, workflow.Record{Event: e})
		}
		if got := workflow.Holders(lr, rs); len(got) != 1 || got[0] != c.want {
			t.Errorf("after %v: %v, want %s", c.events, got, c.want)
		}
	}
	if got := workflow.Holders(workflow.StCompleted, nil); len(got) != 0 {
		t.Errorf("a terminal state is nobody's: %v", got)
	}
	for _, s := range workflow.States {
		if !s.Terminal && len(workflow.Holders(s.Code, nil)) == 0 {
			t.Errorf("state %s is nobody's move", s.Code)
		}
	}
}

// TestArticles: the embedded regulation gives each state's articles.
func TestArticles(t *testing.T) {
	a, ok := workflow.ArticleText(25)
	if !ok || a.Title != "第二十五条" || !strings.Contains(a.Text, "未经合法性审查") {
		t.Fatalf("Art. 25: %+v", a)
	}
	if a, ok := workflow.ArticleText(44); !ok || a.Title != "第四十四条" {
		t.Errorf("Art. 44: %+v", a)
	}
	if got := workflow.ArticleNumbers("Art. 11–13"); !reflect.DeepEqual(got, []int{11, 12, 13}) {
		t.Errorf("Art. 11–13 → %v", got)
	}
	if got := workflow.ArticleNumbers("Art. 25 ¶2, 29"); !reflect.DeepEqual(got, []int{25, 29}) {
		t.Errorf("Art. 25 ¶2, 29 → %v", got)
	}
	if got := workflow.ArticleNumbers("Art. 22; QH (八)"); !reflect.DeepEqual(got, []int{22}) {
		t.Errorf("Art. 22; QH → %v", got)
	}
	for _, s := range workflow.States {
		for _, n := range workflow.ArticleNumbers(s.Article) {
			if _, ok := workflow.ArticleText(n); !ok {
				t.Errorf("state %s names article %d, which is not in the text", s.Code, n)
			}
		}
	}
}
