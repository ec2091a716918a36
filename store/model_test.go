package store_test

import (
	"encoding/json"
	"flag"
	"os"
	"slices"
	"strconv"
	"testing"

	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"

	"pgregory.net/rapid"
)

// Model-based testing (pgregory.net/rapid): random sequences of acts —
// right and wrong events, people, versions, valid and broken data —
// against the procedure machine and the store, checked after every act
// against a model written from PROCEDURE.md independently of the
// engine's tables:
//
//   - never collective_decision without a passing legality opinion on the
//     current draft (read back from the stored records);
//   - the stored state and version are the ones the model allows (an act
//     the model forbids is refused; a refused act changes nothing, except
//     the risk finding of Art. 24 that is kept on the record);
//   - every refusal carries a stable code, never an internal error;
//   - the chain verifies at the end.
//
// CI runs 30 sequences (about 60 acts each) per database; a long run:
// DECISIOND_MODEL_CHECKS=1000 (or -rapid.checks=1000).

// modelEvent is one row of PROCEDURE.md § Events: from which states, to
// which ("" = the state does not change), by which roles.
type modelEvent struct {
	from  []workflow.State
	to    workflow.State
	roles []workflow.Role
}

var (
	mDrafting = []workflow.State{"drafting", "public_participation", "expert_review", "risk_assessment", "legality_review"}
	mBefore   = []workflow.State{"proposed", "drafting", "public_participation", "expert_review", "risk_assessment", "legality_review", "collective_decision", "postponed"}
	mRunning  = []workflow.State{"in_execution", "suspended", "post_evaluation"}
	office    = []workflow.Role{"office"}
	under     = []workflow.Role{"undertaking"}
	reviewer  = []workflow.Role{"legal_reviewer"}
	executor  = []workflow.Role{"executor"}
)

var modelTable = map[string]modelEvent{
	"launch":                      {[]workflow.State{"proposed"}, "drafting", office},
	"decline":                     {[]workflow.State{"proposed"}, "not_launched", office},
	"revise_draft":                {mDrafting, "", under},
	"record_consultation":         {mDrafting, "", under},
	"record_internal_legal_check": {mDrafting, "", under},
	"start_participation":         {[]workflow.State{"drafting"}, "public_participation", under},
	"waive_participation":         {[]workflow.State{"drafting"}, "expert_review", under},
	"record_hearing":              {[]workflow.State{"public_participation"}, "", under},
	"complete_participation":      {[]workflow.State{"public_participation"}, "expert_review", under},
	"complete_expert_review":      {[]workflow.State{"expert_review"}, "risk_assessment", under},
	"waive_expert_review":         {[]workflow.State{"expert_review"}, "risk_assessment", under},
	"complete_risk_assessment":    {[]workflow.State{"risk_assessment"}, "legality_review", under},
	"waive_risk_assessment":       {[]workflow.State{"risk_assessment"}, "legality_review", under},
	"submit_legality_review":      {[]workflow.State{"legality_review"}, "", under},
	"return_legality_submission":  {[]workflow.State{"legality_review"}, "", reviewer},
	"record_legality_opinion":     {[]workflow.State{"legality_review"}, "", reviewer},
	"confirm_revisions":           {[]workflow.State{"legality_review"}, "", reviewer},
	"submit_to_meeting":           {[]workflow.State{"legality_review"}, "collective_decision", under},
	"approve":                     {[]workflow.State{"collective_decision"}, "decided", office},
	"return_for_revision":         {[]workflow.State{"collective_decision"}, "drafting", office},
	"reject":                      {[]workflow.State{"collective_decision"}, "rejected", office},
	"postpone":                    {[]workflow.State{"collective_decision"}, "postponed", office},
	"resume_discussion":           {[]workflow.State{"postponed"}, "collective_decision", office},
	"lapse":                       {[]workflow.State{"postponed"}, "lapsed", office},
	"report_to_party":             {[]workflow.State{"decided"}, "", office},
	"publish":                     {[]workflow.State{"decided"}, "published", office},
	"start_execution":             {[]workflow.State{"published"}, "in_execution", office},
	"report_execution":            {[]workflow.State{"in_execution"}, "", executor},
	"report_issue":                {[]workflow.State{"in_execution"}, "", executor},
	"suspend":                     {[]workflow.State{"in_execution", "post_evaluation"}, "suspended", []workflow.Role{"leader"}},
	"resume":                      {[]workflow.State{"suspended"}, "in_execution", office},
	"start_evaluation":            {[]workflow.State{"in_execution"}, "post_evaluation", office},
	"complete_evaluation":         {[]workflow.State{"post_evaluation"}, "in_execution", office},
	"stop":                        {mRunning, "stopped", office},
	"adjust":                      {mRunning, "superseded", office},
	"complete":                    {[]workflow.State{"in_execution"}, "completed", office},
	"withdraw":                    {mBefore, "withdrawn", office},
	"amend_flags":                 {append([]workflow.State{"proposed"}, mDrafting...), "", office},
	"record_archive": {[]workflow.State{"published", "in_execution", "post_evaluation", "suspended", "completed", "stopped", "superseded",
		"rejected", "withdrawn", "lapsed", "not_launched"}, "", office},
}

// payloads are valid data for each event (the demo's, with the dates the
// law asks for relative to the pinned clock), and a few variants.
func payloads(env *seeds.Env) map[string][]map[string]any {
	out := map[string][]map[string]any{}
	for _, s := range seeds.FareSteps {
		out[s.Event] = append(out[s.Event], s.Payload(env))
	}
	day := func(n int) string { return workflow.FormatDate(env.Today.AddDate(0, 0, n)) }
	meeting := func(decision string) map[string]any {
		return map[string]any{"meeting_type": "executive", "held_on": day(-10), "attendees": []string{"市长", "副市长甲"},
			"opinions": []map[string]any{{"member": "副市长甲", "position": "agree", "text": "同意"}, {"member": "市长", "position": "agree", "text": "同意", "is_head": true}},
			"decision": decision}
	}
	findings := map[string]any{"authority": "符合法定权限", "procedure": "程序完备", "content": "内容合法"}
	advisers := []map[string]any{{"adviser": "李律师", "opinion": "无法律障碍"}}
	add := func(event string, data ...map[string]any) { out[event] = append(out[event], data...) }
	add("revise_draft", map[string]any{"text": "第二稿", "note": "修改"}, map[string]any{"text": "第三稿", "note": "修改"})
	add("record_legality_opinion",
		map[string]any{"outcome": "illegal", "findings": findings, "adviser_opinions": advisers, "given_on": day(-20)},
		map[string]any{"outcome": "legal_with_revisions", "findings": findings, "adviser_opinions": advisers, "revisions": []string{"修改第三条"}, "given_on": day(-20)},
		map[string]any{"outcome": "exploratory_with_risk", "findings": findings, "adviser_opinions": advisers, "risk_statement": "探索性改革，存在一定法律风险", "given_on": day(-20)})
	add("confirm_revisions", map[string]any{"points": []map[string]any{{"point": "修改第三条", "handled": true, "how": "已修改"}}, "confirmed_on": day(-15)})
	add("return_legality_submission", map[string]any{"reason": "材料不全"})
	add("return_for_revision", map[string]any{"meeting": meeting("return_for_revision")})
	add("reject", map[string]any{"meeting": meeting("reject")})
	add("postpone", map[string]any{"meeting": meeting("postpone"), "reason": "待进一步研究"})
	add("resume_discussion", map[string]any{})
	add("lapse", map[string]any{})
	add("decline", map[string]any{"reason": "不属于重大行政决策事项"})
	add("withdraw", map[string]any{"reason": "情况变化"})
	add("waive_participation", map[string]any{"legal_basis": "依法不予公开"})
	add("waive_expert_review", map[string]any{"reason": "专业性不强"})
	add("waive_risk_assessment", map[string]any{"reason": "无明显风险"})
	add("complete_risk_assessment", map[string]any{"risk_points": []string{"群众负担"}, "measures": []string{"分步实施"}, "contingency_plan": "预案",
		"grade": "high", "controllable": false})
	add("record_internal_legal_check", map[string]any{"findings": "未发现问题", "checked_on": day(-35)})
	add("record_hearing", map[string]any{"held_on": day(-50), "materials_delivered_on": day(-60), "participants": []string{"市民代表"}, "record_signed": true})
	add("amend_flags", map[string]any{"category": "public_policy", "domains": []string{"交通运输"}, "technical": true, "risk_relevant": true, "public_concern": true, "reason": "更正"})
	add("report_issue", map[string]any{"kind": "problem", "detail": "部分线路客流下降"})
	add("start_evaluation", map[string]any{"trigger": "many_opinions", "evaluator": "第三方评估机构"})
	add("complete_evaluation", map[string]any{"report": "评估报告", "recommendation": "continue"})
	add("complete", map[string]any{"summary": "执行完毕"})
	add("stop", map[string]any{"meeting": meeting("stop")})
	add("resume", map[string]any{"meeting": meeting("resume")})
	add("suspend", map[string]any{"urgent_reason": "突发事件", "issue_ref": 1})
	add("record_archive", map[string]any{"archived_on": day(0), "archive_ref": "档号1", "package_hash": "0000"})
	return out
}

// weight is how often an allowed event is drawn: the main line's steps
// often, acts that close the procedure seldom.
func weight(event string) int {
	switch event {
	case "launch", "revise_draft", "start_participation", "complete_participation", "complete_expert_review", "complete_risk_assessment",
		"submit_legality_review", "record_legality_opinion", "confirm_revisions", "submit_to_meeting", "approve", "report_to_party", "publish",
		"start_execution", "resume_discussion":
		return 8
	case "decline", "withdraw", "reject", "lapse", "stop", "adjust", "complete":
		return 1
	}
	return 3
}

// passingOpinionOnCurrentDraft reads the stored records as Art. 25 ¶2 and
// Art. 28 do: the latest legality opinion since the last return for
// revision (or a flag amendment that sent the decision back) was given on
// the current draft and is not illegal; a legal_with_revisions opinion
// counts only once the review body confirmed the revisions on the current
// draft; an exploratory one only with its risk statement.
func passingOpinionOnCurrentDraft(recs []workflow.Record, current string) bool {
	var op *workflow.Record
	confirmed := ""
	for i := range recs {
		r := &recs[i]
		switch {
		case r.Event == "return_for_revision" || (r.Event == "amend_flags" && r.From != r.To):
			op, confirmed = nil, ""
		case r.Event == "record_legality_opinion":
			op, confirmed = r, ""
		case r.Event == "confirm_revisions" && op != nil:
			confirmed = r.DraftHash
		}
	}
	if op == nil || current == "" || op.DraftHash != current {
		return false
	}
	var d struct {
		Outcome       string `json:"outcome"`
		RiskStatement string `json:"risk_statement"`
	}
	_ = json.Unmarshal(op.Data, &d)
	switch d.Outcome {
	case "legal":
		return true
	case "legal_with_revisions":
		return confirmed == current
	case "exploratory_with_risk":
		return d.RiskStatement != ""
	}
	return false
}

// setChecks sizes the run: 30 sequences unless -rapid.checks, RAPID_CHECKS
// or DECISIOND_MODEL_CHECKS says otherwise.
func setChecks(t *testing.T) {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "rapid.checks" })
	if set || os.Getenv("RAPID_CHECKS") != "" {
		return
	}
	n := "30"
	if v := os.Getenv("DECISIOND_MODEL_CHECKS"); v != "" {
		if _, err := strconv.Atoi(v); err == nil {
			n = v
		}
	}
	if err := flag.Set("rapid.checks", n); err != nil {
		t.Fatal(err)
	}
	stepsSet := false
	flag.Visit(func(f *flag.Flag) { stepsSet = stepsSet || f.Name == "rapid.steps" })
	if !stepsSet && os.Getenv("RAPID_STEPS") == "" {
		_ = flag.Set("rapid.steps", "60")
	}
}

// TestModel_ProcedureAgainstTheStore runs the model on both databases.
func TestModel_ProcedureAgainstTheStore(t *testing.T) {
	setChecks(t)
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := b.Open(t)
			fx := storetest.Base(t, db)
			valid := payloads(&fx.Env)
			events := make([]string, 0, len(modelTable))
			for e := range modelTable {
				events = append(events, e)
			}
			slices.Sort(events)
			people := []string{"office", "drafter", "reviewer", "leader", "executor", "sysadmin"}
			roleOf := map[workflow.Role]string{"office": "office", "undertaking": "drafter", "legal_reviewer": "reviewer", "leader": "leader", "executor": "executor"}
			acts, meetings, atMeeting, refusals := 0, 0, 0, map[string]int{}

			rapid.Check(t, func(rt *rapid.T) {
				// A decision with random flags; the demo's fare decision is
				// first carried a random way along its main line (valid acts,
				// the same Apply path), so sequences start in every state.
				kind := rapid.IntRange(0, 2).Draw(rt, "kind")
				flags := []map[string]any{seeds.FareFlags, {"category": "other_major"}, {"category": "public_policy", "non_disclosable": true}}[kind]
				var prefix []seeds.Step
				if kind == 0 {
					// 0–3: early; 6–9: around the legality review and the meeting.
					n := rapid.SampledFrom([]int{0, 1, 2, 3, 6, 7, 8, 8, 8, 9, 9, len(seeds.FareSteps)}).Draw(rt, "prefix")
					prefix = seeds.FareSteps[:n]
				}
				res, err := fx.Run(ctx, db, "模型测试事项", flags, prefix)
				if err != nil {
					rt.Fatal(err)
				}
				id := res.Decision.ID
				state, version := res.Decision.State, res.Decision.Version

				rt.Repeat(map[string]func(*rapid.T){
					"act": func(rt *rapid.T) {
						if sd, _ := workflow.StateByCode(state); sd.Terminal {
							return // this decision's procedure is over
						}
						// The event: mostly one the model allows now (the main
						// line's next step most of all, closing events seldom),
						// sometimes any.
						var allowed []string
						for _, e := range events {
							if slices.Contains(modelTable[e].from, state) {
								for range weight(e) {
									allowed = append(allowed, e)
								}
							}
						}
						event := rapid.SampledFrom(events).Draw(rt, "any event")
						if len(allowed) > 0 && rapid.IntRange(0, 9).Draw(rt, "pick") < 8 {
							event = rapid.SampledFrom(allowed).Draw(rt, "allowed event")
						}
						if rapid.IntRange(0, 49).Draw(rt, "unknown") == 0 {
							event = "no_such_event"
						}
						// Who: mostly the role the model names, sometimes anyone.
						who := rapid.SampledFrom(people).Draw(rt, "anyone")
						if me, ok := modelTable[event]; ok && rapid.IntRange(0, 9).Draw(rt, "right person") < 8 {
							who = roleOf[me.roles[0]]
						}
						// The data: valid, or broken.
						var data map[string]any
						if vs := valid[event]; len(vs) > 0 {
							data = map[string]any{}
							for k, v := range rapid.SampledFrom(vs).Draw(rt, "payload") {
								data[k] = v
							}
						} else {
							data = map[string]any{}
						}
						switch rapid.IntRange(0, 9).Draw(rt, "break") {
						case 0:
							if len(data) > 0 {
								keys := slices.Sorted(func(yield func(string) bool) {
									for k := range data {
										if !yield(k) {
											return
										}
									}
								})
								delete(data, rapid.SampledFrom(keys).Draw(rt, "drop"))
							}
						case 1:
							data[rapid.SampledFrom([]string{"text", "outcome", "meeting", "notice", "experts", "reason"}).Draw(rt, "bad key")] =
								rapid.SampledFrom([]any{12345, "", []any{}, map[string]any{"x": 1}, true}).Draw(rt, "bad value")
						}
						expected := version
						if rapid.IntRange(0, 19).Draw(rt, "stale") == 0 {
							expected = version - 1
						}
						raw, _ := json.Marshal(data)
						decoded, err := workflow.DecodeData(raw)
						if err != nil {
							if workflow.ErrorCode(err) != workflow.CodeValidationFailed {
								rt.Fatalf("decoding refused without a code: %v", err)
							}
							return
						}

						out, err := db.Apply(ctx, id, workflow.Act{Event: event, Data: decoded, Actor: fx.Actors[who]}, expected)
						acts++
						me, known := modelTable[event]
						if err != nil {
							code := workflow.ErrorCode(err)
							if _, typed := workflow.AsError(err); !typed || code == "" || code == workflow.CodeInternal {
								rt.Fatalf("%s by %s: a refusal without a stable code: %v", event, who, err)
							}
							refusals[code]++
							if code == "risk_not_controllable" {
								version++ // Art. 24: the finding is kept on the record
							}
							return
						}
						// Done: the model must allow it.
						switch {
						case !known:
							rt.Fatalf("an unknown event %q was done", event)
						case expected != version:
							rt.Fatalf("%s done with a stale version %d (current %d)", event, expected, version)
						case !slices.Contains(me.from, state):
							rt.Fatalf("%s done from %s; the model allows it only from %v", event, state, me.from)
						case !slices.ContainsFunc(me.roles, fx.Actors[who].Has):
							rt.Fatalf("%s done by %s, who holds none of %v", event, who, me.roles)
						}
						want := me.to
						if want == "" {
							want = state
						}
						got := out.Decision.State
						if got != want && !(event == "amend_flags" && slices.Contains(mDrafting, got) && slices.Index(mDrafting, got) < slices.Index(mDrafting, state)) {
							rt.Fatalf("%s from %s reached %s; the model says %s", event, state, got, want)
						}
						if out.Decision.Version != version+1 {
							rt.Fatalf("%s: version %d, want %d", event, out.Decision.Version, version+1)
						}
						state, version = got, out.Decision.Version
						if event == workflow.EvSubmitToMeeting || event == workflow.EvResumeDiscussion {
							meetings++
						}
					},
					"": func(rt *rapid.T) {
						// After every act: the stored decision is the model's, and
						// never in collective_decision without a passing opinion.
						d, err := db.Decision(ctx, store.System, id)
						if err != nil {
							rt.Fatal(err)
						}
						if d.State != state || d.Version != version {
							rt.Fatalf("stored %s v%d; the model says %s v%d", d.State, d.Version, state, version)
						}
						if d.State == workflow.StCollectiveDecision {
							atMeeting++
							recs, err := db.Records(ctx, store.System, id)
							if err != nil {
								rt.Fatal(err)
							}
							if !passingOpinionOnCurrentDraft(recs, d.CurrentDraftHash) {
								rt.Fatalf("decision %d is in collective_decision without a passing legality opinion on its current draft %s", id, d.CurrentDraftHash)
							}
						}
					},
				})
			})
			v, err := db.Verify(ctx)
			if err != nil || !v.OK {
				t.Fatalf("the chain after the model run: %+v %v", v, err)
			}
			t.Logf("%s: %d acts tried; %d submitted to (or resumed at) the meeting, %d checks in collective_decision; refusals by code: %v; %d audit events verify",
				b.Name, acts, meetings, atMeeting, refusals, v.Events)
		})
	}
}
