package workflow

import (
	"encoding/json"
	"testing"
	"time"
)

// Tests of the annual catalogue's rules (Art. 3 ¶3; QH (九)) on facts built
// directly, clock pinned (gNow: 2026-11-20 in China).

var catDrafter = Actor{UserID: 10, Name: "承办人甲", Roles: []Role{RoleUndertaking}, UnitID: 3}

func catFacts(kind string, state CatalogueState, items ...CatalogueItem) *CatalogueFacts {
	no := 1
	if kind == CatalogueKindAdjustment {
		no = 2
	}
	return &CatalogueFacts{Version: CatalogueVersion{ID: 1, OrganID: 1, OrganName: "西宁市人民政府", Year: 2026, No: no, Kind: kind, State: state, Version: 1,
		Approval: map[string]any{"held_on": "2026-02-10"}, Consent: map[string]any{"consented_on": "2026-02-20"}, Items: items},
		Units: gUnits(), Now: gNow}
}

func catItem(id int64, name string) CatalogueItem {
	return CatalogueItem{ItemID: id, Position: int(id), Name: name, UndertakingUnitID: 3, UndertakingUnit: "市交通运输局", Basis: "《价格法》",
		Procedures: NormProcedures([]string{ProcPublicComment}), Planned: "2026-Q3"}
}

func catFire(t *testing.T, f *CatalogueFacts, who Actor, event string, data M) (*CatalogueOutcome, error) {
	t.Helper()
	b, _ := json.Marshal(data)
	m, err := DecodeData(b)
	if err != nil {
		t.Fatal(err)
	}
	return FireCatalogue(f, Act{Event: event, Data: m, Actor: who})
}

func itemData(name string) M {
	return M{"name": name, "undertaking_unit_id": 3, "basis": "《中华人民共和国价格法》", "procedures": A{"public_comment", "expert_review"},
		"hearing": true, "planned": "2026年第三季度"}
}

// Art. 3 ¶3: the lifecycle draft → approved → party_consented → published;
// publishing before the Party committee's consent is refused, and so is a
// publication dated before the consent; a published version is frozen.
func TestArt3_CatalogueLifecycle(t *testing.T) {
	t.Run("add an item: procedures normalised, quarter canonical", func(t *testing.T) {
		out, err := catFire(t, catFacts(CatalogueKindCatalogue, CatDraft), clerk, CatEvAddItem, itemData("票价调整"))
		if err != nil {
			t.Fatal(err)
		}
		it := out.Item
		if it.Planned != "2026-Q3" || it.Position != 1 || it.UndertakingUnit != "市交通运输局" || !it.Hearing {
			t.Errorf("item = %+v", it)
		}
		want := []string{ProcPublicComment, ProcExpertReview, ProcLegalityReview, ProcCollectiveDecision}
		if len(it.Procedures) != len(want) {
			t.Fatalf("procedures = %v, want %v", it.Procedures, want)
		}
		for i := range want {
			if it.Procedures[i] != want[i] {
				t.Errorf("procedures = %v, want %v", it.Procedures, want)
			}
		}
		if ProceduresZH(it.Procedures) != "公开征求意见、专家论证、合法性审查、集体讨论决定" {
			t.Errorf("procedures ZH = %s", ProceduresZH(it.Procedures))
		}
	})
	t.Run("完成情况 is never typed; unknown fields are refused", func(t *testing.T) {
		d := itemData("票价调整")
		d["completion"] = "已完成"
		_, err := catFire(t, catFacts(CatalogueKindCatalogue, CatDraft), clerk, CatEvAddItem, d)
		refusedField(t, err, "completion")
		_, err = catFire(t, catFacts(CatalogueKindCatalogue, CatDraft, catItem(1, "票价调整")), clerk, CatEvApprove,
			M{"held_on": gToday, "meeting_ref": "第5次常务会议", "internal_note": "不宜公开"})
		refusedField(t, err, "internal_note")
	})
	t.Run("bad planned time, unit of no organ, duplicate name", func(t *testing.T) {
		d := itemData("票价调整")
		d["planned"] = "2026-Q5"
		_, err := catFire(t, catFacts(CatalogueKindCatalogue, CatDraft), clerk, CatEvAddItem, d)
		refusedField(t, err, "planned")
		d = itemData("票价调整")
		d["undertaking_unit_id"] = 1 // the organ itself
		_, err = catFire(t, catFacts(CatalogueKindCatalogue, CatDraft), clerk, CatEvAddItem, d)
		refusedField(t, err, "undertaking_unit_id")
		_, err = catFire(t, catFacts(CatalogueKindCatalogue, CatDraft, catItem(1, "票价调整")), clerk, CatEvAddItem, itemData(" 票价调整 "))
		refusedField(t, err, "name")
	})
	t.Run("a unit proposes only its own items", func(t *testing.T) {
		if _, err := catFire(t, catFacts(CatalogueKindCatalogue, CatDraft), catDrafter, CatEvAddItem, itemData("票价调整")); err != nil {
			t.Fatalf("own unit: %v", err)
		}
		d := itemData("票价调整")
		d["undertaking_unit_id"] = 4
		_, err := catFire(t, catFacts(CatalogueKindCatalogue, CatDraft), catDrafter, CatEvAddItem, d)
		refusedRule(t, err, "unit_not_undertaking")
		_, err = catFire(t, catFacts(CatalogueKindCatalogue, CatDraft), catDrafter, CatEvApprove, M{"held_on": gToday, "meeting_ref": "第5次常务会议"})
		refused(t, err, CodeForbidden)
	})
	t.Run("approve needs an item", func(t *testing.T) {
		_, err := catFire(t, catFacts(CatalogueKindCatalogue, CatDraft), clerk, CatEvApprove, M{"held_on": gToday, "meeting_ref": "第5次常务会议"})
		refused(t, err, CodeCatalogueItemsRequired)
	})
	t.Run("approve: meeting not in the future", func(t *testing.T) {
		_, err := catFire(t, catFacts(CatalogueKindCatalogue, CatDraft, catItem(1, "票价调整")), clerk, CatEvApprove, M{"held_on": gTomorrow, "meeting_ref": "第5次常务会议"})
		refusedField(t, err, "held_on")
		out, err := catFire(t, catFacts(CatalogueKindCatalogue, CatDraft, catItem(1, "票价调整")), clerk, CatEvApprove, M{"held_on": gToday, "meeting_ref": "第5次常务会议"})
		if err != nil || out.To != CatApproved {
			t.Fatalf("approve: %v %+v", err, out)
		}
	})
	pub := M{"published_on": gToday, "doc_no": "西政〔2026〕3号", "channels": A{M{"kind": "website", "ref": "https://www.xining.gov.cn/"}}}
	t.Run("publish without party consent: refused", func(t *testing.T) {
		for _, s := range []CatalogueState{CatDraft, CatApproved} {
			_, err := catFire(t, catFacts(CatalogueKindCatalogue, s, catItem(1, "票价调整")), clerk, CatEvPublish, pub)
			mentions(t, refused(t, err, CodePartyConsentRequired), "第三条", "党委同意")
		}
	})
	t.Run("consent before the meeting: refused; consent from draft: invalid_transition", func(t *testing.T) {
		_, err := catFire(t, catFacts(CatalogueKindCatalogue, CatApproved, catItem(1, "票价调整")), clerk, CatEvConsent, M{"consented_on": "2026-02-09", "doc_no": "西委〔2026〕2号"})
		refusedField(t, err, "consented_on")
		_, err = catFire(t, catFacts(CatalogueKindCatalogue, CatDraft, catItem(1, "票价调整")), clerk, CatEvConsent, M{"consented_on": "2026-02-21", "doc_no": "西委〔2026〕2号"})
		refused(t, err, CodeInvalidTransition)
	})
	t.Run("publication dated before the consent: refused", func(t *testing.T) {
		p := M{"published_on": "2026-02-19", "doc_no": "西政〔2026〕3号", "channels": pub["channels"]}
		_, err := catFire(t, catFacts(CatalogueKindCatalogue, CatPartyConsented, catItem(1, "票价调整")), clerk, CatEvPublish, p)
		refused(t, err, CodePartyConsentRequired)
	})
	t.Run("document number format", func(t *testing.T) {
		for _, bad := range []string{"西政〔2026〕05号", "西政[2026]5号", "西政〔2026〕第5号", "2026年5号"} {
			p := M{"published_on": gToday, "doc_no": bad, "channels": pub["channels"]}
			_, err := catFire(t, catFacts(CatalogueKindCatalogue, CatPartyConsented, catItem(1, "票价调整")), clerk, CatEvPublish, p)
			refusedField(t, err, "doc_no")
		}
	})
	t.Run("publish after consent: allowed", func(t *testing.T) {
		out, err := catFire(t, catFacts(CatalogueKindCatalogue, CatPartyConsented, catItem(1, "票价调整")), clerk, CatEvPublish, pub)
		if err != nil || out.To != CatPublished {
			t.Fatalf("publish: %v", err)
		}
	})
	t.Run("a published version is frozen", func(t *testing.T) {
		f := catFacts(CatalogueKindCatalogue, CatPublished, catItem(1, "票价调整"))
		for _, ev := range []struct {
			name string
			data M
		}{{CatEvAddItem, itemData("新事项")}, {CatEvChangeItem, M{"item_id": 1, "name": "改名"}}, {CatEvRemoveItem, M{"item_id": 1}}, {CatEvPublish, pub}} {
			_, err := catFire(t, f, clerk, ev.name, ev.data)
			e := refused(t, err, CodeInvalidTransition)
			if e.Rule != "catalogue_frozen" {
				t.Errorf("%s: rule %q", ev.name, e.Rule)
			}
			mentions(t, e, "已公布", "adjustment")
		}
	})
}

// Art. 3 ¶3 (根据实际情况调整): an adjustment's every change has its reason,
// an adjustment changes something, and removing an item listed before keeps
// it in the version as removed, with the reason.
func TestArt3_CatalogueAdjustment(t *testing.T) {
	adj := func() *CatalogueFacts {
		return catFacts(CatalogueKindAdjustment, CatDraft, catItem(1, "票价调整"), catItem(2, "停车收费"))
	}
	t.Run("no reason: refused", func(t *testing.T) {
		_, err := catFire(t, adj(), clerk, CatEvRemoveItem, M{"item_id": 2})
		refused(t, err, CodeReasonRequired)
		_, err = catFire(t, adj(), clerk, CatEvAddItem, itemData("新事项"))
		refused(t, err, CodeReasonRequired)
		_, err = catFire(t, adj(), clerk, CatEvChangeItem, M{"item_id": 1, "planned": "2026-Q4"})
		refused(t, err, CodeReasonRequired)
	})
	t.Run("remove with a reason: kept as removed", func(t *testing.T) {
		out, err := catFire(t, adj(), clerk, CatEvRemoveItem, M{"item_id": 2, "reason": "上级已统一部署"})
		if err != nil {
			t.Fatal(err)
		}
		if out.Item == nil || out.Item.Change != ChangeRemoved || out.Item.ChangeReason != "上级已统一部署" || out.DeleteItemID != 0 {
			t.Errorf("outcome = %+v", out)
		}
	})
	t.Run("change with a reason", func(t *testing.T) {
		out, err := catFire(t, adj(), clerk, CatEvChangeItem, M{"item_id": 1, "planned": "2026-12-31", "reason": "测算延后"})
		if err != nil {
			t.Fatal(err)
		}
		if out.Item.Change != ChangeChanged || out.Item.Planned != "2026-12-31" || out.Item.Name != "票价调整" {
			t.Errorf("outcome = %+v", out.Item)
		}
	})
	t.Run("approve an unchanged adjustment: refused", func(t *testing.T) {
		_, err := catFire(t, adj(), clerk, CatEvApprove, M{"held_on": gToday, "meeting_ref": "第9次常务会议"})
		refused(t, err, CodeCatalogueAdjustmentEmpty)
	})
	t.Run("removing from a first-version draft deletes the entry", func(t *testing.T) {
		out, err := catFire(t, catFacts(CatalogueKindCatalogue, CatDraft, catItem(1, "票价调整")), clerk, CatEvRemoveItem, M{"item_id": 1})
		if err != nil || out.DeleteItemID != 1 || out.Item != nil {
			t.Fatalf("remove: %v %+v", err, out)
		}
	})
}

func TestPlannedTimes(t *testing.T) {
	for in, want := range map[string]string{"2026-06-30": "2026年6月30日", "2026-Q3": "2026年第三季度", "2026年第四季度": "2026年第四季度", "2026年第1季度": "2026年第一季度"} {
		p, ok := ParsePlanned(in)
		if !ok || p.ZH() != want {
			t.Errorf("%s: %v %s, want %s", in, ok, p.ZH(), want)
		}
	}
	p, _ := ParsePlanned("2026-Q3")
	if FormatDate(p.Due()) != "2026-09-30" {
		t.Errorf("Q3 due %s", FormatDate(p.Due()))
	}
	p, _ = ParsePlanned("2026-Q4")
	if FormatDate(p.Due()) != "2026-12-31" {
		t.Errorf("Q4 due %s", FormatDate(p.Due()))
	}
	for _, bad := range []string{"2026-Q0", "2026-13-01", "明年", ""} {
		if _, ok := ParsePlanned(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}

// 完成情况 derived from the decisions' states, never typed.
func TestCatalogueCompletionDerived(t *testing.T) {
	today := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	it := catItem(1, "票价调整") // planned 2026-Q3: past on 2026-11-20
	dec := func(s State) []CatalogueDecision {
		return []CatalogueDecision{{ID: 5, State: s, PublishedOn: "2026-08-01"}}
	}
	cases := []struct {
		ds      []CatalogueDecision
		removal *CatalogueRemoval
		code    string
		late    bool
		text    string
	}{
		{nil, nil, CompletionNotStarted, true, "未启动（已逾期）"},
		{dec(StProposed), nil, CompletionNotStarted, true, "未启动（已逾期）"},
		{dec(StLegalityReview), nil, CompletionInProgress, true, "推进中（合法性审查，已逾期）"},
		{dec(StInExecution), nil, CompletionCompleted, false, "已完成（执行中，2026年8月1日公布）"},
		{dec(StCompleted), nil, CompletionCompleted, false, "已完成（执行完毕，2026年8月1日公布）"},
		{dec(StRejected), nil, CompletionEnded, true, "未完成（未通过，已逾期）"},
		{dec(StWithdrawn), &CatalogueRemoval{VersionNo: 2, DocNo: "西政〔2026〕9号", Reason: "上级统一部署"}, CompletionRemoved, false, "已调出目录（上级统一部署；西政〔2026〕9号）"},
		{append(dec(StSuperseded), CatalogueDecision{ID: 6, State: StDrafting}), nil, CompletionCompleted, false, "已完成（重大调整另行决策，2026年8月1日公布）"},
	}
	for _, c := range cases {
		got := DeriveCompletion(it, c.removal, c.ds, today)
		if got.Code != c.code || got.Late != c.late || got.Text != c.text {
			t.Errorf("%v: got %s late=%v %q, want %s late=%v %q", c.ds, got.Code, got.Late, got.Text, c.code, c.late, c.text)
		}
	}
	future := it
	future.Planned = "2026-12-31"
	if c := DeriveCompletion(future, nil, nil, today); c.Late || c.Text != "未启动" {
		t.Errorf("not yet due: %+v", c)
	}
	r := BuildPlanReport([]YearItem{{Item: it}, {Item: future, Decisions: dec(StDrafting)}, {Item: catItem(3, "调出"), Removal: &CatalogueRemoval{Reason: "x"}}},
		[]CatalogueDecision{{ID: 9, Title: "目录外决策", State: StDrafting}}, today)
	if len(r.NotLaunched) != 1 || len(r.Overdue) != 1 || len(r.Withdrawn) != 1 || len(r.Unlisted) != 1 || r.Counts["items"] != 3 || r.Items[2].No != 3 {
		t.Errorf("report = %+v", r)
	}
}

func linkedFacts(t *testing.T, state State, item *CatalogueItemFacts) *Facts {
	f := newFacts(t, state)
	f.Decision.CatalogueItemID = i64(item.ItemID)
	f.CatalogueItems = map[int64]*CatalogueItemFacts{item.ItemID: item}
	return f
}

// Art. 3 ¶3: a decision of a published catalogue is withdrawn only with
// the document number of the published adjustment that removed its item.
func TestArt3_WithdrawAgainstTheCatalogue(t *testing.T) {
	item := func(published bool, removal *CatalogueRemoval) *CatalogueItemFacts {
		return &CatalogueItemFacts{ItemID: 12, OrganID: 1, Year: 2026, Name: "票价调整", Published: published, Removal: removal}
	}
	removal := &CatalogueRemoval{VersionNo: 2, DocNo: "西政〔2026〕9号", Reason: "上级统一部署"}
	t.Run("catalogue not yet published: no reference needed", func(t *testing.T) {
		mustAllow(t, linkedFacts(t, StDrafting, item(false, nil)), clerk, EvWithdraw, M{"reason": "情况变化"})
	})
	t.Run("published, not removed: refused even with a reference", func(t *testing.T) {
		_, err := fire(t, linkedFacts(t, StDrafting, item(true, nil)), clerk, EvWithdraw, M{"reason": "情况变化", "catalogue_adjustment_ref": "西政〔2026〕9号"})
		mentions(t, refused(t, err, CodeCatalogueAdjustmentRequired), "票价调整", "调出")
	})
	t.Run("removed, wrong reference: refused naming the right one", func(t *testing.T) {
		_, err := fire(t, linkedFacts(t, StDrafting, item(true, removal)), clerk, EvWithdraw, M{"reason": "情况变化", "catalogue_adjustment_ref": "随便写的"})
		mentions(t, refused(t, err, CodeCatalogueAdjustmentRequired), "西政〔2026〕9号", "随便写的")
	})
	t.Run("removed, the adjustment's document number: allowed", func(t *testing.T) {
		mustAllow(t, linkedFacts(t, StDrafting, item(true, removal)), clerk, EvWithdraw, M{"reason": "情况变化", "catalogue_adjustment_ref": "西政〔2026〕9号"})
	})
}

// The item's requirements become the decision's flags; an item that does
// not exist is refused naming the field; a published item's link holds.
func TestCatalogueLinkSetsFlags(t *testing.T) {
	item := &CatalogueItemFacts{ItemID: 12, OrganID: 1, Year: 2026, Name: "票价调整", Hearing: true,
		Procedures: NormProcedures([]string{ProcPublicComment, ProcExpertReview, ProcRiskAssessment})}
	f := newFacts(t, StDrafting)
	f.CatalogueItems = map[int64]*CatalogueItemFacts{12: item}
	out := mustAllow(t, f, clerk, EvAmendFlags, M{"category": "public_policy", "catalogue_item_id": 12, "reason": "列入年度目录"})
	if fl := out.Flags; fl == nil || !fl.HearingRequired || !fl.Technical || !fl.RiskRelevant || *fl.CatalogueItemID != 12 {
		t.Fatalf("flags = %+v", out.Flags)
	}
	_, err := fire(t, f, clerk, EvAmendFlags, M{"category": "public_policy", "catalogue_item_id": 99, "reason": "列入年度目录"})
	refusedField(t, err, "catalogue_item_id")
	_, err = fire(t, f, clerk, EvAmendFlags, M{"category": "public_policy", "catalogue_item_id": 12, "non_disclosable": true, "reason": "x"})
	refusedField(t, err, "non_disclosable")

	fl := Flags{CatalogueItemID: i64(12)}
	other := *item
	other.OrganID = 2
	if _, err := LinkCatalogueItem(&fl, 1, &other); err == nil {
		t.Error("another organ's item linked")
	}

	pub := *item
	pub.Published = true
	g := linkedFacts(t, StDrafting, &pub)
	_, err = fire(t, g, clerk, EvAmendFlags, M{"category": "public_policy", "reason": "取消关联"})
	refused(t, err, CodeCatalogueAdjustmentRequired)
	out = mustAllow(t, g, clerk, EvAmendFlags, M{"category": "public_policy", "catalogue_item_id": 12, "technical": false, "reason": "改类别"})
	if !out.Flags.Technical {
		t.Error("the item's expert review requirement was dropped")
	}
}

// Art. 16: a hearing item completes participation only after its hearing.
func TestArt16_HearingItemHoldsItsHearing(t *testing.T) {
	f := newFacts(t, StPublicParticipation)
	f.Decision.HearingRequired = true
	addRec(t, f, EvStartParticipation, participationData("2026-09-01", "2026-10-08"), drafter)
	_, err := fire(t, f, drafter, EvCompleteParticipation, adoptionData())
	mentions(t, refused(t, err, CodeHearingRequired), "听证")
	addRec(t, f, EvRecordHearing, M{"held_on": "2026-09-20", "materials_delivered_on": "2026-09-10", "participants": A{"市民代表"}, "record_signed": true}, drafter)
	mustAllow(t, f, drafter, EvCompleteParticipation, adoptionData())
}

// A decision's publication names its document number in the form of GB/T 9704.
func TestPublishDocNoFormat(t *testing.T) {
	f := newFacts(t, StDecided)
	approved(t, f, true)
	data := M{"channels": A{M{"kind": "website", "on": gToday, "ref": "https://www.xining.gov.cn/"}}, "doc_no": "西政〔2026〕05号"}
	_, err := fire(t, f, clerk, EvPublish, data)
	refusedField(t, err, "doc_no")
	data["doc_no"] = "西政〔2026〕5号"
	mustAllow(t, f, clerk, EvPublish, data)
}
