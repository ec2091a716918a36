package workflow

import (
	"fmt"
	"strings"
)

// Expert review (专家论证), Art. 19–21, and risk assessment (风险评估),
// Art. 22–24 and QH (八).

var expertAdoptionReasons = adoptionReasons("Art. 29 (三)",
	"第二十九条：履行专家论证程序的，应当报送专家论证意见的研究采纳情况")

// expertWaiver: Art. 19 ¶1 — 对专业性、技术性较强的决策事项，决策承办单位应当
// 组织专家、专业机构论证. A decision marked technical cannot skip it.
func expertWaiver(f *Facts, a *Act) error {
	if f.Decision.Technical {
		return RuleError(CodeWaiverNotAllowed, "Art. 19 ¶1",
			"《重大行政决策程序暂行条例》第十九条：对专业性、技术性较强的决策事项，应当组织专家、专业机构论证；本决策已标记为专业性、技术性较强，不能免于专家论证",
			"Art. 19 ¶1: a decision marked technical must go through expert review; it cannot be waived")
	}
	return nil
}

// expertsIndependent: Art. 20 — 不得选择与决策事项有直接利害关系的专家、专业机构.
func expertsIndependent(f *Facts, a *Act) error {
	var bad []string
	for _, e := range objs(a.Data, "experts") {
		if boolean(e, "conflict_of_interest") {
			bad = append(bad, str(e, "name"))
		}
	}
	if len(bad) > 0 {
		return RuleError(CodeExpertConflict, "Art. 20",
			"《重大行政决策程序暂行条例》第二十条：不得选择与决策事项有直接利害关系的专家、专业机构；以下专家存在直接利害关系："+quoteList(bad),
			"Art. 20: experts with a direct interest in the decision may not take part: "+strings.Join(bad, ", "))
	}
	return nil
}

// expertOpinionsSigned: Art. 19 ¶2 — 提供书面论证意见的，应当署名、盖章.
func expertOpinionsSigned(f *Facts, a *Act) error {
	var bad []string
	for _, e := range objs(a.Data, "experts") {
		if !boolean(e, "signed") {
			bad = append(bad, str(e, "name"))
		}
	}
	if len(bad) > 0 {
		return RuleError(CodeExpertOpinionUnsigned, "Art. 19 ¶2",
			"《重大行政决策程序暂行条例》第十九条第二款：专家、专业机构提供书面论证意见的，应当署名、盖章；以下专家的论证意见未署名："+quoteList(bad),
			"Art. 19 ¶2: written expert opinions must be signed (and sealed); not signed: "+strings.Join(bad, ", "))
	}
	return nil
}

// differingExpertWarning: Art. 20 — 注重选择持不同意见的专家、专业机构. Not a
// refusal (the article asks for attention, not a quota): when no expert is
// recorded with differing_view = true, the act is recorded with a warning.
func differingExpertWarning(f *Facts, a *Act, o *Outcome) {
	for _, e := range objs(a.Data, "experts") {
		if boolean(e, "differing_view") {
			return
		}
	}
	warn(o, WarnNoDifferingExpert, "Art. 20",
		"《重大行政决策程序暂行条例》第二十条：选择专家应当注重选择持不同意见的专家、专业机构；本次论证未登记持不同意见的专家（differing_view），请在报送材料中说明",
		"Art. 20: experts holding differing views should be sought; no expert in this review is recorded with a differing view (differing_view)")
}

// riskReport: Art. 22–24. Either a reference to an assessment already made
// under other rules (Art. 22 ¶2: 已对有关风险进行评价、评估的，不作重复评估),
// or the full report: risk points, measures, contingency plan (Art. 23 ¶2),
// a grade and the controllability judgement (Art. 24). A risk judged not
// controllable is a finding, kept on the record by riskFinding.
func riskReport(f *Facts, a *Act) error {
	_, judged := a.Data["controllable"].(bool)
	if str(a.Data, "prior_assessment_ref") == "" {
		var inv Invalid
		if len(texts(a.Data, "risk_points")) == 0 {
			inv.Add("risk_points", "风险评估报告应当明确风险点（第二十三条），至少一项", "the report must name at least one risk point (Art. 23 ¶2)")
		}
		if len(texts(a.Data, "measures")) == 0 {
			inv.Add("measures", "风险评估报告应当提出风险防范措施（第二十三条），至少一项", "the report must propose at least one risk-prevention measure (Art. 23 ¶2)")
		}
		if str(a.Data, "contingency_plan") == "" {
			inv.Add("contingency_plan", "风险评估报告应当提出处置预案（第二十三条）", "the report must contain a contingency plan (Art. 23 ¶2)")
		}
		if str(a.Data, "grade") == "" {
			inv.Add("grade", "请填写风险等级（low / medium / high）", "the risk grade is required (low / medium / high)")
		}
		if !judged {
			inv.Add("controllable", "请填写风险是否可控的评估结论（第二十四条）", "the controllability judgement is required (Art. 24)")
		}
		if err := inv.Err(); err != nil {
			return err
		}
	}
	return nil
}

// isRiskFinding reports whether r is a risk assessment that found the risk
// not controllable: recorded, but the decision stayed in risk assessment.
func isRiskFinding(r *Record) bool {
	return r != nil && r.Event == EvCompleteRiskAssessment && r.From == r.To
}

// riskFinding: Art. 24 — 风险评估结果认为风险不可控的，应当采取调整决策草案等
// 措施确保风险可控. A risk judged not controllable is a finding, not a retry:
// the assessment is kept on the record (data.finding), the decision stays in
// risk assessment, and the act answers 422 risk_not_controllable.
func riskFinding(f *Facts, a *Act, o *Outcome) {
	if _, judged := a.Data["controllable"].(bool); !judged || boolean(a.Data, "controllable") {
		return
	}
	o.To = o.From
	o.Data["finding"] = CodeRiskNotControllable
	o.Refusal = RuleError(CodeRiskNotControllable, "Art. 24",
		"《重大行政决策程序暂行条例》第二十四条：风险评估结论为风险不可控，不能进入合法性审查；评估结论已记录在案，请采取调整决策草案等措施（修改草案）确保风险可控后，重新进行风险评估",
		"Art. 24: the risk was judged not controllable; the finding is kept on the record. Revise the draft (revise_draft) so that the risk is controllable, then assess it again")
}

// riskReassessment: Art. 24 — after a finding that the risk is not
// controllable, a new assessment needs a revised draft: assessing the same
// draft again until the answer changes is refused.
func riskReassessment(f *Facts, a *Act) error {
	if r := f.Last(EvCompleteRiskAssessment); isRiskFinding(r) && r.DraftHash == f.Decision.CurrentDraftHash {
		return RuleError(CodeRiskReassessmentNeedsDraft, "Art. 24",
			fmt.Sprintf("《重大行政决策程序暂行条例》第二十四条：第%d号记录已认定本草案的风险不可控，须采取调整决策草案等措施后重新评估；草案尚未修改，不能对同一草案重新评估", r.ID),
			fmt.Sprintf("Art. 24: record %d found the risk of this very draft not controllable; revise the draft before assessing it again", r.ID))
	}
	return nil
}

// riskFindingOpen: Art. 24 — a risk found not controllable is answered by a
// revised draft and an assessment that finds it controllable, never by
// waiving the assessment (whatever the flags say since).
func riskFindingOpen(f *Facts, a *Act) error {
	if r := f.Last(EvCompleteRiskAssessment); isRiskFinding(r) {
		return RuleError(CodeRiskNotControllable, "Art. 24",
			fmt.Sprintf("《重大行政决策程序暂行条例》第二十四条：第%d号记录认定风险不可控，须调整草案并重新评估确认风险可控，不能免于风险评估", r.ID),
			fmt.Sprintf("Art. 24: record %d found the risk not controllable; the draft is revised and assessed again, the assessment cannot be waived", r.ID))
	}
	return nil
}

// riskWaiver: Art. 22 ¶1 — a decision whose implementation may harm social
// stability or public safety (marked risk_relevant) is assessed; QH (八) —
// 涉及生态环境保护、安全生产……等事项的，实行决策风险评估全覆盖: a decision in a
// domain on the rule pack's mandatory list is always assessed.
func riskWaiver(f *Facts, a *Act) error {
	if f.Decision.RiskRelevant {
		return RuleError(CodeWaiverNotAllowed, "Art. 22 ¶1",
			"《重大行政决策程序暂行条例》第二十二条：决策实施可能对社会稳定、公共安全等方面造成不利影响的，应当组织评估决策草案的风险可控性；本决策已标记为涉及风险，不能免于风险评估",
			"Art. 22 ¶1: the decision is marked risk-relevant, so its risk must be assessed; the assessment cannot be waived")
	}
	if d, ok := f.Rules.RiskDomainMandatory(f.Decision.Domains); ok {
		pack := f.Rules.Name
		if pack == "" {
			pack = f.Rules.Code
		}
		return RuleError(CodeWaiverNotAllowed, "QH (八)",
			fmt.Sprintf("《青海省法治政府建设实施方案（2021—2025年）》四（八）：涉及「%s」等事项的，实行决策风险评估全覆盖（规则包：%s），不能免于风险评估", d, pack),
			fmt.Sprintf("QH (8): decisions in the domain %q must always be risk-assessed under the rule pack %q; the assessment cannot be waived", d, f.Rules.Code))
	}
	return nil
}
