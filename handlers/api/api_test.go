package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"decisiond/handlers/handlerstest"
	"decisiond/handlers/httpx"
	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// TestMain keeps the per-request access log out of the test output; warnings
// and errors (a 500's internal error) are still printed.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	os.Exit(m.Run())
}

type (
	env          = handlerstest.Env
	response     = handlerstest.Response
	rawBody      = handlerstest.RawBody
	decisionJSON = handlerstest.DecisionJSON
	actJSON      = handlerstest.ActJSON
	auditList    = handlerstest.AuditList
)

func decode[T any](tb testing.TB, r response) T { tb.Helper(); return handlerstest.Decode[T](tb, r) }

var (
	newEnv      = handlerstest.New
	tokenOf     = handlerstest.Token
	demoUser    = handlerstest.DemoUser
	eventBody   = handlerstest.EventBody
	eventsPath  = handlerstest.EventsPath
	stepsBefore = handlerstest.StepsBefore
	fareStep    = handlerstest.FareStep
	problem     = handlerstest.Problem
	fieldsOf    = handlerstest.FieldsOf
	han         = handlerstest.Han
)

// ---- 1. the walk ----

// TestWalkProposedToCompleted carries the bus-fare decision from proposed to
// completed through the HTTP API: every act 200, the version up by one, the
// state the event's target, and exactly one audit event per act naming the
// authenticated user — never a name typed into the body.
func TestWalkProposedToCompleted(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newEnv(t, b.Open)
			before := e.Verify(t)

			c := e.CreateFare(t)
			d := c.Decision
			_, fields := e.GetDecision(t, "office", d.ID)
			if h, ok := fields["current_draft_hash"]; !ok || string(h) != `""` {
				t.Errorf("proposed: current_draft_hash must be present and empty, got %s (present %v)", h, ok)
			}

			steps := append(append([]seeds.Step{}, seeds.FareSteps...), seeds.FareComplete)
			type act struct {
				who, event string
				from, to   string
				seq        int64
			}
			acts := []act{{who: "office", event: "create", to: string(workflow.StProposed), seq: c.AuditSeq}}
			const impostor = "冒名者"
			impostorStep := -1
			var draftText string
			for i, st := range steps {
				data := st.Payload(&e.Fx.Env)
				if st.Event == workflow.EvReportExecution {
					// A name typed into the body is data, never the actor.
					data["actor"], data["actor_name"] = impostor, impostor
					impostorStep = i
				}
				from := d.State
				r := e.Fire(t, st.Who, d.ID, st.Event, d.Version, data)
				if r.Status != http.StatusOK {
					t.Fatalf("step %d %s by %s: want 200, got %s", i, st.Event, st.Who, r)
				}
				res := decode[actJSON](t, r)
				def, _ := e.DB.Procedure().Event(st.Event)
				if want := def.Target(workflow.State(from)); res.Decision.State != string(want) {
					t.Fatalf("step %d %s from %s: want state %s, got %s", i, st.Event, from, want, res.Decision.State)
				}
				if res.Decision.Version != d.Version+1 {
					t.Fatalf("step %d %s: version %d → %d, want +1", i, st.Event, d.Version, res.Decision.Version)
				}
				if res.AuditSeq <= acts[len(acts)-1].seq {
					t.Fatalf("step %d %s: audit_seq %d does not follow %d", i, st.Event, res.AuditSeq, acts[len(acts)-1].seq)
				}
				d = res.Decision
				acts = append(acts, act{who: st.Who, event: st.Event, from: from, to: d.State, seq: res.AuditSeq})

				if st.Event == workflow.EvReviseDraft && d.State == string(workflow.StDrafting) {
					draftText, _ = data["text"].(string)
					checkDraftingView(t, e, d, draftText)
				}
			}
			if d.State != string(workflow.StCompleted) || d.Version != int64(1+len(steps)) {
				t.Fatalf("end: want completed at version %d, got %s v%d", 1+len(steps), d.State, d.Version)
			}
			if impostorStep < 0 || draftText == "" {
				t.Fatal("the fare steps must include revise_draft in drafting and report_execution")
			}
			final, _ := e.GetDecision(t, "office", d.ID)
			if final.State != d.State || final.Version != d.Version || final.AvailableEvents == nil {
				t.Errorf("GET after completion: %+v", final)
			}
			for _, name := range final.AvailableEvents {
				// completed is terminal: whatever may still be recorded leaves the state alone.
				if def, _ := e.DB.Procedure().Event(name); def.Target(workflow.StCompleted) != workflow.StCompleted {
					t.Errorf("a completed decision offers %s, which leaves the terminal state", name)
				}
			}
			if final.CurrentDraftHash == nil || *final.CurrentDraftHash != workflow.DraftHash(draftText) {
				t.Errorf("completed decision keeps its draft hash: got %v", final.CurrentDraftHash)
			}

			// The decision's audit trail: one event per act, in order.
			r := e.Do(t, "GET", fmt.Sprintf("/api/v1/decisions/%d/audit?per_page=200", d.ID), tokenOf(t, "leader"), nil)
			if r.Status != http.StatusOK {
				t.Fatalf("decision audit: %s", r)
			}
			al := decode[auditList](t, r)
			if len(al.Items) != len(acts) || al.Meta.Total != len(acts) {
				t.Fatalf("want exactly %d audit events (create + %d steps), got %d (total %d)", len(acts), len(steps), len(al.Items), al.Meta.Total)
			}
			for i, ev := range al.Items {
				a := acts[i]
				u := demoUser(t, a.who)
				if ev.Seq != a.seq || ev.Event != a.event || ev.From != a.from || ev.To != a.to || ev.Version != int64(i+1) {
					t.Errorf("audit[%d] = seq %d %s %s→%s v%d; want seq %d %s %s→%s v%d",
						i, ev.Seq, ev.Event, ev.From, ev.To, ev.Version, a.seq, a.event, a.from, a.to, i+1)
				}
				if ev.ActorName != u.DisplayName || ev.ActorID != e.Fx.Actors[a.who].UserID {
					t.Errorf("audit[%d] %s: actor %q (#%d), want the token's user %q (#%d)",
						i, ev.Event, ev.ActorName, ev.ActorID, u.DisplayName, e.Fx.Actors[a.who].UserID)
				}
				if !slices.Contains(u.Roles, ev.Role) {
					t.Errorf("audit[%d] %s: role %q is not one of %s's roles %v", i, ev.Event, ev.Role, a.who, u.Roles)
				}
				if ev.DecisionID == nil || *ev.DecisionID != d.ID || ev.Alg != store.HashAlg || len(ev.Hash) != 64 {
					t.Errorf("audit[%d]: decision %v alg %q hash %q", i, ev.DecisionID, ev.Alg, ev.Hash)
				}
				if i > 0 && ev.Seq <= al.Items[i-1].Seq {
					t.Errorf("audit[%d]: seq %d not after %d", i, ev.Seq, al.Items[i-1].Seq)
				}
			}
			imp := al.Items[impostorStep+1]
			if imp.Event != workflow.EvReportExecution || imp.ActorName == impostor || imp.ActorName != demoUser(t, "executor").DisplayName {
				t.Errorf("impostor step: audit actor %q for %s; want the executor's display name", imp.ActorName, imp.Event)
			}
			var impData map[string]any
			if err := json.Unmarshal(imp.Data, &impData); err != nil || impData["actor"] != impostor {
				t.Errorf("the body's actor field is kept as data only: %s (%v)", imp.Data, err)
			}

			// The whole chain verifies, with exactly these events added.
			after := e.Verify(t)
			if after.Events != before.Events+int64(len(acts)) {
				t.Errorf("chain grew by %d events, want %d", after.Events-before.Events, len(acts))
			}
			if after.Head != al.Items[len(al.Items)-1].Hash {
				t.Errorf("chain head %s is not the last act's hash %s", after.Head, al.Items[len(al.Items)-1].Hash)
			}
		})
	}
}

// checkDraftingView: GET /decisions/{id} in drafting shows the current draft
// hash and the events this caller may fire — the drafter may revise the
// draft, the office may not.
func checkDraftingView(t *testing.T, e *env, d decisionJSON, text string) {
	t.Helper()
	want := workflow.DraftHash(text)
	asDrafter, _ := e.GetDecision(t, "drafter", d.ID)
	asOffice, _ := e.GetDecision(t, "office", d.ID)
	for who, v := range map[string]decisionJSON{"drafter": asDrafter, "office": asOffice} {
		if v.State != string(workflow.StDrafting) || v.Version != d.Version {
			t.Errorf("GET as %s: %s v%d, want drafting v%d", who, v.State, v.Version, d.Version)
		}
		if v.CurrentDraftHash == nil || *v.CurrentDraftHash != want {
			t.Errorf("GET as %s: current_draft_hash %v, want %s", who, v.CurrentDraftHash, want)
		}
	}
	if !slices.Contains(asDrafter.AvailableEvents, workflow.EvReviseDraft) || !slices.Contains(asDrafter.AvailableEvents, workflow.EvStartParticipation) {
		t.Errorf("drafter in drafting: available_events %v must include revise_draft and start_participation", asDrafter.AvailableEvents)
	}
	if slices.Contains(asDrafter.AvailableEvents, workflow.EvWithdraw) {
		t.Errorf("drafter may not withdraw: %v", asDrafter.AvailableEvents)
	}
	if slices.Contains(asOffice.AvailableEvents, workflow.EvReviseDraft) || !slices.Contains(asOffice.AvailableEvents, workflow.EvWithdraw) {
		t.Errorf("office in drafting: available_events %v must include withdraw and not revise_draft", asOffice.AvailableEvents)
	}
	r := e.Do(t, "GET", fmt.Sprintf("/api/v1/decisions/%d/drafts", d.ID), tokenOf(t, "office"), nil)
	drafts := decode[struct {
		Items []workflow.Draft `json:"items"`
	}](t, r)
	if r.Status != http.StatusOK || len(drafts.Items) != 1 || drafts.Items[0].SHA256 != want {
		t.Errorf("drafts: %s", r)
	}
}

// ---- 2. the core invariant ----

// TestSubmitToMeeting_Art25_CoreInvariant proves Art. 25 ¶2 (未经合法性审查或者
// 经审查不合法的，不得提交决策机关讨论) at the HTTP level: submit_to_meeting is
// refused with 422 legality_review_required (no opinion), then
// legality_review_failed (an illegal opinion), then legality_review_stale (a
// legal opinion followed by revise_draft), and accepted only after a new legal
// opinion on the current draft. A refusal changes nothing.
func TestSubmitToMeeting_Art25_CoreInvariant(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newEnv(t, b.Open)
			d := e.CreateFare(t).Decision
			d = e.RunSteps(t, d, stepsBefore(t, workflow.EvRecordLegalityOpinion))
			if d.State != string(workflow.StLegalityReview) {
				t.Fatalf("setup: want legality_review, got %s", d.State)
			}
			env := &e.Fx.Env
			submit := fareStep(t, workflow.EvSubmitLegalityReview)
			opinion := fareStep(t, workflow.EvRecordLegalityOpinion)
			toMeeting := fareStep(t, workflow.EvSubmitToMeeting)
			opinionWith := func(outcome string) map[string]any {
				data := opinion.Payload(env)
				data["outcome"] = outcome
				return data
			}

			refused := func(code string) {
				t.Helper()
				n := e.AuditTotal(t)
				r := e.Fire(t, "drafter", d.ID, workflow.EvSubmitToMeeting, d.Version, toMeeting.Payload(env))
				p := problem(t, r, http.StatusUnprocessableEntity, code)
				if !strings.Contains(p.Article, "Art. 25") || !strings.Contains(p.Detail, "第二十五条") {
					t.Errorf("%s must cite Art. 25 ¶2: article %q, detail %q", code, p.Article, p.Detail)
				}
				now, _ := e.GetDecision(t, "drafter", d.ID)
				if now.State != string(workflow.StLegalityReview) || now.Version != d.Version || e.AuditTotal(t) != n {
					t.Fatalf("a refused act changed the decision or the audit: %+v", now)
				}
			}

			// No opinion yet (a submission is pending).
			refused(workflow.CodeLegalityReviewRequired)

			// The review finds the draft illegal.
			d = e.MustFire(t, opinion.Who, d, workflow.EvRecordLegalityOpinion, opinionWith(workflow.OutcomeIllegal))
			refused(workflow.CodeLegalityReviewFailed)

			// Resubmitted and found legal — then the draft is revised.
			d = e.MustFire(t, submit.Who, d, workflow.EvSubmitLegalityReview, submit.Payload(env))
			d = e.MustFire(t, opinion.Who, d, workflow.EvRecordLegalityOpinion, opinionWith(workflow.OutcomeLegal))
			reviewed := *d.CurrentDraftHash
			d = e.MustFire(t, "drafter", d, workflow.EvReviseDraft, map[string]any{"text": "西宁市城市公共交通票价调整方案（修改稿）……", "note": "根据审查意见修改"})
			if *d.CurrentDraftHash == reviewed {
				t.Fatal("revise_draft must change the current draft hash")
			}
			refused(workflow.CodeLegalityReviewStale)

			// The current draft is submitted and found legal: the meeting may take it.
			d = e.MustFire(t, submit.Who, d, workflow.EvSubmitLegalityReview, submit.Payload(env))
			d = e.MustFire(t, opinion.Who, d, workflow.EvRecordLegalityOpinion, opinionWith(workflow.OutcomeLegal))
			d = e.MustFire(t, toMeeting.Who, d, workflow.EvSubmitToMeeting, toMeeting.Payload(env))
			if d.State != string(workflow.StCollectiveDecision) {
				t.Fatalf("want collective_decision, got %s", d.State)
			}
			e.Verify(t)
		})
	}
}

// ---- 3. optimistic concurrency ----

// TestConcurrentActsSameVersion: 20 acts sent at once with the same
// expected_version — exactly one wins, the others get 409
// version_conflict, and the chain gains exactly one event.
func TestConcurrentActsSameVersion(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newEnv(t, b.Open)
			d := e.RunSteps(t, e.CreateFare(t).Decision, stepsBefore(t, workflow.EvStartParticipation))
			if d.State != string(workflow.StDrafting) {
				t.Fatalf("setup: want drafting, got %s", d.State)
			}
			before := e.Verify(t)
			total := e.AuditTotal(t)

			const n = 20
			var wg sync.WaitGroup
			start := make(chan struct{})
			results := make([]response, n)
			errs := make([]error, n)
			token := tokenOf(t, "drafter")
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					body, _ := json.Marshal(eventBody(workflow.EvReviseDraft, d.Version,
						map[string]any{"text": fmt.Sprintf("草案修改稿（并发第%d份）", i), "note": "并发修改"}))
					req, _ := http.NewRequest("POST", e.Srv.URL+eventsPath(d.ID), bytes.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+token)
					<-start
					res, err := e.HTTP.Do(req)
					if err != nil {
						errs[i] = err
						return
					}
					defer res.Body.Close()
					out, err := io.ReadAll(res.Body)
					results[i], errs[i] = response{Status: res.StatusCode, Header: res.Header, Body: out}, err
				}()
			}
			close(start)
			wg.Wait()

			ok := 0
			for i, r := range results {
				if errs[i] != nil {
					t.Fatalf("request %d: %v", i, errs[i])
				}
				if r.Status == http.StatusOK {
					ok++
					if v := decode[actJSON](t, r).Decision.Version; v != d.Version+1 {
						t.Errorf("the winner got version %d, want %d", v, d.Version+1)
					}
					continue
				}
				problem(t, r, http.StatusConflict, workflow.CodeVersionConflict)
			}
			if ok != 1 {
				t.Fatalf("want exactly one 200, got %d", ok)
			}
			now, _ := e.GetDecision(t, "drafter", d.ID)
			if now.Version != d.Version+1 {
				t.Errorf("decision version %d, want %d", now.Version, d.Version+1)
			}
			after := e.Verify(t)
			if after.Events != before.Events+1 || e.AuditTotal(t) != total+1 {
				t.Errorf("the chain must gain exactly one event: %d → %d", before.Events, after.Events)
			}
		})
	}
}

// ---- 4. bad input ----

// TestBadInput: every malformed, unauthenticated, forbidden or out-of-turn
// request is a 4xx problem+json with a stable code and a Chinese and English
// detail — never a 500 — and writes nothing.
func TestBadInput(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newEnv(t, b.Open)
			d := e.RunSteps(t, e.CreateFare(t).Decision, stepsBefore(t, workflow.EvStartParticipation))
			if d.State != string(workflow.StDrafting) {
				t.Fatalf("setup: want drafting, got %s", d.State)
			}
			v := d.Version
			ev := eventsPath(d.ID)
			organ := e.Fx.Units[seeds.DemoOrgan]
			unit := e.Fx.Units["西宁市交通运输局"]
			drafter, office := tokenOf(t, "drafter"), tokenOf(t, "office")
			revise := func(data any) map[string]any { return eventBody(workflow.EvReviseDraft, v, data) }
			goodDraft := map[string]any{"text": "草案", "note": "x"}
			create := func(over map[string]any) map[string]any {
				m := map[string]any{"title": "测试决策", "organ_id": organ, "category": "public_policy"}
				for k, x := range over {
					if x == nil {
						delete(m, k)
					} else {
						m[k] = x
					}
				}
				return m
			}
			huge := append([]byte(`{"event":"revise_draft","expected_version":1,"data":{"text":"`), bytes.Repeat([]byte("草"), (httpx.MaxBody/3)+1024)...)
			huge = append(huge, `"}}`...)

			type tc struct {
				name         string
				method, path string
				token        string
				body         any
				status       int
				code         string
				fields       []string // each must be named in errors[]
			}
			V := workflow.CodeValidationFailed
			cases := []tc{
				// The body.
				{"malformed JSON", "POST", ev, drafter, rawBody(`{"event": "revise_draft", "expected_version": 3,`), 400, V, []string{"body"}},
				{"not JSON at all", "POST", ev, drafter, rawBody(`event=revise_draft`), 400, V, []string{"body"}},
				{"empty body", "POST", ev, drafter, rawBody(``), 400, V, []string{"body"}},
				{"blank body", "POST", ev, drafter, rawBody(" \n\t "), 400, V, []string{"body"}},
				{"null body", "POST", ev, drafter, rawBody(`null`), 400, V, []string{"body"}},
				{"array body", "POST", ev, drafter, rawBody(`[{"event":"revise_draft","expected_version":3}]`), 400, V, []string{"body"}},
				{"string body", "POST", ev, drafter, rawBody(`"revise_draft"`), 400, V, []string{"body"}},
				{"two objects", "POST", ev, drafter, rawBody(`{"event":"revise_draft","expected_version":3}{}`), 400, V, []string{"body"}},
				{"unknown top-level field", "POST", ev, drafter, map[string]any{"event": "revise_draft", "expected_version": v, "data": goodDraft, "actor": "冒名者"}, 400, V, []string{"actor"}},
				{"huge body", "POST", ev, drafter, rawBody(huge), 413, httpx.CodePayloadTooLarge, nil},

				// event and expected_version.
				{"unknown event", "POST", ev, drafter, eventBody("fly_to_the_moon", v, map[string]any{}), 400, V, []string{"event"}},
				{"missing event", "POST", ev, drafter, map[string]any{"expected_version": v, "data": goodDraft}, 400, V, []string{"event"}},
				{"blank event", "POST", ev, drafter, eventBody("  ", v, goodDraft), 400, V, []string{"event"}},
				{"event not a string", "POST", ev, drafter, map[string]any{"event": 7, "expected_version": v, "data": goodDraft}, 400, V, []string{"event"}},
				{"missing expected_version", "POST", ev, drafter, map[string]any{"event": "revise_draft", "data": goodDraft}, 400, V, []string{"expected_version"}},
				{"expected_version as string", "POST", ev, drafter, map[string]any{"event": "revise_draft", "expected_version": fmt.Sprint(v), "data": goodDraft}, 400, V, []string{"expected_version"}},
				{"expected_version zero", "POST", ev, drafter, eventBody("revise_draft", 0, goodDraft), 400, V, []string{"expected_version"}},
				{"expected_version negative", "POST", ev, drafter, eventBody("revise_draft", -3, goodDraft), 400, V, []string{"expected_version"}},
				{"expected_version fractional", "POST", ev, drafter, rawBody(fmt.Sprintf(`{"event":"revise_draft","expected_version":%d.5,"data":{"text":"x"}}`, v)), 400, V, []string{"expected_version"}},
				{"everything missing", "POST", ev, drafter, rawBody(`{}`), 400, V, []string{"event", "expected_version"}},

				// data.
				{"data an array", "POST", ev, drafter, revise([]any{"text"}), 400, V, []string{"data"}},
				{"data a string", "POST", ev, drafter, revise("草案全文"), 400, V, []string{"data"}},
				{"missing required field", "POST", ev, drafter, revise(map[string]any{"note": "无正文"}), 400, V, []string{"text"}},
				{"mistyped field", "POST", ev, drafter, revise(map[string]any{"text": 42, "note": "x"}), 400, V, []string{"text"}},
				{"blank required text", "POST", ev, drafter, revise(map[string]any{"text": "   "}), 400, V, []string{"text"}},
				{"missing and mistyped nested fields", "POST", ev, drafter, eventBody(workflow.EvStartParticipation, v, map[string]any{
					"methods": "online_comment", "notice": map[string]any{"channels": []any{}, "opened_on": 20260901}}),
					400, V, []string{"methods", "notice.channels", "notice.opened_on", "notice.closes_on"}},
				{"bad date and enum item", "POST", ev, drafter, eventBody(workflow.EvStartParticipation, v, map[string]any{
					"methods": []any{"online_comment", "telepathy"}, "notice": map[string]any{"channels": []any{"网站"}, "opened_on": "2026-02-30", "closes_on": "tomorrow"}}),
					400, V, []string{"methods[1]", "notice.opened_on", "notice.closes_on"}},

				// Which decision.
				{"non-numeric id", "POST", "/api/v1/decisions/abc/events", drafter, revise(goodDraft), 404, workflow.CodeNotFound, nil},
				{"zero id", "POST", "/api/v1/decisions/0/events", drafter, revise(goodDraft), 404, workflow.CodeNotFound, nil},
				{"unknown id", "POST", "/api/v1/decisions/987654/events", drafter, revise(goodDraft), 404, workflow.CodeNotFound, nil},
				{"GET non-numeric id", "GET", "/api/v1/decisions/abc", office, nil, 404, workflow.CodeNotFound, nil},
				{"GET unknown id", "GET", "/api/v1/decisions/987654", office, nil, 404, workflow.CodeNotFound, nil},
				{"GET unknown id audit", "GET", "/api/v1/decisions/987654/audit", office, nil, 404, workflow.CodeNotFound, nil},
				{"GET unknown id drafts", "GET", "/api/v1/decisions/987654/drafts", office, nil, 404, workflow.CodeNotFound, nil},
				{"GET unknown id records", "GET", "/api/v1/decisions/987654/records", office, nil, 404, workflow.CodeNotFound, nil},
				{"unknown route", "GET", "/api/v1/nothing-here", office, nil, 404, workflow.CodeNotFound, nil},

				// Who.
				{"no token", "POST", ev, "", revise(goodDraft), 401, workflow.CodeUnauthenticated, nil},
				{"bad token", "POST", ev, "not-a-token", revise(goodDraft), 401, workflow.CodeUnauthenticated, nil},
				{"no token on GET", "GET", fmt.Sprintf("/api/v1/decisions/%d", d.ID), "", nil, 401, workflow.CodeUnauthenticated, nil},
				{"wrong role", "POST", ev, office, revise(goodDraft), 403, workflow.CodeForbidden, nil},
				{"reviewer may not start participation", "POST", ev, tokenOf(t, "reviewer"), eventBody(workflow.EvStartParticipation, v, fareStep(t, workflow.EvStartParticipation).Payload(&e.Fx.Env)), 403, workflow.CodeForbidden, nil},
				{"sysadmin never advances a decision", "POST", ev, tokenOf(t, "sysadmin"), eventBody(workflow.EvWithdraw, v, map[string]any{"reason": "测试"}), 403, workflow.CodeForbidden, nil},
				{"secadmin never advances a decision", "POST", ev, tokenOf(t, "secadmin"), eventBody(workflow.EvLaunch, v, map[string]any{"reason": "测试"}), 403, workflow.CodeForbidden, nil},
				{"auditor never advances a decision", "POST", ev, tokenOf(t, "auditor"), eventBody(workflow.EvReviseDraft, v, goodDraft), 403, workflow.CodeForbidden, nil},
				{"executor may not create", "POST", "/api/v1/decisions", tokenOf(t, "executor"), create(nil), 403, workflow.CodeForbidden, nil},

				// When.
				{"wrong state", "POST", ev, office, eventBody(workflow.EvLaunch, v, map[string]any{"undertaking_unit_id": unit, "launch_ref": "会议纪要"}), 409, workflow.CodeInvalidTransition, nil},
				{"wrong state: complete in drafting", "POST", ev, office, eventBody(workflow.EvComplete, v, map[string]any{"summary": "完毕"}), 409, workflow.CodeInvalidTransition, nil},
				{"stale version", "POST", ev, drafter, eventBody(workflow.EvReviseDraft, v-1, goodDraft), 409, workflow.CodeVersionConflict, nil},
				{"future version", "POST", ev, drafter, eventBody(workflow.EvReviseDraft, v+5, goodDraft), 409, workflow.CodeVersionConflict, nil},

				// Query parameters.
				{"page not a number", "GET", "/api/v1/decisions?page=abc", office, nil, 400, V, []string{"page"}},
				{"per_page negative", "GET", "/api/v1/decisions?per_page=-5", office, nil, 400, V, []string{"per_page"}},
				{"unknown state filter", "GET", "/api/v1/decisions?state=flying", office, nil, 400, V, []string{"state"}},
				{"unit not an id", "GET", "/api/v1/decisions?unit=交通局", office, nil, 400, V, []string{"unit"}},
				{"audit since not a time", "GET", "/api/v1/audit?since=yesterday", office, nil, 400, V, []string{"since"}},
				{"audit decision not an id", "GET", "/api/v1/audit?decision=abc&page=0", office, nil, 400, V, []string{"decision", "page"}},
				{"decision audit page", "GET", fmt.Sprintf("/api/v1/decisions/%d/audit?page=x", d.ID), office, nil, 400, V, []string{"page"}},
				{"diagram format", "GET", "/api/v1/procedure/diagram?format=png", office, nil, 400, V, []string{"format"}},

				// Creating a decision.
				{"create: unknown organ", "POST", "/api/v1/decisions", office, create(map[string]any{"organ_id": 987654}), 400, V, []string{"organ_id"}},
				{"create: a unit is not an organ", "POST", "/api/v1/decisions", office, create(map[string]any{"organ_id": unit}), 400, V, []string{"organ_id"}},
				{"create: organ_id as string", "POST", "/api/v1/decisions", office, create(map[string]any{"organ_id": fmt.Sprint(organ)}), 400, V, []string{"organ_id"}},
				{"create: unknown category", "POST", "/api/v1/decisions", office, create(map[string]any{"category": "whatever"}), 400, V, []string{"category"}},
				{"create: missing category and title", "POST", "/api/v1/decisions", office, create(map[string]any{"category": nil, "title": nil}), 400, V, []string{"category", "title"}},
				{"create: mistyped flag", "POST", "/api/v1/decisions", office, create(map[string]any{"technical": "yes", "domains": "交通运输"}), 400, V, []string{"technical", "domains"}},
				{"create: unknown undertaking unit", "POST", "/api/v1/decisions", office, create(map[string]any{"undertaking_unit_id": organ}), 400, V, []string{"undertaking_unit_id"}},
				{"create: malformed JSON", "POST", "/api/v1/decisions", office, rawBody(`{"title":`), 400, V, []string{"body"}},
				{"create: array body", "POST", "/api/v1/decisions", office, rawBody(`[]`), 400, V, []string{"body"}},
				{"create: huge body", "POST", "/api/v1/decisions", office, rawBody(huge), 413, httpx.CodePayloadTooLarge, nil},

				// Methods.
				{"method not allowed", "DELETE", fmt.Sprintf("/api/v1/decisions/%d", d.ID), office, nil, 405, "method_not_allowed", nil},
			}

			total := e.AuditTotal(t)
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					r := e.Do(t, c.method, c.path, c.token, c.body)
					p := problem(t, r, c.status, c.code)
					got := fieldsOf(p)
					for _, f := range c.fields {
						if !slices.Contains(got, f) {
							t.Errorf("errors[] must name %q; got %v", f, got)
						}
					}
					for _, fe := range p.Errors {
						if !han.MatchString(fe.ZH) || fe.EN == "" {
							t.Errorf("field error %q needs Chinese and English: %+v", fe.Field, fe)
						}
					}
					if c.status == 401 && r.Header.Get("WWW-Authenticate") == "" {
						t.Error("401 without WWW-Authenticate")
					}
					if c.status == 405 && !strings.Contains(r.Header.Get("Allow"), "GET") {
						t.Errorf("405 must name the allowed methods: Allow = %q", r.Header.Get("Allow"))
					}
				})
			}

			// None of it wrote anything but the security events of the 403s
			// (等保 安全审计: every refused state-changing request is audited).
			refusals := 0
			for _, c := range cases {
				if c.status == 403 && c.method != "GET" {
					refusals++
				}
			}
			now, _ := e.GetDecision(t, "drafter", d.ID)
			if now.Version != v || now.State != string(workflow.StDrafting) {
				t.Errorf("bad requests changed the decision: %+v", now)
			}
			if n := e.AuditTotal(t); n != total+refusals {
				t.Errorf("bad requests added %d audit events; want exactly the %d refusals", n-total, refusals)
			}
			e.Verify(t)
		})
	}
}
