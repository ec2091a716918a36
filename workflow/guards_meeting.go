package workflow

import (
	"fmt"
	"strings"
)

// The meeting (集体讨论决定), Art. 29–30 and QH (九). The core invariant
// (Art. 25 ¶2) is legalityPassed in guards.go.

// packItem is one material of the Art. 29 meeting pack that is missing.
type packItem struct{ zh, en string }

// meetingPack: Art. 29 — 决策承办单位提交决策机关讨论决策草案，应当报送下列材料.
// The pack must be complete for the stages actually performed in the
// current pass (records after the last return_for_revision):
//
//	(一) the draft; the fair-competition review when the decision affects
//	     market entities' economic activity (affects_market →
//	     data.fair_competition_review);
//	(二) the adoption report of public opinions, if participation was
//	     performed (a lawful waiver is recorded instead);
//	(三) the adoption report of expert opinions, if expert review was
//	     performed (or its waiver);
//	(四) the risk assessment report (or the prior assessment it reuses), if
//	     risk was assessed (or its waiver);
//	(五) the legality opinion (legalityPassed checks it first).
func meetingPack(f *Facts, a *Act) error {
	if err := waiversStillLawful(f); err != nil {
		return err
	}
	var missing []packItem
	if u := unconsultedUnits(f); len(u) > 0 {
		missing = append(missing, packItem{fmt.Sprintf("与有关单位的协商情况（第十三条；尚有%d个单位未登记协商）", len(u)),
			fmt.Sprintf("the consultation of the departments concerned (Art. 13; %d not recorded)", len(u))})
	}
	round := currentRound(f)
	if f.Decision.CurrentDraftHash == "" {
		missing = append(missing, packItem{"决策草案（第二十九条第一项）", "the draft (Art. 29 (1))"})
	}
	if f.Decision.AffectsMarket && str(a.Data, "fair_competition_review") == "" {
		missing = append(missing, packItem{"公平竞争审查的有关情况（决策草案涉及市场主体经济活动，第二十九条第一项；fair_competition_review）",
			"the fair-competition review (the draft affects market entities, Art. 29 (1); fair_competition_review)"})
	}
	switch r := lastOf(round, EvCompleteParticipation, EvWaiveParticipation); {
	case r == nil:
		missing = append(missing, packItem{"公众参与记录：社会公众主要意见的研究采纳情况，或依法不予公开的免于公众参与记录（第二十九条第二项）",
			"the public participation record: the adoption report of public opinions, or the recorded waiver (Art. 29 (2))"})
	case r.Event == EvCompleteParticipation && len(objs(recordData(r), "adoption_report")) == 0:
		missing = append(missing, packItem{"社会公众提出的主要意见的研究采纳情况（第二十九条第二项）", "the adoption report of public opinions (Art. 29 (2))"})
	}
	switch r := lastOf(round, EvCompleteExpertReview, EvWaiveExpertReview); {
	case r == nil:
		missing = append(missing, packItem{"专家论证记录：专家论证意见的研究采纳情况，或免于专家论证的记录（第二十九条第三项）",
			"the expert review record: the adoption report of expert opinions, or the recorded waiver (Art. 29 (3))"})
	case r.Event == EvCompleteExpertReview && len(objs(recordData(r), "adoption_report")) == 0:
		missing = append(missing, packItem{"专家论证意见的研究采纳情况（第二十九条第三项）", "the adoption report of expert opinions (Art. 29 (3))"})
	}
	switch r := lastOf(round, EvCompleteRiskAssessment, EvWaiveRiskAssessment); {
	case r == nil:
		missing = append(missing, packItem{"风险评估记录：风险评估报告，或免于风险评估的记录（第二十九条第四项）",
			"the risk assessment record: the report, or the recorded waiver (Art. 29 (4))"})
	case r.Event == EvCompleteRiskAssessment:
		d := recordData(r)
		if str(d, "prior_assessment_ref") == "" && len(texts(d, "risk_points")) == 0 {
			missing = append(missing, packItem{"风险评估报告（第二十九条第四项）", "the risk assessment report (Art. 29 (4))"})
		}
	}
	if _, op := f.LatestOpinion(); op == nil {
		missing = append(missing, packItem{"合法性审查意见（第二十九条第五项）", "the legality opinion (Art. 29 (5))"})
	}
	if len(missing) == 0 {
		return nil
	}
	zh, en := make([]string, len(missing)), make([]string, len(missing))
	for i, m := range missing {
		zh[i], en[i] = m.zh, m.en
	}
	return RuleError(CodeMeetingPackIncomplete, "Art. 29",
		"《重大行政决策程序暂行条例》第二十九条：提交决策机关讨论决策草案，应当报送规定的材料；尚缺："+strings.Join(zh, "；"),
		"Art. 29: the meeting pack is incomplete; missing: "+strings.Join(en, "; "))
}

// meetingPackRecord records what the Art. 29 pack consists of in the
// submission's data ("meeting_pack"): the draft, the record of each stage,
// the legality opinion and — for an exploratory reform — its legal risk
// statement, which travels with the pack to the meeting (Art. 25 ¶2:
// 明示法律风险，提交决策机关讨论). The engine owns these keys.
func meetingPackRecord(f *Facts, a *Act, o *Outcome) {
	round := currentRound(f)
	stage := func(events ...string) any {
		r := lastOf(round, events...)
		if r == nil {
			return nil
		}
		return map[string]any{"event": r.Event, "record_id": r.ID}
	}
	pack := map[string]any{
		"draft_hash":           f.Decision.CurrentDraftHash,
		"public_participation": stage(EvCompleteParticipation, EvWaiveParticipation),
		"expert_review":        stage(EvCompleteExpertReview, EvWaiveExpertReview),
		"risk_assessment":      stage(EvCompleteRiskAssessment, EvWaiveRiskAssessment),
	}
	if s := str(a.Data, "fair_competition_review"); s != "" {
		pack["fair_competition_review"] = s
	}
	// Art. 13: the consultations of the departments concerned, with any
	// disagreement and how it was resolved or reported, go with the pack.
	consultations := []any{}
	for i := range round {
		if r := &round[i]; r.Event == EvRecordConsultation {
			consultations = append(consultations, map[string]any{"record_id": r.ID, "departments": recordData(r)["departments"]})
		}
	}
	pack["consultations"] = consultations
	delete(o.Data, "legal_risk_statement")
	if r, op := f.LatestOpinion(); op != nil {
		pack["legality_opinion"] = map[string]any{"record_id": r.ID, "outcome": op.Outcome, "draft_hash": op.DraftHash}
		if op.Outcome == OutcomeExploratoryWithRisk {
			pack["legal_risk_statement"] = op.RiskStatement
			o.Data["legal_risk_statement"] = op.RiskStatement
		}
	}
	o.Data["meeting_pack"] = pack
}

// meetingDecisions maps each event recorded with a meeting record to the
// words its record's "decision" may use (the event code, its Chinese name
// and common synonyms), compared after trimming and case folding.
var meetingDecisions = map[string][]string{
	EvApprove:           {EvApprove, "approved", "通过", "会议通过", "审议通过", "同意", "批准"},
	EvReturnForRevision: {EvReturnForRevision, "退回修改", "修改后再议", "修改完善后再议"},
	EvReject:            {EvReject, "rejected", "不通过", "未通过", "会议未通过", "不予通过", "否决"},
	EvPostpone:          {EvPostpone, "postponed", "暂缓", "暂缓决策", "暂缓审议"},
	EvResume:            {EvResume, "resumed", "恢复执行"},
	EvStop:              {EvStop, "stopped", "停止执行"},
	EvAdjust:            {EvAdjust, "adjusted", "调整", "重大调整", "重大调整（另行决策）", "另行决策"},
}

// motionCarried tells, for each meeting event, whether the head's decision
// adopts the motion before the meeting (the draft for a collective decision;
// the proposed resumption, stop or adjustment under Art. 37): approve,
// resume, stop and adjust adopt it ("agree"); reject, return_for_revision
// and postpone do not ("disagree").
var motionCarried = map[string]bool{
	EvApprove: true, EvResume: true, EvStop: true, EvAdjust: true,
	EvReject: false, EvReturnForRevision: false, EvPostpone: false,
}

// meetingRecord: Art. 30 — the meeting record of a collective decision (and
// of the Art. 37 resume / stop / adjust meetings).
//   - held_on is not in the future, and every speaker is an attendee
//     (集体讨论决定情况应当如实记录) → validation_failed;
//   - the record's decision is this act (approve ↔ "approve"/"通过" …)
//     → meeting_decision_mismatch;
//   - 会议组成人员应当充分发表意见，行政首长最后发表意见: the organ's head (by
//     the display name the organ's data gives, not the is_head flag)
//     speaks once and last → head_must_speak_last (meetingHead); every
//     attending member states one position, absences with their reason
//     (meetingPositions) → member_position_required;
//   - 行政首长在集体讨论的基础上作出决定: the head's own position agrees with
//     the decision → head_position_mismatch;
//   - 行政首长拟作出的决定与会议组成人员多数人的意见不一致的，应当在会上说明理由:
//     among the other members, agree and disagree are counted (abstentions
//     count for neither side; a tie is no majority); when the majority
//     differs from the head's decision, departure_reason is required
//     → departure_reason_required.
//
// Dissenting opinions are kept verbatim in the record (Art. 30 ¶3, 38 ¶3):
// no guard or effect rewrites them.
func meetingRecord(f *Facts, a *Act) error {
	m := obj(a.Data, "meeting")
	if m == nil {
		return nil // stop and adjust: meetingRequired refuses; elsewhere the field is required
	}
	if err := notFuture(f, "meeting.held_on", date(m, "held_on"), "会议召开日期", "meeting.held_on"); err != nil {
		return err
	}
	attendees := texts(m, "attendees")
	var inv Invalid
	ops := objs(m, "opinions")
	for i, op := range ops {
		member, found := str(op, "member"), false
		for _, at := range attendees {
			found = found || sameName(at, member)
		}
		if !found {
			inv.Add(fmt.Sprintf("meeting.opinions[%d].member", i),
				"发言人「"+member+"」不在出席人员名单中（第三十条：集体讨论决定情况应当如实记录）",
				"speaker "+member+" is not among the attendees (Art. 30 ¶3: the meeting is recorded as it happened)")
		}
	}
	if err := inv.Err(); err != nil {
		return err
	}

	def := eventDef(a.Event)
	decision := normName(str(m, "decision"))
	ok := false
	for _, w := range meetingDecisions[a.Event] {
		ok = ok || decision == normName(w)
	}
	if !ok {
		return RuleError(CodeMeetingDecisionMismatch, "Art. 30 ¶3",
			fmt.Sprintf("《重大行政决策程序暂行条例》第三十条：集体讨论决定情况应当如实记录；会议记录的决定「%s」与所办理的「%s」不一致（应为：%s）",
				str(m, "decision"), def.ZH, strings.Join(meetingDecisions[a.Event], "、")),
			fmt.Sprintf("Art. 30 ¶3: the meeting record's decision %q does not match the act %s (expected one of: %s)",
				str(m, "decision"), a.Event, strings.Join(meetingDecisions[a.Event], ", ")))
	}

	if err := meetingHead(f, a, m, ops); err != nil {
		return err
	}
	if err := meetingPositions(m, ops); err != nil {
		return err
	}
	headPos, want := str(ops[len(ops)-1], "position"), "disagree"
	if motionCarried[a.Event] {
		want = "agree"
	}
	if headPos != want {
		return RuleError(CodeHeadPositionMismatch, "Art. 30 ¶1",
			fmt.Sprintf("《重大行政决策程序暂行条例》第三十条：决策机关行政首长在集体讨论的基础上作出决定；会议记录中行政首长「%s」的意见为「%s」，与所作决定「%s」不一致（应为 %s）",
				f.HeadName, headPos, def.ZH, want),
			fmt.Sprintf("Art. 30 ¶1: the head (%s) decides; the head's own position %q does not agree with the decision %s (expected %q)",
				f.HeadName, headPos, a.Event, want))
	}

	agree, disagree := 0, 0
	for _, op := range ops[:len(ops)-1] {
		switch str(op, "position") {
		case "agree":
			agree++
		case "disagree":
			disagree++
		}
	}
	if agree == disagree || str(m, "departure_reason") != "" {
		return nil
	}
	majorityAgrees := agree > disagree
	if majorityAgrees != motionCarried[a.Event] {
		zhMaj, enMaj := "不同意", "disagreed"
		if majorityAgrees {
			zhMaj, enMaj = "同意", "agreed"
		}
		return RuleError(CodeDepartureReasonRequired, "Art. 30 ¶2",
			fmt.Sprintf("《重大行政决策程序暂行条例》第三十条：行政首长拟作出的决定与会议组成人员多数人的意见不一致的，应当在会上说明理由；会议组成人员%d人同意、%d人不同意（多数%s），决定为「%s」，请登记行政首长说明的理由（departure_reason）",
				agree, disagree, zhMaj, def.ZH),
			fmt.Sprintf("Art. 30 ¶2: the head's decision (%s) departs from the majority of the members (%d agreed, %d disagreed: the majority %s); the head's stated reason (departure_reason) is required",
				a.Event, agree, disagree, enMaj))
	}
	return nil
}

// meetingHead: Art. 30 ¶2 — 行政首长最后发表意见. The head is the organ's head
// as the organ's data names them (Facts.HeadName, matched by display name),
// not whoever carries a flag: the head speaks once, last. is_head is still
// accepted on the head's own opinion, but marking anyone else is refused.
func meetingHead(f *Facts, a *Act, m map[string]any, ops []map[string]any) error {
	head := f.HeadName
	if head == "" {
		return RuleError(CodeHeadMustSpeakLast, "Art. 30 ¶2",
			"《重大行政决策程序暂行条例》第三十条：行政首长最后发表意见；本决策机关尚未登记行政首长（机关数据），请系统管理员登记后再登记会议记录",
			"Art. 30 ¶2: the head speaks last; the organ names no head (organ data) — the system administrator records the head first")
	}
	var at []int
	for i, op := range ops {
		if sameName(str(op, "member"), head) {
			at = append(at, i)
		} else if boolean(op, "is_head") {
			return RuleError(CodeHeadMustSpeakLast, "Art. 30 ¶2",
				fmt.Sprintf("《重大行政决策程序暂行条例》第三十条：行政首长最后发表意见；本机关的行政首长是「%s」，会议记录却将「%s」的意见标记为行政首长的意见（is_head）", head, str(op, "member")),
				fmt.Sprintf("Art. 30 ¶2: the organ's head is %s, but the record marks %s's opinion as the head's (is_head)", head, str(op, "member")))
		}
	}
	switch {
	case len(at) == 0:
		return RuleError(CodeHeadMustSpeakLast, "Art. 30 ¶2",
			fmt.Sprintf("《重大行政决策程序暂行条例》第三十条：会议组成人员充分发表意见后，行政首长最后发表意见；会议记录中没有本机关行政首长「%s」的意见", head),
			fmt.Sprintf("Art. 30 ¶2: the head speaks last; the record has no opinion of the organ's head %s", head))
	case len(at) > 1 || at[0] != len(ops)-1:
		return RuleError(CodeHeadMustSpeakLast, "Art. 30 ¶2",
			fmt.Sprintf("《重大行政决策程序暂行条例》第三十条：会议组成人员应当充分发表意见，行政首长最后发表意见；行政首长「%s」的意见排在第%d位（共%d条），应当只发言一次且在最后", head, at[0]+1, len(ops)),
			fmt.Sprintf("Art. 30 ¶2: the head (%s) must speak once and last, but spoke in position %d of %d", head, at[0]+1, len(ops)))
	}
	return nil
}

// meetingPositions: Art. 30 ¶2–3 — 会议组成人员应当充分发表意见; 集体讨论决定
// 情况应当如实记录. Every attending member (attendees, less observers)
// states one position; a member who did not attend is recorded under
// absences with the reason. A member is not both absent and speaking, and
// no one's position is counted twice.
func meetingPositions(m map[string]any, ops []map[string]any) error {
	var inv Invalid
	spoke := map[string]int{}
	for i, op := range ops {
		n := normName(str(op, "member"))
		if _, dup := spoke[n]; dup {
			inv.Add(fmt.Sprintf("meeting.opinions[%d].member", i),
				"「"+str(op, "member")+"」的意见重复登记：每位会议组成人员只登记一次意见（第三十条：如实记录）",
				str(op, "member")+" has two opinions: each member's position is recorded once (Art. 30 ¶3)")
		}
		spoke[n] = i
	}
	for i, ab := range objs(m, "absences") {
		if _, ok := spoke[normName(str(ab, "member"))]; ok {
			inv.Add(fmt.Sprintf("meeting.absences[%d].member", i),
				"「"+str(ab, "member")+"」登记为缺席，却有发言记录", str(ab, "member")+" is recorded both as absent and as speaking")
		}
	}
	if err := inv.Err(); err != nil {
		return err
	}
	observers := texts(m, "observers")
	var silent []string
	for _, at := range texts(m, "attendees") {
		isObserver := false
		for _, o := range observers {
			isObserver = isObserver || sameName(o, at)
		}
		if _, ok := spoke[normName(at)]; !ok && !isObserver {
			silent = append(silent, at)
		}
	}
	if len(silent) > 0 {
		return RuleError(CodeMemberPositionRequired, "Art. 30 ¶2",
			"《重大行政决策程序暂行条例》第三十条：会议组成人员应当充分发表意见；以下出席的会议组成人员没有登记意见（列席人员请列入 observers，缺席人员请列入 absences 并说明理由）："+quoteList(silent),
			"Art. 30 ¶2: every attending member states a position; none is recorded for (list observers under observers, absent members under absences with the reason): "+strings.Join(silent, ", "))
	}
	return nil
}

// eventDef returns the definition of an event in eventTable.
func eventDef(name string) EventDef {
	for _, e := range eventTable {
		if e.Name == name {
			return e
		}
	}
	return EventDef{Name: name, ZH: name, EN: name}
}

// executionArrangements: QH (九) — 决策机关应当在决策中明确执行主体、执行时限、
// 执行反馈 (and Art. 34: 明确决策执行单位). The execution units exist as units,
// and the time limit falls after the meeting.
func executionArrangements(f *Facts, a *Act) error {
	ex := obj(a.Data, "execution")
	var inv Invalid
	for i, x := range list(ex, "units") {
		n, _ := asID(x)
		if u, ok := f.Units[n]; !ok || u.Kind != "unit" {
			inv.Add(fmt.Sprintf("execution.units[%d]", i), "所指执行单位不存在（QH（九）：明确执行主体）", "no such unit (QH (9): the executing units are named)")
		}
	}
	held, limit := date(obj(a.Data, "meeting"), "held_on"), date(ex, "time_limit")
	if !limit.After(held) {
		inv.Add("execution.time_limit",
			"执行时限应晚于会议召开日期"+FormatDate(held)+"（QH（九）：明确执行时限）",
			"the time limit must be after the meeting date "+FormatDate(held)+" (QH (9))")
	}
	return inv.Err()
}
