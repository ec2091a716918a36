package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"decisiond/handlers/handlerstest"
	"decisiond/seeds"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

type catalogueJSON struct {
	ID              int64                    `json:"id"`
	No              int                      `json:"no"`
	Kind            string                   `json:"kind"`
	State           string                   `json:"state"`
	Version         int64                    `json:"version"`
	Title           string                   `json:"title"`
	Items           []workflow.CatalogueItem `json:"items"`
	Anchor          *workflow.Anchor         `json:"anchor"`
	AvailableEvents []string                 `json:"available_events"`
}

type catalogueAct struct {
	Catalogue catalogueJSON `json:"catalogue"`
	AuditSeq  int64         `json:"audit_seq"`
}

func catalogueEventsPath(id int64) string { return fmt.Sprintf("/api/v1/catalogues/%d/events", id) }

// The catalogue through the HTTP API: the office opens the year's
// catalogue (201), a unit proposes its own item, the office compiles,
// publishing before the Party committee's consent is a 422 naming the
// rule, the published version refuses edits (409), the adjustment is
// version 2; bad input is a clear 4xx, never a 500.
func TestCatalogueAPI(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newEnv(t, b.Open)
			organ := e.Fx.Units[seeds.DemoOrgan]
			office, drafter := tokenOf(t, "office"), tokenOf(t, "drafter")

			problem(t, e.Do(t, "POST", "/api/v1/catalogues", drafter, map[string]any{"organ_id": organ, "year": 2026}), http.StatusForbidden, workflow.CodeForbidden)
			problem(t, e.Do(t, "POST", "/api/v1/catalogues", tokenOf(t, "sysadmin"), map[string]any{"organ_id": organ, "year": 2026}), http.StatusForbidden, workflow.CodeForbidden)
			problem(t, e.Do(t, "POST", "/api/v1/catalogues", "", map[string]any{"organ_id": organ, "year": 2026}), http.StatusUnauthorized, workflow.CodeUnauthenticated)
			for _, bad := range []any{
				map[string]any{"organ_id": organ, "year": "2026"},
				map[string]any{"organ_id": organ},
				map[string]any{"organ_id": organ, "year": 2026, "extra": 1},
				map[string]any{"organ_id": 999, "year": 2026},
				map[string]any{"organ_id": organ, "year": 1800},
				rawBody(`[1]`), rawBody(`{"organ_id":1,"year":2026`),
			} {
				problem(t, e.Do(t, "POST", "/api/v1/catalogues", office, bad), http.StatusBadRequest, workflow.CodeValidationFailed)
			}

			r := e.Do(t, "POST", "/api/v1/catalogues", office, map[string]any{"organ_id": organ, "year": 2026})
			if r.Status != http.StatusCreated {
				t.Fatalf("create: %s", r)
			}
			c := decode[catalogueAct](t, r).Catalogue
			if c.No != 1 || c.State != "draft" || c.Version != 1 || r.Header.Get("Location") != fmt.Sprintf("/api/v1/catalogues/%d", c.ID) ||
				!slices.Contains(c.AvailableEvents, "add_item") || slices.Contains(c.AvailableEvents, "publish") {
				t.Fatalf("created %+v", c)
			}
			fire := func(token string, event string, version int64, data any) response {
				return e.Do(t, "POST", catalogueEventsPath(c.ID), token, eventBody(event, version, data))
			}
			must := func(token, event string, data any) {
				t.Helper()
				r := fire(token, event, c.Version, data)
				if r.Status != http.StatusOK {
					t.Fatalf("%s: %s", event, r)
				}
				c = decode[catalogueAct](t, r).Catalogue
			}
			item := map[string]any{"name": "停车收费", "undertaking_unit_id": e.Fx.Units["西宁市交通运输局"], "basis": "《价格法》",
				"procedures": []string{"public_comment"}, "hearing": false, "planned": "2026-Q3"}
			must(drafter, "add_item", item)
			item2 := map[string]any{"name": "公交票价", "undertaking_unit_id": e.Fx.Units["西宁市交通运输局"], "basis": "《价格法》", "hearing": true, "planned": "2026-09-30"}
			must(office, "add_item", item2)
			if len(c.Items) != 2 || c.Items[0].ProposedBy == nil || c.Items[1].Planned != "2026-09-30" {
				t.Fatalf("items %+v", c.Items)
			}
			typed := map[string]any{"name": "x", "undertaking_unit_id": 3, "basis": "x", "hearing": false, "planned": "2026-Q3", "completion": "已完成"}
			p := problem(t, fire(office, "add_item", c.Version, typed), http.StatusBadRequest, workflow.CodeValidationFailed)
			if !slices.Contains(fieldsOf(p), "completion") {
				t.Errorf("fields %v", fieldsOf(p))
			}
			problem(t, fire(office, "frobnicate", c.Version, nil), http.StatusBadRequest, workflow.CodeValidationFailed)
			problem(t, e.Do(t, "POST", catalogueEventsPath(c.ID), office, map[string]any{"event": "approve"}), http.StatusBadRequest, workflow.CodeValidationFailed)
			problem(t, fire(office, "approve", c.Version-1, map[string]any{"held_on": "2026-02-01", "meeting_ref": "x"}), http.StatusConflict, workflow.CodeVersionConflict)
			problem(t, fire(tokenOf(t, "auditor"), "approve", c.Version, map[string]any{"held_on": "2026-02-01", "meeting_ref": "x"}), http.StatusForbidden, workflow.CodeForbidden)
			problem(t, e.Do(t, "POST", "/api/v1/catalogues/abc/events", office, eventBody("approve", 1, nil)), http.StatusNotFound, workflow.CodeNotFound)
			problem(t, e.Do(t, "POST", catalogueEventsPath(99999), office, eventBody("approve", 1, map[string]any{"held_on": "2026-02-01", "meeting_ref": "x"})), http.StatusNotFound, workflow.CodeNotFound)

			pub := map[string]any{"published_on": "2026-03-01", "doc_no": "西政〔2026〕8号", "channels": []map[string]any{{"kind": "website", "ref": "https://www.xining.gov.cn/"}}}
			p = problem(t, fire(office, "publish", c.Version, pub), http.StatusUnprocessableEntity, workflow.CodePartyConsentRequired)
			if p.Article != "Art. 3 ¶3" {
				t.Errorf("article %q", p.Article)
			}
			must(office, "approve", map[string]any{"held_on": "2026-02-10", "meeting_ref": "市政府第3次常务会议"})
			problem(t, fire(office, "publish", c.Version, pub), http.StatusUnprocessableEntity, workflow.CodePartyConsentRequired)
			must(office, "consent", map[string]any{"consented_on": "2026-02-20", "doc_no": "西办字〔2026〕6号"})
			must(office, "publish", pub)
			if c.State != "published" || c.Anchor == nil || len(c.Anchor.Hash) != 64 || len(c.AvailableEvents) != 0 {
				t.Fatalf("published %+v", c)
			}
			p = problem(t, fire(office, "change_item", c.Version, map[string]any{"item_id": c.Items[0].ItemID, "planned": "2026-Q4"}), http.StatusConflict, workflow.CodeInvalidTransition)
			if p.Rule != "catalogue_frozen" {
				t.Errorf("rule %q", p.Rule)
			}

			// The list, one version, the leader's view, the undertaking unit's.
			list := decode[struct {
				Items []map[string]any `json:"items"`
			}](t, e.Do(t, "GET", "/api/v1/catalogues?year=2026", tokenOf(t, "leader"), nil))
			if len(list.Items) != 1 || list.Items[0]["items"] != nil {
				t.Errorf("list = %+v", list)
			}
			if r := e.Do(t, "GET", fmt.Sprintf("/api/v1/catalogues/%d", c.ID), drafter, nil); r.Status != http.StatusOK {
				t.Errorf("a unit of the organ reads its catalogue: %s", r)
			}
			problem(t, e.Do(t, "GET", fmt.Sprintf("/api/v1/catalogues/%d", c.ID), tokenOf(t, "sysadmin"), nil), http.StatusNotFound, workflow.CodeNotFound)
			problem(t, e.Do(t, "GET", "/api/v1/catalogues?year=abc", office, nil), http.StatusBadRequest, workflow.CodeValidationFailed)

			// A decision names an item: a missing one is a 400 naming the field.
			body := map[string]any{"title": "关联目录", "organ_id": organ, "category": "public_policy", "catalogue_item_id": 99999}
			p = problem(t, e.Do(t, "POST", "/api/v1/decisions", office, body), http.StatusBadRequest, workflow.CodeValidationFailed)
			if !slices.Equal(fieldsOf(p), []string{"catalogue_item_id"}) {
				t.Errorf("fields %v", fieldsOf(p))
			}
			body["catalogue_item_id"] = c.Items[1].ItemID
			r = e.Do(t, "POST", "/api/v1/decisions", office, body)
			if r.Status != http.StatusCreated {
				t.Fatalf("create linked: %s", r)
			}
			_, fields := e.GetDecision(t, "office", decode[actJSON](t, r).Decision.ID)
			if string(fields["hearing_required"]) != "true" {
				t.Errorf("hearing item → hearing_required, got %s", fields["hearing_required"])
			}

			// The adjustment is version 2.
			r = e.Do(t, "POST", "/api/v1/catalogues", office, map[string]any{"organ_id": organ, "year": 2026})
			if v2 := decode[catalogueAct](t, r).Catalogue; r.Status != http.StatusCreated || v2.No != 2 || v2.Kind != "adjustment" || len(v2.Items) != 2 {
				t.Fatalf("adjustment: %s", r)
			}
			problem(t, e.Do(t, "POST", "/api/v1/catalogues", office, map[string]any{"organ_id": organ, "year": 2026}), http.StatusConflict, workflow.CodeInvalidTransition)
		})
	}
}

// The office's plan-against-actual report on the demo data.
func TestCatalogueReportAPI(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := handlerstest.NewWith(t, b.Open, handlerstest.Options{Demo: true})
			var rep workflow.PlanReport
			for _, who := range []string{"office", "leader"} {
				r := e.Do(t, "GET", "/api/v1/catalogue-reports/2026", tokenOf(t, who), nil)
				if r.Status != http.StatusOK {
					t.Fatalf("%s: %s", who, r)
				}
				rep = decode[workflow.PlanReport](t, r)
			}
			if len(rep.Items) != 9 || len(rep.NotLaunched) != 4 || len(rep.Overdue) != 3 || len(rep.Withdrawn) != 1 || len(rep.Unlisted) != 2 ||
				rep.Withdrawn[0].Completion.Removal.DocNo != seeds.DemoAdjustmentDocNo {
				t.Errorf("report = %+v", rep)
			}
			problem(t, e.Do(t, "GET", "/api/v1/catalogue-reports/2026", tokenOf(t, "drafter"), nil), http.StatusForbidden, workflow.CodeForbidden)
			problem(t, e.Do(t, "GET", "/api/v1/catalogue-reports/2025", tokenOf(t, "office"), nil), http.StatusNotFound, workflow.CodeNotFound)
			problem(t, e.Do(t, "GET", "/api/v1/catalogue-reports/20x6", tokenOf(t, "office"), nil), http.StatusNotFound, workflow.CodeNotFound)
			problem(t, e.Do(t, "GET", "/api/v1/catalogue-reports/2026?organ=x", tokenOf(t, "office"), nil), http.StatusBadRequest, workflow.CodeValidationFailed)
			problem(t, e.Do(t, "GET", "/api/v1/catalogue-reports/2026", "", nil), http.StatusUnauthorized, workflow.CodeUnauthenticated)
		})
	}
}

// Bad input to the catalogue's acts is a clear 4xx on both databases,
// never a 500.
func TestCatalogueBadInput(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newEnv(t, b.Open)
			office := tokenOf(t, "office")
			r := e.Do(t, "POST", "/api/v1/catalogues", office, map[string]any{"organ_id": e.Fx.Units[seeds.DemoOrgan], "year": 2026})
			c := decode[catalogueAct](t, r).Catalogue
			unit := e.Fx.Units["西宁市交通运输局"]
			bodies := []any{
				rawBody(`{"event":"add_item","expected_version":1,"data":{"name":"x","undertaking_unit_id":99999999999999999999,"basis":"x","hearing":true,"planned":"2026-Q3"}}`),
				rawBody(`{"event":"add_item","expected_version":1e30,"data":{}}`),
				rawBody(`{"event":"add_item","expected_version":1,"data":{"name":"a\u0000b","undertaking_unit_id":1,"basis":"x","hearing":true,"planned":"2026-Q3"}}`),
				rawBody(`{"event":"add_item","expected_version":1,"data":"nope"}`),
				rawBody(`{"event":"add_item","expected_version":1,"data":{"name":"x","name":"y"}}`),
				eventBody("add_item", 1, map[string]any{"name": "x", "undertaking_unit_id": unit, "basis": "x", "hearing": "yes", "planned": "2026-Q3"}),
				eventBody("add_item", 1, map[string]any{"name": "x", "undertaking_unit_id": unit, "basis": "x", "hearing": true, "planned": "2099-Q3"}),
				eventBody("add_item", 1, map[string]any{"name": "x", "undertaking_unit_id": unit, "basis": "x", "hearing": true, "planned": "2026-02-30"}),
				eventBody("add_item", 1, map[string]any{"name": "x", "undertaking_unit_id": unit, "basis": "x", "hearing": true, "planned": "2026-Q3", "procedures": []string{"dance"}}),
				eventBody("add_item", 1, map[string]any{"name": "x", "undertaking_unit_id": unit, "basis": "   ", "hearing": true, "planned": "2026-Q3"}),
				eventBody("add_item", 1, map[string]any{"name": []rune("名"), "undertaking_unit_id": unit, "basis": "x", "hearing": true, "planned": "2026-Q3"}),
				eventBody("change_item", 1, map[string]any{"item_id": 424242, "name": "x"}),
				eventBody("remove_item", 1, map[string]any{"item_id": -3}),
				eventBody("approve", 1, map[string]any{"held_on": "2026-13-01", "meeting_ref": "x"}),
				eventBody("publish", 1, map[string]any{"published_on": "x", "doc_no": 5, "channels": "web"}),
			}
			for i, body := range bodies {
				r := e.Do(t, "POST", catalogueEventsPath(c.ID), office, body)
				if r.Status < 400 || r.Status >= 500 {
					t.Errorf("body %d: %s", i, r)
				}
			}
			name := ""
			for range 201 {
				name += "名"
			}
			problem(t, e.Do(t, "POST", catalogueEventsPath(c.ID), office, eventBody("add_item", 1, map[string]any{"name": name, "undertaking_unit_id": unit,
				"basis": "x", "hearing": true, "planned": "2026-Q3"})), http.StatusBadRequest, workflow.CodeValidationFailed)
		})
	}
}

// Two clerks act on the same version at once: one wins, the other is told
// the version moved (409), on both databases.
func TestCatalogueConcurrentActs(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newEnv(t, b.Open)
			office := tokenOf(t, "office")
			c := decode[catalogueAct](t, e.Do(t, "POST", "/api/v1/catalogues", office, map[string]any{"organ_id": e.Fx.Units[seeds.DemoOrgan], "year": 2026})).Catalogue
			const n = 8
			statuses := make(chan int, n)
			for i := range n {
				go func() {
					r := e.Do(t, "POST", catalogueEventsPath(c.ID), office, eventBody("add_item", 1, map[string]any{"name": fmt.Sprintf("事项%d", i),
						"undertaking_unit_id": e.Fx.Units["西宁市交通运输局"], "basis": "x", "hearing": false, "planned": "2026-Q3"}))
					statuses <- r.Status
				}()
			}
			got := map[int]int{}
			for range n {
				got[<-statuses]++
			}
			if got[http.StatusOK] != 1 || got[http.StatusConflict] != n-1 {
				t.Fatalf("statuses %v", got)
			}
			e.Verify(t)
		})
	}
}
