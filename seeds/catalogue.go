package seeds

import (
	"context"
	"fmt"

	"decisiond/store"
	"decisiond/workflow"
)

// The demo's annual catalogue: 西宁市人民政府's 2026 catalogue of major
// decisions (eight items) published in February, and an adjustment
// published in September that removes one item (its decision is then
// withdrawn citing the adjustment), adds one and moves one's planned time.
// Every act goes through the store like a clerk's (CreateCatalogueVersion,
// ApplyCatalogue), as the demo office.

// DemoCatalogueYear is the year of the demo catalogue.
const DemoCatalogueYear = 2026

// Demo catalogue documents (文号): the catalogue's and the adjustment's
// publication notices.
const (
	DemoCatalogueDocNo  = "西政〔2026〕8号"
	DemoAdjustmentDocNo = "西政〔2026〕52号"
)

// Item names of the demo catalogue that tests refer to.
const (
	ItemFare        = "西宁市城市公共交通票价调整方案"
	ItemParking     = "西宁市城市停车收费管理办法"
	ItemOldHousing  = "西宁市老旧小区改造三年行动计划"
	ItemTransport   = "西宁市城市综合交通体系规划（2026—2035年）"
	ItemRideHailing = "西宁市网络预约出租汽车经营服务管理实施细则"
	ItemDebris      = "西宁市建筑垃圾管理办法"
	ItemSchools     = "西宁市义务教育学校布局专项规划"
	ItemTaxiFare    = "西宁市出租汽车运价调整方案"
	ItemFunds       = "西宁市市级财政专项资金管理办法"
)

// TaxiRemovalReason is why the adjustment removes the taxi-fare item.
const TaxiRemovalReason = "《青海省定价目录》修订后，出租汽车运价不再实行政府定价，本事项不再作为重大行政决策事项"

type demoItem struct {
	name, unit, basis string
	procedures        []string
	hearing           bool
	planned, note     string
}

var allProcedures = []string{workflow.ProcPublicComment, workflow.ProcExpertReview, workflow.ProcRiskAssessment}

var demoItems = []demoItem{
	{ItemFare, "西宁市交通运输局", "《中华人民共和国价格法》第二十三条；《政府制定价格听证办法》", allProcedures, true, "2026-Q3", "列入听证事项目录"},
	{ItemParking, "西宁市交通运输局", "《中华人民共和国价格法》；《青海省定价目录》", allProcedures, false, "2026-06-30", ""},
	{ItemOldHousing, "西宁市住房和城乡建设局", "《国务院办公厅关于全面推进城镇老旧小区改造工作的指导意见》（国办发〔2020〕23号）",
		[]string{workflow.ProcPublicComment, workflow.ProcRiskAssessment}, false, "2026-Q2", ""},
	{ItemTransport, "西宁市交通运输局", "《中华人民共和国城乡规划法》；《城市综合交通体系规划标准》（GB/T 51328-2018）", allProcedures, false, "2026-Q3", ""},
	{ItemRideHailing, "西宁市交通运输局", "《网络预约出租汽车经营服务管理暂行办法》", allProcedures, false, "2026-Q2", ""},
	{ItemDebris, "西宁市住房和城乡建设局", "《中华人民共和国固体废物污染环境防治法》；《城市建筑垃圾管理规定》",
		[]string{workflow.ProcPublicComment, workflow.ProcRiskAssessment}, false, "2026-12-31", ""},
	{ItemSchools, "西宁市教育局", "《中华人民共和国义务教育法》第十五条", allProcedures, false, "2026-Q3", "涉及学校撤并的，依法组织听证"},
	{ItemTaxiFare, "西宁市交通运输局", "《中华人民共和国价格法》第二十三条；《青海省定价目录》", allProcedures, true, "2026-Q4", "列入听证事项目录"},
}

// demoDate is a fixed date of the demo catalogue, or today when the clock is
// earlier (a declared date is never in the future).
func (e *Env) demoDate(s string) string {
	d, _ := workflow.ParseDate(s)
	if d.After(e.Today) {
		d = e.Today
	}
	return workflow.FormatDate(d)
}

// DemoData is what the demo loaded: decisions by title, catalogue items by
// name, and the catalogue's version ids in order.
type DemoData struct {
	*Fixture
	Decisions map[string]int64
	Items     map[string]int64
	Versions  []int64
}

func (dd *DemoData) catalogueAct(ctx context.Context, db *store.DB, v *workflow.CatalogueVersion, event string, data map[string]any) (*store.CatalogueResult, error) {
	res, err := db.ApplyCatalogue(ctx, v.ID, workflow.Act{Event: event, Data: Data(data), Actor: dd.Actors["office"]}, v.Version)
	if err != nil {
		return nil, fmt.Errorf("catalogue %s: %w", event, err)
	}
	*v = res.Version
	return res, nil
}

// publishSteps approves, consents to and publishes a catalogue version.
func (dd *DemoData) publishSteps(ctx context.Context, db *store.DB, v *workflow.CatalogueVersion, meeting, held, consentNo, consented, docNo, published string) error {
	steps := []struct {
		event string
		data  map[string]any
	}{
		{workflow.CatEvApprove, map[string]any{"held_on": dd.demoDate(held), "meeting_ref": meeting, "meeting_type": "executive"}},
		{workflow.CatEvConsent, map[string]any{"consented_on": dd.demoDate(consented), "doc_no": consentNo}},
		{workflow.CatEvPublish, map[string]any{"published_on": dd.demoDate(published), "doc_no": docNo, "channels": []map[string]any{
			{"kind": "website", "ref": "https://www.xining.gov.cn/zwgk/zdxzjc/"}, {"kind": "gazette", "ref": "《西宁市人民政府公报》2026年第2期"}}}},
	}
	for _, s := range steps {
		if _, err := dd.catalogueAct(ctx, db, v, s.event, s.data); err != nil {
			return err
		}
	}
	return nil
}

// publishCatalogue compiles, approves, consents to and publishes the demo
// catalogue (version 1).
func (dd *DemoData) publishCatalogue(ctx context.Context, db *store.DB) error {
	res, err := db.CreateCatalogueVersion(ctx, dd.Actors["office"], dd.Units[DemoOrgan], DemoCatalogueYear)
	if err != nil {
		return fmt.Errorf("demo catalogue: %w", err)
	}
	v := res.Version
	for _, it := range demoItems {
		res, err := dd.catalogueAct(ctx, db, &v, workflow.CatEvAddItem, map[string]any{"name": it.name, "undertaking_unit_id": dd.Units[it.unit],
			"basis": it.basis, "procedures": it.procedures, "hearing": it.hearing, "planned": it.planned, "note": it.note})
		if err != nil {
			return err
		}
		for _, x := range res.Version.Items {
			if x.Name == it.name {
				dd.Items[it.name] = x.ItemID
			}
		}
	}
	dd.Versions = append(dd.Versions, v.ID)
	return dd.publishSteps(ctx, db, &v, "市政府2026年第1次常务会议", "2026-01-20", "西办字〔2026〕6号", "2026-02-05", DemoCatalogueDocNo, "2026-02-10")
}

// adjustCatalogue publishes the adjustment (version 2) and withdraws the
// decision of the item it removes, citing it.
func (dd *DemoData) adjustCatalogue(ctx context.Context, db *store.DB) error {
	res, err := db.CreateCatalogueVersion(ctx, dd.Actors["office"], dd.Units[DemoOrgan], DemoCatalogueYear)
	if err != nil {
		return fmt.Errorf("demo adjustment: %w", err)
	}
	v := res.Version
	acts := []struct {
		event string
		data  map[string]any
	}{
		{workflow.CatEvRemoveItem, map[string]any{"item_id": dd.Items[ItemTaxiFare], "reason": TaxiRemovalReason}},
		{workflow.CatEvChangeItem, map[string]any{"item_id": dd.Items[ItemTransport], "planned": "2026-12-31",
			"reason": "规划编制须与国土空间总体规划衔接，完成时间顺延"}},
		{workflow.CatEvAddItem, map[string]any{"name": ItemFunds, "undertaking_unit_id": dd.Units["西宁市财政局"], "basis": "《中华人民共和国预算法》；《中华人民共和国预算法实施条例》",
			"procedures": []string{workflow.ProcPublicComment, workflow.ProcExpertReview}, "hearing": false, "planned": "2026-12-31",
			"reason": "市委全面深化改革委员会部署的年度改革任务，新增列入目录"}},
	}
	for _, a := range acts {
		r, err := dd.catalogueAct(ctx, db, &v, a.event, a.data)
		if err != nil {
			return err
		}
		for _, x := range r.Version.Items {
			if x.Name == ItemFunds {
				dd.Items[ItemFunds] = x.ItemID
			}
		}
	}
	dd.Versions = append(dd.Versions, v.ID)
	if err := dd.publishSteps(ctx, db, &v, "市政府2026年第18次常务会议", "2026-09-15", "西办字〔2026〕41号", "2026-09-25", DemoAdjustmentDocNo, "2026-09-30"); err != nil {
		return err
	}
	id := dd.Decisions[taxiTitle]
	d, err := db.Decision(ctx, store.System, id)
	if err != nil {
		return err
	}
	_, err = db.Apply(ctx, id, workflow.Act{Event: workflow.EvWithdraw, Actor: dd.Actors["office"],
		Data: Data(map[string]any{"reason": "目录调整后不再作为重大行政决策事项办理", "catalogue_adjustment_ref": DemoAdjustmentDocNo})}, d.Version)
	if err != nil {
		return fmt.Errorf("withdraw %s: %w", taxiTitle, err)
	}
	return nil
}

// WithHearing inserts the hearing of a hearing item (Art. 16–17) after the
// start of public participation.
func WithHearing(steps []Step) []Step {
	var out []Step
	for _, s := range steps {
		out = append(out, s)
		if s.Event == workflow.EvStartParticipation {
			out = append(out, Step{"drafter", workflow.EvRecordHearing, func(e *Env) map[string]any {
				return map[string]any{"held_on": e.day(-60), "materials_delivered_on": e.day(-70),
					"participants": []string{"消费者代表", "经营者代表", "人大代表", "政协委员", "专家学者"}, "record_signed": true}
			}})
		}
	}
	return out
}

// WithDocNo gives the publication its document number (发文字号).
func WithDocNo(steps []Step, docNo string) []Step {
	out := make([]Step, len(steps))
	for i, s := range steps {
		out[i] = s
		if s.Event == workflow.EvPublish {
			inner := s.Data
			out[i].Data = func(e *Env) map[string]any {
				m := inner(e)
				m["doc_no"] = docNo
				return m
			}
		}
	}
	return out
}

const (
	transportTitle   = "西宁市城市综合交通体系规划（2026—2035年）"
	rideHailingTitle = "西宁市网络预约出租汽车经营服务管理实施细则"
	taxiTitle        = "西宁市出租汽车运价调整方案"
)

// catalogueDecisions are the demo decisions opened for catalogue items
// beyond the first six.
var catalogueDecisions = []demoDecision{
	{title: transportTitle, item: ItemTransport,
		flags: map[string]any{"category": "major_plan", "domains": []string{"交通运输"}, "technical": true, "risk_relevant": true},
		steps: []Step{launch("西宁市交通运输局"), draft("西宁市城市综合交通体系规划（2026—2035年）（初稿）……")}},
	{title: rideHailingTitle, item: ItemRideHailing,
		flags: map[string]any{"category": "public_policy", "domains": []string{"交通运输"}, "technical": true, "risk_relevant": true, "public_concern": true},
		steps: append(WithDocNo(concat([]Step{launch("西宁市交通运输局"), draft("西宁市网络预约出租汽车经营服务管理实施细则（草案）……")},
			FareSteps[2:]), "西政〔2026〕41号"), FareComplete)},
	{title: taxiTitle, item: ItemTaxiFare,
		flags: map[string]any{"category": "public_policy", "domains": []string{"交通运输"}, "public_concern": true},
		steps: []Step{launch("西宁市交通运输局"), draft("西宁市出租汽车运价调整方案（草案）……")}},
}
