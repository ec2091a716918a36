package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// addUnitUser creates a person (as the command line) and returns their token;
// the fixture learns them as an actor under their name.
func addUnitUser(t *testing.T, e *env, name, unit string, roles ...string) string {
	t.Helper()
	uid := e.Fx.Units[unit]
	u, err := e.DB.CreateUser(t.Context(), store.System, store.NewUser{Name: name, DisplayName: name, Roles: roles, UnitID: &uid})
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := e.DB.CreateToken(t.Context(), store.System, store.NewToken{UserID: u.ID, Label: "test"})
	if err != nil {
		t.Fatal(err)
	}
	e.Fx.Actors[name] = u.Actor()
	return tok
}

// refusedBy checks a refusal names the rule and was recorded in the audit
// trail as a security event (等保 安全审计), readable by the auditor.
func refusedBy(t *testing.T, e *env, r response, status int, code, rule string) {
	t.Helper()
	p := problem(t, r, status, code)
	if p.Rule != rule {
		t.Fatalf("refused by rule %q, want %q: %s", p.Rule, rule, r)
	}
	total := decode[auditList](t, e.Do(t, "GET", "/api/v1/audit?per_page=1", tokenOf(t, "auditor"), nil)).Meta.Total
	last := (total-1)/200 + 1 // the newest events are on the last page
	al := decode[auditList](t, e.Do(t, "GET", fmt.Sprintf("/api/v1/audit?per_page=200&page=%d", last), tokenOf(t, "auditor"), nil))
	for i := len(al.Items) - 1; i >= 0; i-- {
		ev := al.Items[i]
		if ev.Event != "request_refused" {
			continue
		}
		var d map[string]any
		_ = json.Unmarshal(ev.Data, &d)
		if d["rule"] == rule && d["code"] == code {
			if d["address"] == "" || ev.ActorID == 0 {
				t.Errorf("the refusal's security event lacks who or where: %+v %s", ev, ev.Data)
			}
			return
		}
	}
	t.Fatalf("no request_refused event for rule %s in the audit trail", rule)
}

// steps maps the fare steps to other actors and the launch to a unit.
func remap(steps []seeds.Step, unit string, who map[string]string) []seeds.Step {
	out := make([]seeds.Step, len(steps))
	for i, s := range steps {
		if s.Event == workflow.EvLaunch {
			s.Data = func(env *seeds.Env) map[string]any {
				return map[string]any{"undertaking_unit_id": env.Units[unit], "launch_ref": "市政府常务会议纪要"}
			}
		}
		if w, ok := who[s.Who]; ok {
			s.Who = w
		}
		out[i] = s
	}
	return out
}

// TestSeparationOfDuties_Art25_28_ReviewerNeitherDrafterNorUndertakingUnit:
// when the review body (司法局) itself undertakes a decision, the person
// who drafted and submitted it may not give its legality opinion
// (sod_reviewer_not_drafter), nor may a colleague of the undertaking unit
// (sod_review_not_by_undertaking_unit) — Art. 25, 28. Each refusal is a
// 403 in the audit trail. A reviewer of the review body on a decision
// another unit undertakes is allowed (the walk tests).
func TestSeparationOfDuties_Art25_28_ReviewerNeitherDrafterNorUndertakingUnit(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newEnv(t, b.Open)
			lawdrafter := addUnitUser(t, e, "lawdrafter", seeds.DemoReviewBody, "undertaking", "legal_reviewer")
			colleague := addUnitUser(t, e, "lawcolleague", seeds.DemoReviewBody, "legal_reviewer")
			steps := remap(stepsBefore(t, workflow.EvRecordLegalityOpinion), seeds.DemoReviewBody, map[string]string{"drafter": "lawdrafter"})
			res, err := e.Fx.Run(t.Context(), e.DB, "司法局承办的事项", seeds.FareFlags, steps)
			if err != nil {
				t.Fatal(err)
			}
			d := res.Decision
			op := fareStep(t, workflow.EvRecordLegalityOpinion).Payload(&e.Fx.Env)
			r := e.Do(t, "POST", eventsPath(d.ID), lawdrafter, eventBody(workflow.EvRecordLegalityOpinion, d.Version, op))
			refusedBy(t, e, r, http.StatusForbidden, workflow.CodeForbidden, "sod_reviewer_not_drafter")
			r = e.Do(t, "POST", eventsPath(d.ID), colleague, eventBody(workflow.EvRecordLegalityOpinion, d.Version, op))
			refusedBy(t, e, r, http.StatusForbidden, workflow.CodeForbidden, "sod_review_not_by_undertaking_unit")
			e.Verify(t)
		})
	}
}

// TestSeparationOfDuties_Art29_30_SubmitterDoesNotRecordTheMeeting: a person
// who is both undertaking staff and office staff submits the draft to the
// meeting; the meeting's decision must then be recorded by someone else
// (sod_meeting_recorder_not_submitter, 403, audited). Another office clerk
// records it.
func TestSeparationOfDuties_Art29_30_SubmitterDoesNotRecordTheMeeting(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newEnv(t, b.Open)
			dual := addUnitUser(t, e, "dual", "西宁市交通运输局", "undertaking", "office")
			steps := remap(stepsBefore(t, workflow.EvApprove), "西宁市交通运输局", map[string]string{})
			steps[len(steps)-1].Who = "dual" // submit_to_meeting
			if steps[len(steps)-1].Event != workflow.EvSubmitToMeeting {
				t.Fatalf("the last step is %s", steps[len(steps)-1].Event)
			}
			res, err := e.Fx.Run(t.Context(), e.DB, seeds.FareTitle, seeds.FareFlags, steps)
			if err != nil {
				t.Fatal(err)
			}
			d := decisionJSON{ID: res.Decision.ID, State: string(res.Decision.State), Version: res.Decision.Version}
			approve := fareStep(t, workflow.EvApprove).Payload(&e.Fx.Env)
			r := e.Do(t, "POST", eventsPath(d.ID), dual, eventBody(workflow.EvApprove, d.Version, approve))
			refusedBy(t, e, r, http.StatusForbidden, workflow.CodeForbidden, "sod_meeting_recorder_not_submitter")
			e.MustFire(t, "office", d, workflow.EvApprove, approve)
		})
	}
}

// TestSeparationOfDuties_Art36_EvaluatorNotThePreDecisionAssessor: the
// post-evaluation is not given to whoever did the main assessment work
// before the decision; the rule keeps its own code (422
// evaluator_not_independent) and the refusal is in the audit trail.
func TestSeparationOfDuties_Art36_EvaluatorNotThePreDecisionAssessor(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newEnv(t, b.Open)
			d := e.RunSteps(t, e.CreateFare(t).Decision, seeds.FareSteps)
			r := e.Fire(t, "office", d.ID, workflow.EvStartEvaluation, d.Version,
				map[string]any{"trigger": "organ_deems_necessary", "evaluator": "西宁市社会稳定风险评估中心"})
			refusedBy(t, e, r, http.StatusUnprocessableEntity, workflow.CodeEvaluatorNotIndependent, "sod_evaluator_independent")
			e.MustFire(t, "office", d, workflow.EvStartEvaluation, map[string]any{"trigger": "organ_deems_necessary", "evaluator": "青海省行政学院评估中心"})
		})
	}
}

// TestThreeAdministrators_ExclusiveRoles (三员分立, 等保 2.0 level 3): no
// person holds two administrator roles, nor one with a business role;
// roles are granted by the security administrator only, and nobody grants
// their own. Each refusal is a 403 naming the rule, in the audit trail.
func TestThreeAdministrators_ExclusiveRoles(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newEnv(t, b.Open)
			sys, sec := tokenOf(t, "sysadmin"), tokenOf(t, "secadmin")
			r := e.Do(t, "POST", "/api/v1/users", sys, map[string]any{"name": "newclerk", "unit": "办公厅", "roles": []string{"office"}})
			refusedBy(t, e, r, http.StatusForbidden, workflow.CodeForbidden, "roles_by_secadmin")
			r = e.Do(t, "POST", "/api/v1/users", sys, map[string]any{"name": "newclerk", "display_name": "新科员", "unit": "办公厅"})
			if r.Status != http.StatusCreated {
				t.Fatalf("create user: %s", r)
			}
			id := decode[struct {
				ID int64 `json:"id"`
			}](t, r).ID
			roles := func(tok string, rs ...string) response {
				return e.Do(t, "PUT", fmt.Sprintf("/api/v1/users/%d/roles", id), tok, map[string]any{"roles": rs})
			}
			refusedBy(t, e, roles(sec, "sysadmin", "auditor"), http.StatusForbidden, workflow.CodeForbidden, "three_admins_exclusive")
			refusedBy(t, e, roles(sec, "secadmin", "office"), http.StatusForbidden, workflow.CodeForbidden, "admin_not_business")
			refusedBy(t, e, roles(sys, "office"), http.StatusForbidden, workflow.CodeForbidden, "role_required")
			secID := e.Fx.Actors["secadmin"].UserID
			r = e.Do(t, "PUT", fmt.Sprintf("/api/v1/users/%d/roles", secID), sec, map[string]any{"roles": []string{"secadmin", "office"}})
			refusedBy(t, e, r, http.StatusForbidden, workflow.CodeForbidden, "admin_not_business")
			r = e.Do(t, "PUT", fmt.Sprintf("/api/v1/users/%d/roles", secID), sec, map[string]any{"roles": []string{"secadmin"}})
			refusedBy(t, e, r, http.StatusForbidden, workflow.CodeForbidden, "no_self_grant")
			if r := roles(sec, "office"); r.Status != http.StatusOK {
				t.Fatalf("the security administrator grants a business role: %s", r)
			}
			// The auditor reads everything and changes nothing.
			r = e.Do(t, "POST", fmt.Sprintf("/api/v1/users/%d/disable", id), tokenOf(t, "auditor"), nil)
			refusedBy(t, e, r, http.StatusForbidden, workflow.CodeForbidden, "role_required")
			e.Verify(t)
		})
	}
}
