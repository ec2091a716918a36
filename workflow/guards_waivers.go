package workflow

import "fmt"

// Waivers stay lawful until the meeting. A stage may be waived only where
// the law allows it (Art. 14, 19, 22; QH (八)), and the flags or the rule
// pack in force may change afterwards. Amending the flags re-checks every
// waiver of the current pass: one that has become unlawful sends the
// decision back to that stage (and the legality review done since no longer
// counts). The meeting pack (Art. 29) re-checks every waiver against the
// flags and the rule pack in force, so an unlawful waiver never reaches the
// meeting.

// waiverRule is one stage that may be waived.
type waiverRule struct {
	waive   string
	stage   []string // the stage's events: a later one replaces the waiver
	back    State    // where the stage starts again
	lawful  Guard
	article string
	zh, en  string
}

var waiverRules = []waiverRule{
	{EvWaiveParticipation, []string{EvStartParticipation, EvCompleteParticipation}, StDrafting, participationWaiver, "Art. 14", "公众参与", "public participation"},
	{EvWaiveExpertReview, []string{EvCompleteExpertReview}, StExpertReview, expertWaiver, "Art. 19 ¶1", "专家论证", "expert review"},
	{EvWaiveRiskAssessment, []string{EvCompleteRiskAssessment}, StRiskAssessment, riskWaiver, "Art. 22 ¶1; QH (八)", "风险评估", "risk assessment"},
}

// mainLine is the order of the stages before the meeting.
var mainLine = []State{StProposed, StDrafting, StPublicParticipation, StExpertReview, StRiskAssessment, StLegalityReview, StCollectiveDecision}

func stageIndex(s State) int {
	for i, x := range mainLine {
		if x == s {
			return i
		}
	}
	return len(mainLine)
}

// unlawfulWaiver returns the earliest waiver of the current pass that the
// flags and rule pack of f no longer allow, with the refusal its rule gives.
func unlawfulWaiver(f *Facts) (*waiverRule, *Record, *Error) {
	round := currentRound(f)
	for i := range waiverRules {
		w := &waiverRules[i]
		r := lastOf(round, append([]string{w.waive}, w.stage...)...)
		if r == nil || r.Event != w.waive || stageIndex(w.back) >= stageIndex(f.Decision.State) {
			continue
		}
		if err := w.lawful(f, &Act{Event: w.waive, Data: map[string]any{}}); err != nil {
			e, _ := AsError(err)
			return w, r, e
		}
	}
	return nil, nil, nil
}

// recheckWaivers (amend_flags): with the new flags, a waiver of the current
// pass that is no longer lawful sends the decision back to its stage; the
// act is recorded with a warning (waiver_revoked) and data.sent_back.
func recheckWaivers(f *Facts, a *Act, o *Outcome) {
	if o.Flags == nil {
		return
	}
	g := *f
	g.Decision.Flags = *o.Flags
	w, r, why := unlawfulWaiver(&g)
	if w == nil {
		return
	}
	o.To = w.back
	o.ResetLegality = true
	o.Data["sent_back"] = map[string]any{"stage": w.back, "waiver_record_id": r.ID, "waiver_event": w.waive}
	warn(o, WarnWaiverRevoked, w.article,
		fmt.Sprintf("变更后的决策属性使第%d号记录中的免于%s不再合法（%s），决策退回%s阶段重新办理，此前的合法性审查不再有效", r.ID, w.zh, why.ZH, w.zh),
		fmt.Sprintf("with the amended flags the waiver of %s (record %d) is no longer lawful (%s); the decision goes back to that stage and the legality review since no longer counts", w.en, r.ID, why.EN))
}

// waiversStillLawful (Art. 29, in the meeting pack): every waiver of the
// current pass is lawful under the flags and rule pack in force.
func waiversStillLawful(f *Facts) error {
	w, r, why := unlawfulWaiver(f)
	if w == nil {
		return nil
	}
	return RuleError(CodeWaiverNoLongerLawful, "Art. 29; "+w.article,
		fmt.Sprintf("《重大行政决策程序暂行条例》第二十九条：报送决策机关讨论的材料须依法完备；第%d号记录中的免于%s按现行决策属性和规则包已不合法（%s），不能提交讨论；请办公厅重新核定决策属性（amend_flags），决策将退回%s阶段",
			r.ID, w.zh, why.ZH, w.zh),
		fmt.Sprintf("Art. 29: the waiver of %s (record %d) is no longer lawful under the flags and rule pack in force (%s); the draft cannot go to the meeting. The office records the flags again (amend_flags), which sends the decision back to that stage",
			w.en, r.ID, why.EN))
}
