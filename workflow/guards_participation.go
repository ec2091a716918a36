package workflow

import (
	"fmt"
	"strings"
)

// Public participation (公众参与), Art. 14–18. The comment period itself
// (Art. 15) and the waiver (Art. 14 ¶1) are in guards.go.

var (
	noticeDraftRequired          = draftRequired("Art. 15 ¶1", "第十五条：公开征求意见应当公布决策草案及其说明等材料")
	participationAdoptionReasons = adoptionReasons("Art. 18",
		"第十八条：应当对社会各方面提出的意见进行归纳整理、研究论证，充分采纳合理意见")
)

// draftRequired: a stage that works on the draft needs one — the notice
// publishes it (Art. 15 ¶1: 公布决策草案及其说明等材料), the legality
// submission hands it over (Art. 26 ¶1: 应当提供决策草案). zh is the rule as
// the clerk reads it.
func draftRequired(article, zh string) Guard {
	return func(f *Facts, a *Act) error {
		if f.Decision.CurrentDraftHash == "" {
			return RuleError(CodeDraftRequired, article,
				"《重大行政决策程序暂行条例》"+zh+"；尚未登记决策草案，请先修改草案（登记草案文本）",
				article+": no draft has been recorded yet; record the draft text first (revise_draft)")
		}
		return nil
	}
}

// hearingHeldNotFuture: a hearing recorded as held is not dated in the
// future (PROCEDURE.md § Time).
func hearingHeldNotFuture(f *Facts, a *Act) error {
	return notFuture(f, "held_on", date(a.Data, "held_on"), "听证会召开日期", "held_on")
}

// hearingNotice: Art. 16 ¶3 — 听证会材料应当于召开听证会7日前送达听证参加人.
// Delivered exactly HearingNoticeDays calendar days before the hearing is
// enough; one day later is not.
func hearingNotice(f *Facts, a *Act) error {
	held, delivered := date(a.Data, "held_on"), date(a.Data, "materials_delivered_on")
	n := f.Rules.HearingNoticeDays
	if n == 0 {
		n = MinHearingNoticeDays
	}
	if d := DaysBetween(delivered, held); d < n {
		return RuleError(CodeHearingNoticeTooShort, "Art. 16 ¶3",
			fmt.Sprintf("《重大行政决策程序暂行条例》第十六条：听证会材料应当于召开听证会%d日前送达听证参加人；听证会%s召开，材料最迟应于%s送达，实际%s送达",
				n, FormatDate(held), FormatDate(held.AddDate(0, 0, -n)), FormatDate(delivered)),
			fmt.Sprintf("Art. 16 ¶3: hearing materials must reach the participants at least %d days before the hearing; for a hearing on %s they were due by %s but were delivered on %s",
				n, FormatDate(held), FormatDate(held.AddDate(0, 0, -n)), FormatDate(delivered)))
	}
	return nil
}

// hearingRecordSigned: Art. 17 (三) — 听证参加人确认听证会记录并签字.
func hearingRecordSigned(f *Facts, a *Act) error {
	if !boolean(a.Data, "record_signed") {
		return RuleError(CodeHearingRecordUnsigned, "Art. 17 (三)",
			"《重大行政决策程序暂行条例》第十七条：听证参加人应当确认听证会记录并签字；记录未经签字确认的，不能登记听证会",
			"Art. 17 (3): the hearing participants must confirm and sign the hearing record; an unsigned record cannot be entered")
	}
	return nil
}

// commentPeriodClosed: Art. 15 — participation is not completed while the
// public comment period announced in the notice is still open. The period
// runs to the end of its closing day (China time), so completion is
// possible from the next day (today > closes_on).
func commentPeriodClosed(f *Facts, a *Act) error {
	r := lastOf(currentRound(f), EvStartParticipation)
	if r == nil {
		return nil
	}
	closes := date(obj(recordData(r), "notice"), "closes_on")
	if !closes.IsZero() && !f.Today().After(closes) {
		next := closes.AddDate(0, 0, 1)
		return RuleError(CodeCommentPeriodOpen, "Art. 15",
			fmt.Sprintf("《重大行政决策程序暂行条例》第十五条：公开征求意见期限至%s（含当日）截止，期限届满前不能结束公众参与；%s起方可结束（今天是%s）", FormatDate(closes), FormatDate(next), FormatDate(f.Today())),
			fmt.Sprintf("Art. 15: the public comment period runs to the end of %s; participation can be completed from %s (today is %s)", FormatDate(closes), FormatDate(next), FormatDate(f.Today())))
	}
	return nil
}

// adoptionReasons: Art. 18 (and Art. 29 (二)(三) for the meeting pack) — the
// adoption report states for each main opinion whether it was adopted, and
// why not when it was not (充分采纳合理意见; 研究采纳情况).
func adoptionReasons(article, zh string) Guard {
	return func(f *Facts, a *Act) error {
		var missing []string
		for i, op := range objs(a.Data, "adoption_report") {
			if !boolean(op, "adopted") && str(op, "reason") == "" {
				missing = append(missing, fmt.Sprintf("adoption_report[%d]「%s」", i, str(op, "opinion")))
			}
		}
		if len(missing) > 0 {
			return RuleError(CodeAdoptionReasonRequired, article,
				"《重大行政决策程序暂行条例》"+zh+"；未采纳的意见须逐条说明理由："+strings.Join(missing, "、"),
				article+": each opinion not adopted needs the reason it was not adopted: "+strings.Join(missing, ", "))
		}
		return nil
	}
}

// groupConsultation: Art. 14 ¶3 — 决策事项涉及特定群体利益的，决策承办单位应当与
// 相关人民团体、社会组织以及群众代表进行沟通协商. When the decision affects a
// specific group, completing participation needs the record of that
// consultation: data.group_consultation {parties[], held_on, summary}.
func groupConsultation(f *Facts, a *Act) error {
	if !f.Decision.AffectsSpecificGroup {
		return nil
	}
	gc := obj(a.Data, "group_consultation")
	if gc == nil {
		return RuleError(CodeGroupConsultationRequired, "Art. 14 ¶3",
			"《重大行政决策程序暂行条例》第十四条第三款：决策事项涉及特定群体利益的，应当与相关人民团体、社会组织以及群众代表沟通协商；请登记沟通协商情况（group_consultation：参加方、日期、情况）",
			"Art. 14 ¶3: the decision affects a specific group, so the consultation with the people's organisations, social organisations and representatives of that group must be recorded (group_consultation: parties, held_on, summary)")
	}
	return notFuture(f, "group_consultation.held_on", date(gc, "held_on"), "沟通协商日期", "the consultation date")
}
