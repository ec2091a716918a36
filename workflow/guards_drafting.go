package workflow

import (
	"fmt"
	"strings"
)

// Drafting (决策草案拟订), Art. 13, and the undertaking unit's internal
// legal check (Art. 25: never the review body's opinion).

// consultationUnitsExist: each department consulted is named — an existing
// unit or organ (a lower government) by unit_id, or by name.
func consultationUnitsExist(f *Facts, a *Act) error {
	var inv Invalid
	for i, d := range objs(a.Data, "departments") {
		n := id(d, "unit_id")
		if _, ok := f.Units[n]; n != 0 && !ok {
			inv.Add(fmt.Sprintf("departments[%d].unit_id", i), "所指单位不存在", "no such unit")
		}
		if n == 0 && str(d, "name") == "" {
			inv.Add(fmt.Sprintf("departments[%d]", i), "请填写协商单位（unit_id 或 name）", "name the department consulted (unit_id or name)")
		}
	}
	return inv.Err()
}

// concernedUnitsExist: the departments concerned a decision declares are
// existing units or organs.
func concernedUnitsExist(f *Facts, a *Act) error {
	var inv Invalid
	for i, n := range ids(a.Data, "concerned_units") {
		if _, ok := f.Units[n]; !ok {
			inv.Add(fmt.Sprintf("concerned_units[%d]", i), "所指单位不存在", "no such unit")
		}
	}
	return inv.Err()
}

// consultationResolved: Art. 13 — 不能取得一致意见的，应当向决策机关说明争议的
// 主要问题，有关单位的意见，决策承办单位的意见、理由和依据. A department that
// did not agree needs the resolution: how the disagreement was resolved, or
// what is reported to the organ.
func consultationResolved(f *Facts, a *Act) error {
	var bad []string
	for i, d := range objs(a.Data, "departments") {
		if !boolean(d, "agreed") && str(d, "resolution") == "" {
			bad = append(bad, fmt.Sprintf("departments[%d]「%s」", i, departmentName(f, d)))
		}
	}
	if len(bad) > 0 {
		return RuleError(CodeConsultationUnresolved, "Art. 13",
			"《重大行政决策程序暂行条例》第十三条：与有关单位不能取得一致意见的，应当向决策机关说明争议的主要问题、有关单位的意见以及承办单位的意见、理由和依据；请登记分歧的处理或报告情况（resolution）："+strings.Join(bad, "、"),
			"Art. 13: a disagreement with a department concerned is resolved or reported to the organ with the issues, both sides' views and reasons; record it (resolution): "+strings.Join(bad, ", "))
	}
	return nil
}

func departmentName(f *Facts, d map[string]any) string {
	if n := id(d, "unit_id"); n != 0 {
		return f.Units[n].Name
	}
	return str(d, "name")
}

// consultedNotFuture: a consultation recorded as held is not in the future.
func consultedNotFuture(f *Facts, a *Act) error {
	return notFuture(f, "consulted_on", date(a.Data, "consulted_on"), "协商日期", "consulted_on")
}

// consultedUnits returns the departments concerned (the decision's
// concerned_units) that no record_consultation of the current pass names.
func unconsultedUnits(f *Facts) []int64 {
	done := map[int64]bool{}
	for i := range currentRound(f) {
		r := &currentRound(f)[i]
		if r.Event != EvRecordConsultation {
			continue
		}
		for _, d := range objs(recordData(r), "departments") {
			done[id(d, "unit_id")] = true
		}
	}
	var missing []int64
	for _, u := range f.Decision.ConcernedUnits {
		if !done[u] {
			missing = append(missing, u)
		}
	}
	return missing
}

// consultationsDone: Art. 13 — when the decision declares the departments
// concerned (concerned_units), each is consulted (record_consultation in
// the current pass) before the draft goes to the legality review.
func consultationsDone(f *Facts, a *Act) error {
	missing := unconsultedUnits(f)
	if len(missing) == 0 {
		return nil
	}
	names := make([]string, len(missing))
	for i, u := range missing {
		names[i] = f.Units[u].Name
		if names[i] == "" {
			names[i] = fmt.Sprintf("#%d", u)
		}
	}
	return RuleError(CodeConsultationRequired, "Art. 13",
		"《重大行政决策程序暂行条例》第十三条：决策事项涉及有关部门、下一级人民政府等单位职责的，决策承办单位应当与其充分协商；尚未登记与以下单位的协商情况（record_consultation）："+quoteList(names),
		"Art. 13: the departments concerned must be consulted before the legality submission; no consultation is recorded with: "+strings.Join(names, ", "))
}

// internalCheckNotFuture: the undertaking unit's internal check is recorded
// as done. It is a record of its own and never the legality opinion.
func internalCheckNotFuture(f *Facts, a *Act) error {
	return notFuture(f, "checked_on", date(a.Data, "checked_on"), "内部合法性审核日期", "checked_on")
}

// hearingHeld: Art. 16 and QH (八) — when the notice chose a hearing as a
// method of participation, or the decision's catalogue item requires one
// (hearing_required), or the rule pack requires one for the decision's
// category, a hearing is recorded (record_hearing) after the notice of the
// current pass before participation completes.
func hearingHeld(f *Facts, a *Act) error {
	round := currentRound(f)
	start := -1
	for i := range round {
		if round[i].Event == EvStartParticipation {
			start = i
		}
	}
	var why []packItem
	if start >= 0 && contains(texts(recordData(&round[start]), "methods"), "hearing") {
		why = append(why, packItem{"公开征求意见公告选择了听证会方式", "the notice chose a hearing as a method"})
	}
	if f.Decision.HearingRequired {
		why = append(why, packItem{"本决策事项在年度目录中列为需要听证", "the decision's catalogue item requires a hearing"})
	}
	if contains(f.Rules.HearingRequiredCategories, f.Decision.Category) {
		why = append(why, packItem{"规则包要求此类决策召开听证会", "the rule pack requires a hearing for this category"})
	}
	if len(why) == 0 {
		return nil
	}
	for i := start + 1; i < len(round); i++ {
		if round[i].Event == EvRecordHearing {
			return nil
		}
	}
	return RuleError(CodeHearingRequired, "Art. 16; QH (八)",
		"《重大行政决策程序暂行条例》第十六条：决策事项需要召开听证会的，应当召开听证会（"+why[0].zh+"）；尚未登记听证会（record_hearing），不能结束公众参与",
		"Art. 16; QH (8): a hearing must be held ("+why[0].en+"); no hearing is recorded (record_hearing), so participation cannot be completed")
}

// partyReplied: Art. 31 — 按照规定向同级党委请示报告. Where the rule pack
// requires the Party committee's reply for the decision's category
// (party_reply_required_categories), publication waits for a report that
// records the reply; otherwise the report suffices (partyReported).
func partyReplied(f *Facts, a *Act) error {
	if !contains(f.Rules.PartyReplyRequiredCategories, f.Decision.Category) {
		return nil
	}
	for i := range f.Records {
		if r := &f.Records[i]; r.Event == EvReportToParty && str(recordData(r), "reply") != "" {
			return nil
		}
	}
	return RuleError(CodePartyReplyRequired, "Art. 31",
		"《重大行政决策程序暂行条例》第三十一条：重大行政决策出台前应当按照规定向同级党委请示报告；规则包「"+f.Rules.Code+"」要求此类决策取得党委批复后方可公布，请登记党委的批复（report_to_party 的 reply）",
		"Art. 31: the rule pack "+f.Rules.Code+" requires the Party committee's reply for this category before publication; record the reply (report_to_party.reply)")
}
