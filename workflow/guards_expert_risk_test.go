package workflow

import (
	"testing"
)

// Expert review, Art. 19–20; risk assessment, Art. 22–24 and QH (八).

// Art. 19 ¶1: a technical decision must be reviewed by experts.
func TestArt19_ExpertReviewWaiverRefusedWhenTechnical(t *testing.T) {
	t.Run("technical: refused even with a reason", func(t *testing.T) {
		f := newFacts(t, StExpertReview)
		f.Decision.Technical = true
		_, err := fire(t, f, drafter, EvWaiveExpertReview, M{"reason": "时间紧"})
		mentions(t, refused(t, err, CodeWaiverNotAllowed), "第十九条", "Art. 19")
	})
	t.Run("not technical, with a reason: allowed", func(t *testing.T) {
		out := mustAllow(t, newFacts(t, StExpertReview), drafter, EvWaiveExpertReview, M{"reason": "不涉及专业性、技术性问题"})
		if out.To != StRiskAssessment {
			t.Errorf("to = %s", out.To)
		}
	})
	t.Run("not technical, no reason: reason_required", func(t *testing.T) {
		_, err := fire(t, newFacts(t, StExpertReview), drafter, EvWaiveExpertReview, M{})
		refused(t, err, CodeReasonRequired)
	})
}

// Art. 19–20: at least one expert.
func TestArt19_AtLeastOneExpert(t *testing.T) {
	t.Run("no expert: refused", func(t *testing.T) {
		d := expertData()
		d["experts"] = A{}
		_, err := fire(t, newFacts(t, StExpertReview), drafter, EvCompleteExpertReview, d)
		refusedField(t, err, "experts")
	})
	t.Run("one expert: allowed", func(t *testing.T) {
		d := expertData()
		d["experts"] = d["experts"].(A)[:1]
		mustAllow(t, newFacts(t, StExpertReview), drafter, EvCompleteExpertReview, d)
	})
}

// Art. 20: 不得选择与决策事项有直接利害关系的专家、专业机构.
func TestArt20_ExpertConflictOfInterest(t *testing.T) {
	t.Run("an expert with a direct interest: refused, naming the expert", func(t *testing.T) {
		d := expertData()
		d["experts"].(A)[1].(M)["conflict_of_interest"] = true
		_, err := fire(t, newFacts(t, StExpertReview), drafter, EvCompleteExpertReview, d)
		mentions(t, refused(t, err, CodeExpertConflict), "第二十条", "赵某")
	})
	t.Run("no expert with an interest: allowed", func(t *testing.T) {
		mustAllow(t, newFacts(t, StExpertReview), drafter, EvCompleteExpertReview, expertData())
	})
}

// Art. 19 ¶2: 提供书面论证意见的，应当署名、盖章.
func TestArt19_ExpertOpinionsSigned(t *testing.T) {
	t.Run("an unsigned opinion: refused, naming the expert", func(t *testing.T) {
		d := expertData()
		d["experts"].(A)[0].(M)["signed"] = false
		_, err := fire(t, newFacts(t, StExpertReview), drafter, EvCompleteExpertReview, d)
		mentions(t, refused(t, err, CodeExpertOpinionUnsigned), "第十九条", "王某")
	})
	t.Run("all signed: allowed", func(t *testing.T) {
		mustAllow(t, newFacts(t, StExpertReview), drafter, EvCompleteExpertReview, expertData())
	})
}

// Art. 20: 注重选择持不同意见的专家 — a warning, not a refusal.
func TestArt20_WarningWhenNoDifferingExpert(t *testing.T) {
	t.Run("no differing view: allowed with a recorded warning", func(t *testing.T) {
		d := expertData()
		d["experts"].(A)[1].(M)["differing_view"] = false
		d["warnings"] = "sent by the client"
		out := mustAllow(t, newFacts(t, StExpertReview), drafter, EvCompleteExpertReview, d)
		if len(out.Warnings) != 1 || out.Warnings[0].Code != WarnNoDifferingExpert {
			t.Fatalf("warnings = %+v", out.Warnings)
		}
		ws, _ := out.Data["warnings"].([]any)
		if len(ws) != 1 || ws[0].(map[string]any)["code"] != WarnNoDifferingExpert || ws[0].(map[string]any)["article"] != "Art. 20" {
			t.Errorf("data.warnings = %#v", out.Data["warnings"])
		}
	})
	t.Run("one expert with a differing view: no warning", func(t *testing.T) {
		out := mustAllow(t, newFacts(t, StExpertReview), drafter, EvCompleteExpertReview, expertData())
		if len(out.Warnings) != 0 || out.Data["warnings"] != nil {
			t.Errorf("warnings = %+v, data %v", out.Warnings, out.Data["warnings"])
		}
	})
}

// Art. 29 (三): the expert adoption report gives the reason for each
// opinion not adopted.
func TestArt29_ExpertAdoptionReasons(t *testing.T) {
	t.Run("not adopted without a reason: refused", func(t *testing.T) {
		d := expertData()
		d["adoption_report"] = A{M{"opinion": "暂缓实施", "adopted": false}}
		_, err := fire(t, newFacts(t, StExpertReview), drafter, EvCompleteExpertReview, d)
		mentions(t, refused(t, err, CodeAdoptionReasonRequired), "第二十九条", "暂缓实施")
	})
	t.Run("with the reason: allowed", func(t *testing.T) {
		d := expertData()
		d["adoption_report"] = A{M{"opinion": "暂缓实施", "adopted": false, "reason": "群众出行需求迫切"}}
		mustAllow(t, newFacts(t, StExpertReview), drafter, EvCompleteExpertReview, d)
	})
}

// Art. 23 ¶2: 形成风险评估报告，明确风险点，提出风险防范措施和处置预案; Art. 24:
// the controllability judgement.
func TestArt23_RiskReportComplete(t *testing.T) {
	t.Run("an empty report: validation_failed naming each missing part", func(t *testing.T) {
		_, err := fire(t, newFacts(t, StRiskAssessment), drafter, EvCompleteRiskAssessment, M{"risk_points": A{}})
		e := refused(t, err, CodeValidationFailed)
		for _, field := range []string{"risk_points", "measures", "contingency_plan", "grade", "controllable"} {
			refusedField(t, e, field)
		}
	})
	for _, missing := range []string{"risk_points", "measures", "contingency_plan", "grade", "controllable"} {
		t.Run("without "+missing+": refused", func(t *testing.T) {
			d := riskData()
			delete(d, missing)
			_, err := fire(t, newFacts(t, StRiskAssessment), drafter, EvCompleteRiskAssessment, d)
			refusedField(t, err, missing)
		})
	}
	t.Run("the full report: allowed", func(t *testing.T) {
		out := mustAllow(t, newFacts(t, StRiskAssessment), drafter, EvCompleteRiskAssessment, riskData())
		if out.To != StLegalityReview {
			t.Errorf("to = %s", out.To)
		}
	})
}

// Art. 22 ¶2: 按照有关规定已对有关风险进行评价、评估的，不作重复评估.
func TestArt22_PriorAssessmentReused(t *testing.T) {
	t.Run("a prior assessment by reference: allowed without the report", func(t *testing.T) {
		mustAllow(t, newFacts(t, StRiskAssessment), drafter, EvCompleteRiskAssessment, M{"prior_assessment_ref": "市发改委社会稳定风险评估报告（2026）3号"})
	})
	t.Run("a prior assessment that found the risk uncontrollable: refused", func(t *testing.T) {
		out, err := fire(t, newFacts(t, StRiskAssessment), drafter, EvCompleteRiskAssessment,
			M{"prior_assessment_ref": "某评估报告", "controllable": false})
		keptFinding(t, out, err)
	})
}

// Art. 24: 认为风险不可控的，在采取调整决策草案等措施确保风险可控后，可以作出决策.
func TestArt24_RiskNotControllable(t *testing.T) {
	t.Run("not controllable: refused, asking for a revised draft", func(t *testing.T) {
		d := riskData()
		d["controllable"] = false
		out, err := fire(t, newFacts(t, StRiskAssessment), drafter, EvCompleteRiskAssessment, d)
		mentions(t, keptFinding(t, out, err), "第二十四条", "修改草案", "revise_draft")
	})
	t.Run("after the finding, the same draft assessed again: refused", func(t *testing.T) {
		f := newFacts(t, StRiskAssessment)
		d := riskData()
		d["controllable"] = false
		addFinding(t, f, d)
		_, err := fire(t, f, drafter, EvCompleteRiskAssessment, riskData())
		mentions(t, refused(t, err, CodeRiskReassessmentNeedsDraft), "第二十四条")
		_, err = fire(t, f, drafter, EvCompleteRiskAssessment, M{"prior_assessment_ref": "另一份评估报告"})
		refused(t, err, CodeRiskReassessmentNeedsDraft)
		_, err = fire(t, f, drafter, EvWaiveRiskAssessment, M{"reason": "影响小"})
		refused(t, err, CodeRiskNotControllable)
		// The draft is revised: assessing it again is allowed, and a
		// waiver still is not.
		f.Decision.CurrentDraftHash = draftHash2
		addRec(t, f, EvReviseDraft, M{"sha256": draftHash2}, drafter)
		_, err = fire(t, f, drafter, EvWaiveRiskAssessment, M{"reason": "影响小"})
		refused(t, err, CodeRiskNotControllable)
		mustAllow(t, f, drafter, EvCompleteRiskAssessment, riskData())
	})
	t.Run("controllable: allowed", func(t *testing.T) {
		mustAllow(t, newFacts(t, StRiskAssessment), drafter, EvCompleteRiskAssessment, riskData())
	})
}

// Art. 22 ¶1: a risk-relevant decision is assessed.
func TestArt22_RiskWaiverRefusedWhenRiskRelevant(t *testing.T) {
	t.Run("risk-relevant: refused", func(t *testing.T) {
		f := newFacts(t, StRiskAssessment)
		f.Decision.RiskRelevant = true
		_, err := fire(t, f, drafter, EvWaiveRiskAssessment, M{"reason": "影响小"})
		mentions(t, refused(t, err, CodeWaiverNotAllowed), "第二十二条")
	})
	t.Run("not risk-relevant, with a reason: allowed", func(t *testing.T) {
		mustAllow(t, newFacts(t, StRiskAssessment), drafter, EvWaiveRiskAssessment, M{"reason": "不涉及社会稳定、公共安全"})
	})
	t.Run("not risk-relevant, no reason: reason_required", func(t *testing.T) {
		_, err := fire(t, newFacts(t, StRiskAssessment), drafter, EvWaiveRiskAssessment, M{"reason": ""})
		refused(t, err, CodeReasonRequired)
	})
}

// QH (八): 涉及生态环境保护……等事项的，实行决策风险评估全覆盖. A decision in
// 生态环境保护 cannot waive risk assessment under the Qinghai pack; the same
// decision can under the national baseline when not risk-relevant.
func TestQH8_MandatoryRiskDomainCannotBeWaived(t *testing.T) {
	decision := func(pack RulePack, domains ...string) *Facts {
		f := newFacts(t, StRiskAssessment)
		f.Rules = pack
		f.Decision.Domains = domains
		return f
	}
	waiver := M{"reason": "已有同类评估"}
	t.Run("生态环境保护 under the Qinghai pack: refused, naming the domain", func(t *testing.T) {
		_, err := fire(t, decision(qinghaiPack(), "城乡建设", "生态环境保护"), drafter, EvWaiveRiskAssessment, waiver)
		e := refused(t, err, CodeWaiverNotAllowed)
		mentions(t, e, "生态环境保护", "青海")
		if e.Article != "QH (八)" {
			t.Errorf("article = %q", e.Article)
		}
	})
	t.Run("the same decision under the national baseline: allowed", func(t *testing.T) {
		mustAllow(t, decision(nationalPack(), "城乡建设", "生态环境保护"), drafter, EvWaiveRiskAssessment, waiver)
	})
	t.Run("a domain not on the Qinghai list: allowed", func(t *testing.T) {
		mustAllow(t, decision(qinghaiPack(), "城乡建设"), drafter, EvWaiveRiskAssessment, waiver)
	})
}

// keptFinding: the act answers risk_not_controllable, yet the outcome is
// kept (the state unchanged, data.finding set).
func keptFinding(t *testing.T, out *Outcome, err error) *Error {
	t.Helper()
	if err != nil {
		t.Fatalf("a finding is kept on the record, not refused outright: %v", err)
	}
	if out.Refusal == nil || out.Refusal.Code != CodeRiskNotControllable || out.To != out.From || out.Data["finding"] != CodeRiskNotControllable {
		t.Fatalf("want the finding kept with risk_not_controllable, got %+v", out)
	}
	return out.Refusal
}

// addFinding records an uncontrollable-risk finding on the current draft.
func addFinding(t *testing.T, f *Facts, d M) {
	t.Helper()
	addRec(t, f, EvCompleteRiskAssessment, d, drafter)
	f.Records[len(f.Records)-1].From, f.Records[len(f.Records)-1].To = StRiskAssessment, StRiskAssessment
}
