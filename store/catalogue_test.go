package store_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// catAct fires one catalogue act as a demo user on the version v and, when
// it succeeds, updates v.
func catAct(t *testing.T, db *store.DB, fx *seeds.Fixture, who string, v *workflow.CatalogueVersion, event string, data map[string]any) (*store.CatalogueResult, error) {
	t.Helper()
	res, err := db.ApplyCatalogue(ctx, v.ID, workflow.Act{Event: event, Data: raw(data), Actor: fx.Actors[who]}, v.Version)
	if err == nil {
		if res.Version.Version != v.Version+1 {
			t.Fatalf("%s: version %d after %d", event, res.Version.Version, v.Version)
		}
		*v = res.Version
	}
	return res, err
}

func mustCat(t *testing.T, db *store.DB, fx *seeds.Fixture, who string, v *workflow.CatalogueVersion, event string, data map[string]any) *store.CatalogueResult {
	t.Helper()
	res, err := catAct(t, db, fx, who, v, event, data)
	if err != nil {
		t.Fatalf("%s by %s: %v", event, who, err)
	}
	return res
}

func testItem(fx *seeds.Fixture, name, unit string, hearing bool) map[string]any {
	return map[string]any{"name": name, "undertaking_unit_id": fx.Units[unit], "basis": "《中华人民共和国价格法》",
		"procedures": []string{"public_comment", "expert_review"}, "hearing": hearing, "planned": "2026-Q3", "note": "测试"}
}

var publishData = map[string]any{"published_on": "2026-03-01", "doc_no": "西政〔2026〕8号",
	"channels": []map[string]any{{"kind": "website", "ref": "https://www.xining.gov.cn/"}}}

// toPublished approves, consents to and publishes v.
func toPublished(t *testing.T, db *store.DB, fx *seeds.Fixture, v *workflow.CatalogueVersion, docNo string) *store.CatalogueResult {
	t.Helper()
	mustCat(t, db, fx, "office", v, workflow.CatEvApprove, map[string]any{"held_on": "2026-02-10", "meeting_ref": "市政府第3次常务会议"})
	mustCat(t, db, fx, "office", v, workflow.CatEvConsent, map[string]any{"consented_on": "2026-02-20", "doc_no": "西办字〔2026〕6号"})
	p := map[string]any{}
	for k, x := range publishData {
		p[k] = x
	}
	p["doc_no"] = docNo
	return mustCat(t, db, fx, "office", v, workflow.CatEvPublish, p)
}

func auditAt(t *testing.T, db *store.DB, seq int64) store.AuditEvent {
	t.Helper()
	evs, _, err := db.Audit(ctx, store.System, store.AuditFilter{Page: store.Page{Page: int(seq), PerPage: 1}})
	if err != nil || len(evs) != 1 || evs[0].Seq != seq {
		t.Fatalf("audit event %d: %v %+v", seq, err, evs)
	}
	return evs[0]
}

// The lifecycle (Art. 3 ¶3): compile (the office and a unit proposing its
// own item), approve, party consent, publish — publishing without consent
// refused; the published version frozen (by the engine and by the
// database's triggers); an adjustment is version 2, approved, consented and
// published in turn, and version 1 stays unchanged and public beside it.
// Every act is one audit event of the one chain; each published version
// carries its anchor.
func TestCatalogueLifecycle(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := b.Open(t)
			fx := storetest.Base(t, db)
			organ := fx.Units[seeds.DemoOrgan]
			auditBefore := auditTotal(t, db)

			_, err := db.CreateCatalogueVersion(ctx, fx.Actors["drafter"], organ, 2026)
			mustCode(t, err, workflow.CodeForbidden)
			_, err = db.CreateCatalogueVersion(ctx, fx.Actors["sysadmin"], organ, 2026)
			mustCode(t, err, workflow.CodeForbidden)
			_, err = db.CreateCatalogueVersion(ctx, fx.Actors["office"], organ, 1999)
			mustCode(t, err, workflow.CodeValidationFailed)
			_, err = db.CreateCatalogueVersion(ctx, fx.Actors["office"], fx.Units["西宁市交通运输局"], 2026)
			mustCode(t, err, workflow.CodeValidationFailed)

			res, err := db.CreateCatalogueVersion(ctx, fx.Actors["office"], organ, 2026)
			if err != nil {
				t.Fatal(err)
			}
			v := res.Version
			if v.No != 1 || v.Kind != workflow.CatalogueKindCatalogue || v.State != workflow.CatDraft || v.Version != 1 || len(v.Items) != 0 {
				t.Fatalf("new catalogue = %+v", v)
			}
			_, err = db.CreateCatalogueVersion(ctx, fx.Actors["office"], organ, 2026)
			mustCode(t, err, workflow.CodeInvalidTransition)

			// Compile: the office adds one, the transport bureau proposes its own.
			mustCat(t, db, fx, "office", &v, workflow.CatEvAddItem, testItem(fx, "公交票价调整", "西宁市交通运输局", true))
			_, err = catAct(t, db, fx, "drafter", &v, workflow.CatEvAddItem, testItem(fx, "课后服务", "西宁市教育局", false))
			mustCode(t, err, workflow.CodeForbidden)
			r := mustCat(t, db, fx, "drafter", &v, workflow.CatEvAddItem, testItem(fx, "停车收费", "西宁市交通运输局", false))
			if it := r.Version.Items[1]; it.ProposedBy == nil || *it.ProposedBy != fx.Actors["drafter"].UserID || it.Position != 2 {
				t.Errorf("proposed item = %+v", it)
			}
			mustCat(t, db, fx, "office", &v, workflow.CatEvAddItem, testItem(fx, "临时事项", "西宁市财政局", false))
			mustCat(t, db, fx, "office", &v, workflow.CatEvRemoveItem, map[string]any{"item_id": v.Items[2].ItemID})
			if len(v.Items) != 2 {
				t.Fatalf("a draft's removed item is dropped: %d items", len(v.Items))
			}

			// Optimistic versioning.
			_, err = db.ApplyCatalogue(ctx, v.ID, workflow.Act{Event: workflow.CatEvChangeItem, Actor: fx.Actors["office"],
				Data: raw(map[string]any{"item_id": v.Items[0].ItemID, "note": "x"})}, v.Version-1)
			mustCode(t, err, workflow.CodeVersionConflict)

			// Publishing without the Party committee's consent is refused.
			_, err = catAct(t, db, fx, "office", &v, workflow.CatEvPublish, publishData)
			mustCode(t, err, workflow.CodePartyConsentRequired)
			mustCat(t, db, fx, "office", &v, workflow.CatEvApprove, map[string]any{"held_on": "2026-02-10", "meeting_ref": "市政府第3次常务会议"})
			_, err = catAct(t, db, fx, "office", &v, workflow.CatEvPublish, publishData)
			mustCode(t, err, workflow.CodePartyConsentRequired)
			_, err = catAct(t, db, fx, "office", &v, workflow.CatEvAddItem, testItem(fx, "会后新增", "西宁市财政局", false))
			mustCode(t, err, workflow.CodeInvalidTransition)
			mustCat(t, db, fx, "office", &v, workflow.CatEvConsent, map[string]any{"consented_on": "2026-02-20", "doc_no": "西办字〔2026〕6号"})
			pub := mustCat(t, db, fx, "office", &v, workflow.CatEvPublish, publishData)

			// The anchor is the publish event itself; its data holds the content hash.
			if v.State != workflow.CatPublished || v.Anchor == nil || v.Anchor.Seq != pub.AuditSeq || v.PublishedAt == nil {
				t.Fatalf("published = %+v", v)
			}
			ev := auditAt(t, db, v.Anchor.Seq)
			if ev.Event != "catalogue_publish" || ev.Hash != v.Anchor.Hash || len(v.Anchor.Hash) != 64 || strings.ToLower(v.Anchor.Hash) != v.Anchor.Hash {
				t.Errorf("anchor %+v, event %+v", v.Anchor, ev)
			}
			if !strings.Contains(string(ev.Data), v.ContentSHA256) || v.ContentSHA256 != workflow.CatalogueContentHash(v.Items) {
				t.Errorf("content hash %s not in the publish event %s", v.ContentSHA256, ev.Data)
			}
			v1 := v

			// Frozen: the engine refuses every edit, the database every write.
			for _, ev := range []struct {
				event string
				data  map[string]any
			}{
				{workflow.CatEvChangeItem, map[string]any{"item_id": v.Items[0].ItemID, "planned": "2026-Q4"}},
				{workflow.CatEvRemoveItem, map[string]any{"item_id": v.Items[0].ItemID}},
				{workflow.CatEvAddItem, testItem(fx, "新增", "西宁市财政局", false)},
			} {
				_, err := catAct(t, db, fx, "office", &v, ev.event, ev.data)
				mustCode(t, err, workflow.CodeInvalidTransition)
				if e, _ := workflow.AsError(err); e.Rule != "catalogue_frozen" {
					t.Errorf("%s: rule %q", ev.event, e.Rule)
				}
			}
			for _, q := range []string{
				`UPDATE catalogue_entries SET name = 'x' WHERE version_id = ?`,
				`DELETE FROM catalogue_entries WHERE version_id = ?`,
				`UPDATE catalogue_versions SET content_sha256 = 'x' WHERE id = ?`,
				`DELETE FROM catalogue_versions WHERE id = ?`,
			} {
				if _, err := db.ExecRaw(ctx, q, v.ID); err == nil || !strings.Contains(err.Error(), "catalogue_frozen") {
					t.Errorf("%s: want the trigger's refusal, got %v", q, err)
				}
			}

			// The adjustment: version 2 starts from the items in force.
			res, err = db.CreateCatalogueVersion(ctx, fx.Actors["office"], organ, 2026)
			if err != nil {
				t.Fatal(err)
			}
			v2 := res.Version
			if v2.No != 2 || v2.Kind != workflow.CatalogueKindAdjustment || v2.BasedOn == nil || *v2.BasedOn != v1.ID || len(v2.Items) != 2 {
				t.Fatalf("adjustment = %+v", v2)
			}
			_, err = catAct(t, db, fx, "office", &v2, workflow.CatEvApprove, map[string]any{"held_on": "2026-06-10", "meeting_ref": "第9次常务会议"})
			mustCode(t, err, workflow.CodeCatalogueAdjustmentEmpty)
			_, err = catAct(t, db, fx, "office", &v2, workflow.CatEvRemoveItem, map[string]any{"item_id": v2.Items[0].ItemID})
			mustCode(t, err, workflow.CodeReasonRequired)
			mustCat(t, db, fx, "office", &v2, workflow.CatEvRemoveItem, map[string]any{"item_id": v2.Items[0].ItemID, "reason": "改由省级统一定价"})
			add := testItem(fx, "财政资金管理", "西宁市财政局", false)
			add["reason"] = "新增改革任务"
			mustCat(t, db, fx, "office", &v2, workflow.CatEvAddItem, add)
			toPublished(t, db, fx, &v2, "西政〔2026〕30号")

			// Version 1 unchanged and public beside version 2.
			got1, err := db.PublishedCatalogue(ctx, organ, 2026, 1)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got1.Items, v1.Items) || *got1.Anchor != *v1.Anchor || got1.ContentSHA256 != v1.ContentSHA256 || got1.Version != v1.Version {
				t.Errorf("version 1 changed:\n%+v\n%+v", got1, v1)
			}
			cur, err := db.PublishedCatalogue(ctx, organ, 2026, 0)
			if err != nil {
				t.Fatal(err)
			}
			if cur.No != 2 || len(cur.Listed()) != 2 || len(cur.Changes()) != 2 || cur.Items[0].Change != workflow.ChangeRemoved || cur.Items[0].ChangeReason != "改由省级统一定价" {
				t.Errorf("current = %+v", cur)
			}
			all, err := db.PublishedCatalogues(ctx)
			if err != nil || len(all) != 2 {
				t.Fatalf("published versions: %v %d", err, len(all))
			}
			_, err = db.PublishedCatalogue(ctx, organ, 2025, 0)
			mustCode(t, err, workflow.CodeNotFound)

			// One chain: every act above is an event; the anchors hold.
			vr, err := db.Verify(ctx)
			if err != nil || !vr.OK || vr.Anchors != 2 || len(vr.BrokenAnchors) != 0 {
				t.Fatalf("verify: %+v %v", vr, err)
			}
			// 14 acts done (two opened versions, 5 item acts, 2 × approve,
			// consent, publish); refused acts leave no trace here.
			if n := auditTotal(t, db) - auditBefore; n != 14 {
				t.Errorf("%d audit events for 14 catalogue acts", n)
			}
		})
	}
}

func auditTotal(t *testing.T, db *store.DB) int {
	t.Helper()
	_, total, err := db.Audit(ctx, store.System, store.AuditFilter{Page: store.Page{PerPage: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return total
}

// A decision links to an item that exists; the item's requirements become
// its flags; a decision of a published catalogue keeps its item and is
// withdrawn only citing the published adjustment that removed it.
func TestCatalogueItemLinks(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := b.Open(t)
			fx := storetest.Base(t, db)
			organ := fx.Units[seeds.DemoOrgan]
			res, err := db.CreateCatalogueVersion(ctx, fx.Actors["office"], organ, 2026)
			if err != nil {
				t.Fatal(err)
			}
			v := res.Version
			mustCat(t, db, fx, "office", &v, workflow.CatEvAddItem, testItem(fx, "公交票价调整", "西宁市交通运输局", true))
			mustCat(t, db, fx, "office", &v, workflow.CatEvAddItem, testItem(fx, "停车收费", "西宁市交通运输局", false))
			fare, parking := v.Items[0].ItemID, v.Items[1].ItemID

			create := func(item int64, extra map[string]any) (*store.Result, error) {
				body := map[string]any{"title": "关联目录的决策", "organ_id": organ, "category": "public_policy", "catalogue_item_id": item}
				for k, x := range extra {
					body[k] = x
				}
				return db.CreateDecision(ctx, raw(body), fx.Actors["office"])
			}
			_, err = create(9999, nil)
			mustCode(t, err, workflow.CodeValidationFailed)
			if e, _ := workflow.AsError(err); len(e.Fields) != 1 || e.Fields[0].Field != "catalogue_item_id" {
				t.Errorf("fields = %+v", e.Fields)
			}
			_, err = create(fare, map[string]any{"non_disclosable": true})
			mustCode(t, err, workflow.CodeValidationFailed)

			d, err := create(fare, nil)
			if err != nil {
				t.Fatal(err)
			}
			if fl := d.Decision.Flags; !fl.HearingRequired || !fl.Technical || fl.RiskRelevant {
				t.Errorf("flags from the item = %+v", fl)
			}
			if ev := auditAt(t, db, d.AuditSeq); !strings.Contains(string(ev.Data), `"catalogue_requirements":["hearing_required","technical"]`) {
				t.Errorf("create audit data = %s", ev.Data)
			}
			id := d.Decision.ID
			act := func(who, event string, data map[string]any) (*store.Result, error) {
				cur, err := db.Decision(ctx, store.System, id)
				if err != nil {
					t.Fatal(err)
				}
				return db.Apply(ctx, id, workflow.Act{Event: event, Data: raw(data), Actor: fx.Actors[who]}, cur.Version)
			}
			// Before publication: relinking and withdrawing need no adjustment.
			if _, err := act("office", workflow.EvAmendFlags, map[string]any{"category": "public_policy", "catalogue_item_id": parking, "reason": "更正关联"}); err != nil {
				t.Fatal(err)
			}
			if _, err := act("office", workflow.EvAmendFlags, map[string]any{"category": "public_policy", "catalogue_item_id": 9999, "reason": "x"}); workflow.ErrorCode(err) != workflow.CodeValidationFailed {
				t.Fatalf("amend to a missing item: %v", err)
			}
			r, err := act("office", workflow.EvAmendFlags, map[string]any{"category": "public_policy", "catalogue_item_id": fare, "reason": "更正关联"})
			if err != nil || !r.Decision.HearingRequired {
				t.Fatalf("relink: %v %+v", err, r)
			}

			toPublished(t, db, fx, &v, "西政〔2026〕8号")
			_, err = act("office", workflow.EvAmendFlags, map[string]any{"category": "public_policy", "reason": "取消关联"})
			mustCode(t, err, workflow.CodeCatalogueAdjustmentRequired)
			_, err = act("office", workflow.EvWithdraw, map[string]any{"reason": "情况变化", "catalogue_adjustment_ref": "随便写的"})
			mustCode(t, err, workflow.CodeCatalogueAdjustmentRequired)

			res, err = db.CreateCatalogueVersion(ctx, fx.Actors["office"], organ, 2026)
			if err != nil {
				t.Fatal(err)
			}
			v2 := res.Version
			mustCat(t, db, fx, "office", &v2, workflow.CatEvRemoveItem, map[string]any{"item_id": fare, "reason": "改由省级统一定价"})
			// A removal still in a draft does not count.
			_, err = act("office", workflow.EvWithdraw, map[string]any{"reason": "情况变化", "catalogue_adjustment_ref": "西政〔2026〕30号"})
			mustCode(t, err, workflow.CodeCatalogueAdjustmentRequired)
			toPublished(t, db, fx, &v2, "西政〔2026〕30号")
			_, err = create(fare, nil)
			mustCode(t, err, workflow.CodeValidationFailed)
			_, err = act("office", workflow.EvWithdraw, map[string]any{"reason": "情况变化", "catalogue_adjustment_ref": "西政〔2026〕8号"})
			mustCode(t, err, workflow.CodeCatalogueAdjustmentRequired)
			w, err := act("office", workflow.EvWithdraw, map[string]any{"reason": "情况变化", "catalogue_adjustment_ref": "西政〔2026〕30号"})
			if err != nil || w.Decision.State != workflow.StWithdrawn {
				t.Fatalf("withdraw citing the adjustment: %v", err)
			}
		})
	}
}

// The year review on the demo data: every item's 完成情况 is what its linked
// decisions' states say (checked against the states read back, by an
// independent table), and the report's lists — not launched, overdue,
// withdrawn with the reason, decisions in no item — are exactly those.
func TestYearReportMatchesDecisionStates(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := b.Open(t)
			dd, err := seeds.LoadDemo(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			organ := dd.Units[seeds.DemoOrgan]
			rep, err := db.CatalogueReport(ctx, dd.Actors["office"], organ, seeds.DemoCatalogueYear)
			if err != nil {
				t.Fatal(err)
			}
			_, err = db.CatalogueReport(ctx, dd.Actors["drafter"], organ, seeds.DemoCatalogueYear)
			mustCode(t, err, workflow.CodeForbidden)
			_, err = db.CatalogueReport(ctx, dd.Actors["office"], organ, 2025)
			mustCode(t, err, workflow.CodeNotFound)

			all, _, err := db.Decisions(ctx, store.System, store.DecisionFilter{Page: store.Page{PerPage: 200}})
			if err != nil {
				t.Fatal(err)
			}
			statesOf := map[int64][]workflow.State{}
			for _, d := range all {
				if d.CatalogueItemID != nil {
					statesOf[*d.CatalogueItemID] = append(statesOf[*d.CatalogueItemID], d.State)
				}
			}
			expect := func(states []workflow.State) string {
				code := workflow.CompletionNotStarted
				for _, s := range states {
					switch s {
					case workflow.StPublished, workflow.StInExecution, workflow.StPostEvaluation, workflow.StSuspended,
						workflow.StCompleted, workflow.StStopped, workflow.StSuperseded:
						return workflow.CompletionCompleted
					case workflow.StDrafting, workflow.StPublicParticipation, workflow.StExpertReview, workflow.StRiskAssessment,
						workflow.StLegalityReview, workflow.StCollectiveDecision, workflow.StDecided, workflow.StPostponed:
						code = workflow.CompletionInProgress
					}
				}
				return code
			}
			if len(rep.Items) != 9 {
				t.Fatalf("%d items, want 9 (8 published, 1 added by the adjustment)", len(rep.Items))
			}
			for _, it := range rep.Items {
				want := expect(statesOf[it.ItemID])
				if it.Name == seeds.ItemTaxiFare {
					want = workflow.CompletionRemoved
				}
				if it.Completion.Code != want {
					t.Errorf("%s: 完成情况 %s (%s), decisions in %v → want %s", it.Name, it.Completion.Code, it.Completion.Text, statesOf[it.ItemID], want)
				}
			}
			byName := map[string]workflow.ReportItem{}
			for _, it := range rep.Items {
				byName[it.Name] = it
			}
			names := func(items []workflow.ReportItem) []string {
				var out []string
				for _, it := range items {
					out = append(out, it.Name)
				}
				slices.Sort(out)
				return out
			}
			sorted := func(xs ...string) []string { slices.Sort(xs); return xs }
			if got, want := names(rep.NotLaunched), sorted(seeds.ItemOldHousing, seeds.ItemDebris, seeds.ItemSchools, seeds.ItemFunds); !slices.Equal(got, want) {
				t.Errorf("not launched = %v, want %v", got, want)
			}
			// Today is 2026-11-25: past 2026-06-30, Q2 and Q3; the transport
			// plan was moved to 2026-12-31 by the adjustment.
			if got, want := names(rep.Overdue), sorted(seeds.ItemParking, seeds.ItemOldHousing, seeds.ItemSchools); !slices.Equal(got, want) {
				t.Errorf("overdue = %v, want %v", got, want)
			}
			if len(rep.Withdrawn) != 1 || rep.Withdrawn[0].Name != seeds.ItemTaxiFare || rep.Withdrawn[0].Completion.Removal.Reason != seeds.TaxiRemovalReason ||
				rep.Withdrawn[0].Completion.Removal.DocNo != seeds.DemoAdjustmentDocNo || !strings.Contains(rep.Withdrawn[0].Completion.Text, seeds.TaxiRemovalReason) {
				t.Errorf("withdrawn = %+v", rep.Withdrawn)
			}
			if p := byName[seeds.ItemTransport]; p.Planned != "2026-12-31" || p.Completion.Late {
				t.Errorf("transport plan after the adjustment = %+v", p)
			}
			var unlisted []string
			for _, d := range rep.Unlisted {
				unlisted = append(unlisted, d.Title)
			}
			slices.Sort(unlisted)
			if want := sorted("湟水河西宁段生态环境保护规划（2026—2030年）", "西宁市中小学校课后服务管理办法"); !slices.Equal(unlisted, want) {
				t.Errorf("decisions in no item = %v, want %v", unlisted, want)
			}
			if rep.VersionNo != 2 || rep.Anchor == nil || rep.Counts["items"] != 9 {
				t.Errorf("report head = %+v", rep)
			}
		})
	}
}

// Anchors: tampering with an audit event older than an anchor — even when
// the attacker recomputes every later hash so that the chain itself
// verifies — makes verify name the broken anchor; an event between two
// anchors breaks only the later one; a changed item breaks its version's
// content hash.
func TestVerifyNamesBrokenAnchor(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			setup := func(t *testing.T) (*store.DB, []workflow.CatalogueVersion) {
				db, _ := b.Open(t)
				if _, err := seeds.LoadDemo(ctx, db); err != nil {
					t.Fatal(err)
				}
				vs, err := db.PublishedCatalogues(ctx)
				if err != nil || len(vs) != 2 {
					t.Fatalf("published: %v %d", err, len(vs))
				}
				slices.SortFunc(vs, func(a, b workflow.CatalogueVersion) int { return a.No - b.No })
				return db, vs
			}
			broken := func(t *testing.T, db *store.DB) (*store.VerifyResult, []int) {
				t.Helper()
				vr, err := db.Verify(ctx)
				if err != nil {
					t.Fatal(err)
				}
				var nos []int
				for _, p := range vr.BrokenAnchors {
					nos = append(nos, p.No)
					if p.Reason == "" || p.Seq == 0 || len(p.Hash) != 64 || p.Year != 2026 || p.Organ != seeds.DemoOrgan {
						t.Errorf("anchor problem = %+v", p)
					}
				}
				if len(nos) > 0 && vr.OK {
					t.Error("broken anchors but OK")
				}
				return vr, nos
			}
			t.Run("rewritten chain before the first anchor", func(t *testing.T) {
				db, vs := setup(t)
				seq := vs[0].Anchor.Seq - 3
				if err := db.TamperForTest(ctx, `UPDATE audit_events SET actor_name = '篡改者' WHERE seq = ?`, seq); err != nil {
					t.Fatal(err)
				}
				if err := db.RehashChainForTest(ctx, seq); err != nil {
					t.Fatal(err)
				}
				vr, nos := broken(t, db)
				if vr.FirstBadSeq != 0 || !slices.Equal(nos, []int{1, 2}) {
					t.Fatalf("verify = %+v", vr)
				}
				if !strings.Contains(vr.BrokenAnchors[0].Reason, "not the published anchor") || vr.BrokenAnchors[0].Seq != vs[0].Anchor.Seq {
					t.Errorf("reason = %+v", vr.BrokenAnchors[0])
				}
			})
			t.Run("tampered event, chain not rewritten", func(t *testing.T) {
				db, vs := setup(t)
				seq := vs[0].Anchor.Seq - 1
				if err := db.TamperForTest(ctx, `UPDATE audit_events SET data = '{"reason":"篡改"}' WHERE seq = ?`, seq); err != nil {
					t.Fatal(err)
				}
				vr, nos := broken(t, db)
				if vr.FirstBadSeq != seq || !slices.Equal(nos, []int{1, 2}) || !strings.Contains(vr.BrokenAnchors[0].Reason, "before the anchor") {
					t.Fatalf("verify = %+v", vr)
				}
			})
			t.Run("between the anchors: only the later one", func(t *testing.T) {
				db, vs := setup(t)
				seq := vs[0].Anchor.Seq + 1
				if err := db.TamperForTest(ctx, `UPDATE audit_events SET at = '2020-01-01T00:00:00.000000000Z' WHERE seq = ?`, seq); err != nil {
					t.Fatal(err)
				}
				if err := db.RehashChainForTest(ctx, seq); err != nil {
					t.Fatal(err)
				}
				if vr, nos := broken(t, db); !slices.Equal(nos, []int{2}) {
					t.Fatalf("verify = %+v", vr)
				}
			})
			t.Run("a published item changed", func(t *testing.T) {
				db, vs := setup(t)
				if err := db.TamperForTest(ctx, `UPDATE catalogue_entries SET planned = '2027-Q4' WHERE version_id = ?`, vs[0].ID); err != nil {
					t.Fatal(err)
				}
				vr, nos := broken(t, db)
				if !slices.Equal(nos, []int{1}) || !strings.Contains(vr.BrokenAnchors[0].Reason, "content hash") || vr.FirstBadSeq != 0 {
					t.Fatalf("verify = %+v", vr)
				}
			})
		})
	}
}
