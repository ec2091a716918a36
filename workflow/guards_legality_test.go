package workflow

import (
	"testing"
	"time"
)

// Legality review, Art. 25–28, and the meeting pack, Art. 29.

// Art. 26 ¶1: 送请合法性审查，应当提供决策草案及相关材料，包括有关法律、法规、规章
// 等依据和履行决策法定程序的说明等.
func TestArt26_SubmissionMaterials(t *testing.T) {
	t.Run("draft not enclosed: refused", func(t *testing.T) {
		d := submissionData("2026-11-02", "2026-11-11")
		d["materials"].(M)["draft"] = false
		_, err := fire(t, newFacts(t, StLegalityReview), drafter, EvSubmitLegalityReview, d)
		mentions(t, refused(t, err, CodeLegalityMaterialsIncomplete), "第二十六条")
	})
	t.Run("no legal basis listed: refused", func(t *testing.T) {
		d := submissionData("2026-11-02", "2026-11-11")
		d["materials"].(M)["legal_basis"] = A{}
		_, err := fire(t, newFacts(t, StLegalityReview), drafter, EvSubmitLegalityReview, d)
		refusedField(t, err, "materials.legal_basis")
	})
	t.Run("no explanation of the procedures performed: refused", func(t *testing.T) {
		d := submissionData("2026-11-02", "2026-11-11")
		delete(d["materials"].(M), "procedure_explanation")
		_, err := fire(t, newFacts(t, StLegalityReview), drafter, EvSubmitLegalityReview, d)
		refusedField(t, err, "materials.procedure_explanation")
	})
	t.Run("no draft recorded at all: refused", func(t *testing.T) {
		f := newFacts(t, StLegalityReview)
		f.Decision.CurrentDraftHash = ""
		_, err := fire(t, f, drafter, EvSubmitLegalityReview, submissionData("2026-11-02", "2026-11-11"))
		refused(t, err, CodeDraftRequired)
	})
	t.Run("complete: allowed, bound to the current draft", func(t *testing.T) {
		out := mustAllow(t, newFacts(t, StLegalityReview), drafter, EvSubmitLegalityReview, submissionData("2026-11-02", "2026-11-11"))
		if out.DraftHash != draftHash1 || out.To != StLegalityReview {
			t.Errorf("draft hash %q, to %s", out.DraftHash, out.To)
		}
	})
}

// Art. 26 ¶2: 一般不少于7个工作日 — review_due_on on or after the 7th working
// day after submitted_on. Submitted 2026-09-29: 09-30 (1), National Day
// 10-01…10-07 off, 10-08 (2), 10-09 (3), adjusted Saturday 10-10 (4),
// 10-12 (5), 10-13 (6), 10-14 (7).
func TestArt26_ReviewTimeSevenWorkingDays(t *testing.T) {
	tests := []struct {
		name           string
		submitted, due string
		urgent         string
		code           string
		earliest       string // named in the refusal
	}{
		{"2026-09-29 → 10-13 (the 6th working day): refused", "2026-09-29", "2026-10-13", "", CodeReviewTimeTooShort, "2026-10-14"},
		{"2026-09-29 → 10-14 (the 7th working day): accepted", "2026-09-29", "2026-10-14", "", "", ""},
		{"ordinary week: 11-02 → 11-10 refused", "2026-11-02", "2026-11-10", "", CodeReviewTimeTooShort, "2026-11-11"},
		{"ordinary week: 11-02 → 11-11 accepted", "2026-11-02", "2026-11-11", "", "", ""},
		{"urgent reason recorded: 10-13 accepted", "2026-09-29", "2026-10-13", "防汛应急需要，须于国庆后立即实施", "", ""},
		{"urgent, but due before submission: malformed", "2026-09-29", "2026-09-28", "紧急", CodeValidationFailed, ""},
		{"submitted tomorrow: malformed", gTomorrow, "2026-12-31", "", CodeValidationFailed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := submissionData(tt.submitted, tt.due)
			if tt.urgent != "" {
				d["urgent_reason"] = tt.urgent
			}
			out, err := fire(t, newFacts(t, StLegalityReview), drafter, EvSubmitLegalityReview, d)
			switch tt.code {
			case "":
				allowed(t, out, err)
			case CodeValidationFailed:
				refused(t, err, CodeValidationFailed)
			default:
				mentions(t, refused(t, err, tt.code), "第二十六条", tt.earliest)
			}
		})
	}
	t.Run("a year not loaded: calendar_year_unknown, never a guess", func(t *testing.T) {
		f := newFacts(t, StLegalityReview)
		f.Now = time.Date(2026, 12, 30, 9, 0, 0, 0, ChinaTime)
		_, err := fire(t, f, drafter, EvSubmitLegalityReview, submissionData("2026-12-28", "2027-01-20"))
		if ErrorCode(err) != CodeCalendarYearUnknown {
			t.Fatalf("err = %v", err)
		}
	})
}

// Art. 26 ¶1: 提供的材料不符合要求的，负责合法性审查的部门可以退回，或者要求补充.
func TestArt26_ReturnNeedsPendingSubmissionAndReason(t *testing.T) {
	t.Run("no submission: refused", func(t *testing.T) {
		_, err := fire(t, newFacts(t, StLegalityReview), reviewer, EvReturnLegalitySubmission, M{"reason": "缺少法律依据"})
		refused(t, err, CodeNoPendingSubmission)
	})
	t.Run("no reason: refused", func(t *testing.T) {
		f := newFacts(t, StLegalityReview)
		addRec(t, f, EvSubmitLegalityReview, submissionData("2026-11-02", "2026-11-11"), submitter)
		_, err := fire(t, f, reviewer, EvReturnLegalitySubmission, M{"supplements": A{"听证会记录"}})
		refused(t, err, CodeReasonRequired)
	})
	t.Run("pending submission and a reason: allowed", func(t *testing.T) {
		f := newFacts(t, StLegalityReview)
		addRec(t, f, EvSubmitLegalityReview, submissionData("2026-11-02", "2026-11-11"), submitter)
		mustAllow(t, f, reviewer, EvReturnLegalitySubmission, M{"reason": "请补充听证会记录", "supplements": A{"听证会记录"}})
	})
}

// Art. 26–28: an opinion answers a pending submission of the current draft.
func TestArt26_OpinionAnswersAPendingSubmission(t *testing.T) {
	t.Run("no submission: refused", func(t *testing.T) {
		_, err := fire(t, newFacts(t, StLegalityReview), reviewer, EvRecordLegalityOpinion, opinionData(OutcomeLegal))
		refused(t, err, CodeNoPendingSubmission)
	})
	t.Run("the submission was returned: refused", func(t *testing.T) {
		f := newFacts(t, StLegalityReview)
		addRec(t, f, EvSubmitLegalityReview, submissionData("2026-11-02", "2026-11-11"), submitter)
		addRec(t, f, EvReturnLegalitySubmission, M{"reason": "补充材料"}, reviewer)
		_, err := fire(t, f, reviewer, EvRecordLegalityOpinion, opinionData(OutcomeLegal))
		refused(t, err, CodeNoPendingSubmission)
	})
	t.Run("the draft was revised after the submission: refused", func(t *testing.T) {
		f := newFacts(t, StLegalityReview)
		addRec(t, f, EvSubmitLegalityReview, submissionData("2026-11-02", "2026-11-11"), submitter)
		f.Decision.CurrentDraftHash = draftHash2
		addRec(t, f, EvReviseDraft, M{"sha256": draftHash2}, drafter)
		_, err := fire(t, f, reviewer, EvRecordLegalityOpinion, opinionData(OutcomeLegal))
		mentions(t, refused(t, err, CodeLegalitySubmissionStale), "第二十六条")
	})
	t.Run("a pending submission of the current draft: allowed, the opinion binds it", func(t *testing.T) {
		f := newFacts(t, StLegalityReview)
		addRec(t, f, EvSubmitLegalityReview, submissionData("2026-11-02", "2026-11-11"), submitter)
		out := mustAllow(t, f, reviewer, EvRecordLegalityOpinion, opinionData(OutcomeLegalWithRevisions))
		if out.Opinion == nil || out.Opinion.DraftHash != draftHash1 || out.Opinion.Outcome != OutcomeLegalWithRevisions {
			t.Errorf("opinion = %+v", out.Opinion)
		}
	})
}

// Art. 27: the three findings; Art. 28: 应当组织法律顾问、公职律师提出法律意见.
func TestArt27_28_OpinionFindingsAndAdvisers(t *testing.T) {
	pending := func() *Facts {
		f := newFacts(t, StLegalityReview)
		addRec(t, f, EvSubmitLegalityReview, submissionData("2026-11-02", "2026-11-11"), submitter)
		return f
	}
	for _, finding := range []string{"authority", "procedure", "content"} {
		t.Run("no finding on "+finding+": refused", func(t *testing.T) {
			d := opinionData(OutcomeLegal)
			d["findings"].(M)[finding] = " "
			_, err := fire(t, pending(), reviewer, EvRecordLegalityOpinion, d)
			refusedField(t, err, "findings."+finding)
		})
	}
	t.Run("no adviser opinion: refused", func(t *testing.T) {
		d := opinionData(OutcomeLegal)
		d["adviser_opinions"] = A{}
		_, err := fire(t, pending(), reviewer, EvRecordLegalityOpinion, d)
		refusedField(t, err, "adviser_opinions")
	})
	t.Run("an unknown outcome: refused", func(t *testing.T) {
		_, err := fire(t, pending(), reviewer, EvRecordLegalityOpinion, opinionData("probably_fine"))
		refusedField(t, err, "outcome")
	})
	t.Run("three findings and one adviser: allowed", func(t *testing.T) {
		mustAllow(t, pending(), reviewer, EvRecordLegalityOpinion, opinionData(OutcomeLegal))
	})
}

// Art. 25, 28: the review is the reviewing body's own — the reviewer did not
// draft or submit this decision (separation of duties, 403 naming the rule).
func TestArt28_ReviewerNotDrafterOrSubmitter(t *testing.T) {
	pending := func() *Facts {
		f := newFacts(t, StLegalityReview)
		addRec(t, f, EvSubmitLegalityReview, submissionData("2026-11-02", "2026-11-11"), submitter)
		return f
	}
	// A person of the review body who also drafted or submitted the draft.
	inReviewBody := func(a Actor) Actor { a.Roles, a.UnitID = append(a.Roles, RoleLegalReviewer), 5; return a }
	t.Run("the drafter: refused", func(t *testing.T) {
		_, err := fire(t, pending(), inReviewBody(drafter), EvRecordLegalityOpinion, opinionData(OutcomeLegal))
		refusedRule(t, err, "sod_reviewer_not_drafter")
	})
	t.Run("the submitter: refused", func(t *testing.T) {
		_, err := fire(t, pending(), inReviewBody(submitter), EvRecordLegalityOpinion, opinionData(OutcomeLegal))
		refusedRule(t, err, "sod_reviewer_not_drafter")
	})
	t.Run("another reviewer: allowed", func(t *testing.T) {
		mustAllow(t, pending(), reviewer, EvRecordLegalityOpinion, opinionData(OutcomeLegal))
	})
}

// Art. 25 ¶2: 对国家尚无明确规定的探索性改革决策事项，可以明示法律风险，提交决策
// 机关讨论.
func TestArt25_ExploratoryNeedsRiskStatement(t *testing.T) {
	pending := func() *Facts {
		f := newFacts(t, StLegalityReview)
		addRec(t, f, EvSubmitLegalityReview, submissionData("2026-11-02", "2026-11-11"), submitter)
		return f
	}
	t.Run("exploratory without a risk statement: refused", func(t *testing.T) {
		_, err := fire(t, pending(), reviewer, EvRecordLegalityOpinion, opinionData(OutcomeExploratoryWithRisk))
		refused(t, err, CodeRiskStatementRequired)
	})
	t.Run("exploratory with its risk statement: allowed", func(t *testing.T) {
		d := opinionData(OutcomeExploratoryWithRisk)
		d["risk_statement"] = "国家尚无明确规定"
		out := mustAllow(t, pending(), reviewer, EvRecordLegalityOpinion, d)
		if out.Opinion.RiskStatement != "国家尚无明确规定" {
			t.Errorf("opinion = %+v", out.Opinion)
		}
	})
}

// Art. 25 ¶2, QH (八) — THE CORE INVARIANT: 未经合法性审查或者经审查不合法的，
// 不得提交决策机关讨论.
func TestArt25_CoreInvariant_SubmitToMeeting(t *testing.T) {
	meeting := M{"meeting_type": "executive", "planned_on": "2026-11-25"}
	t.Run("no opinion: legality_review_required", func(t *testing.T) {
		f := newFacts(t, StLegalityReview)
		throughRisk(t, f)
		_, err := fire(t, f, drafter, EvSubmitToMeeting, meeting)
		mentions(t, refused(t, err, CodeLegalityReviewRequired), "第二十五条")
	})
	t.Run("illegal: legality_review_failed", func(t *testing.T) {
		f := newFacts(t, StLegalityReview)
		reviewed(t, f, OutcomeIllegal)
		_, err := fire(t, f, drafter, EvSubmitToMeeting, meeting)
		refused(t, err, CodeLegalityReviewFailed)
	})
	t.Run("an opinion on an earlier draft: legality_review_stale", func(t *testing.T) {
		f := newFacts(t, StLegalityReview)
		reviewed(t, f, OutcomeLegal)
		f.Decision.CurrentDraftHash = draftHash2
		_, err := fire(t, f, drafter, EvSubmitToMeeting, meeting)
		refused(t, err, CodeLegalityReviewStale)
	})
	t.Run("an opinion before a return for revision no longer counts", func(t *testing.T) {
		f := newFacts(t, StLegalityReview)
		reviewed(t, f, OutcomeLegal)
		addRec(t, f, EvReturnForRevision, M{}, clerk)
		throughRisk(t, f)
		_, err := fire(t, f, drafter, EvSubmitToMeeting, meeting)
		refused(t, err, CodeLegalityReviewRequired)
	})
	t.Run("legal on the current draft: allowed", func(t *testing.T) {
		f := newFacts(t, StLegalityReview)
		reviewed(t, f, OutcomeLegal)
		out := mustAllow(t, f, drafter, EvSubmitToMeeting, meeting)
		if out.To != StCollectiveDecision {
			t.Errorf("to = %s", out.To)
		}
	})
	t.Run("legal with revisions, the draft unrevised: refused (Art. 28)", func(t *testing.T) {
		f := newFacts(t, StLegalityReview)
		reviewed(t, f, OutcomeLegalWithRevisions)
		_, err := fire(t, f, drafter, EvSubmitToMeeting, meeting)
		mentions(t, refused(t, err, CodeLegalityRevisionsPending), "第二十八条", "confirm_revisions")
	})
	t.Run("exploratory: allowed, its risk statement travels in the pack", func(t *testing.T) {
		f := newFacts(t, StLegalityReview)
		reviewed(t, f, OutcomeExploratoryWithRisk)
		out := mustAllow(t, f, drafter, EvSubmitToMeeting, meeting)
		pack, _ := out.Data["meeting_pack"].(map[string]any)
		if out.Data["legal_risk_statement"] != "国家尚无明确规定，存在被上级纠正的风险" || pack["legal_risk_statement"] != out.Data["legal_risk_statement"] {
			t.Errorf("data = %#v", out.Data)
		}
	})
}

// Art. 25 ¶2: resuming a postponed discussion needs the opinion still to
// match the draft.
func TestArt25_ResumeDiscussionNeedsCurrentOpinion(t *testing.T) {
	t.Run("opinion on an earlier draft: refused", func(t *testing.T) {
		f := newFacts(t, StPostponed)
		reviewed(t, f, OutcomeLegal)
		f.Decision.CurrentDraftHash = draftHash2
		_, err := fire(t, f, clerk, EvResumeDiscussion, M{})
		refused(t, err, CodeLegalityReviewStale)
	})
	t.Run("opinion on the current draft: allowed", func(t *testing.T) {
		f := newFacts(t, StPostponed)
		reviewed(t, f, OutcomeLegal)
		mustAllow(t, f, clerk, EvResumeDiscussion, M{})
	})
}

// Art. 29: the meeting pack is complete for the stages actually performed.
func TestArt29_MeetingPackComplete(t *testing.T) {
	meeting := func() M { return M{"meeting_type": "plenary", "planned_on": "2026-11-25"} }
	t.Run("affects the market without the fair-competition review: refused, naming it", func(t *testing.T) {
		f := newFacts(t, StLegalityReview)
		f.Decision.AffectsMarket = true
		reviewed(t, f, OutcomeLegal)
		_, err := fire(t, f, drafter, EvSubmitToMeeting, meeting())
		mentions(t, refused(t, err, CodeMeetingPackIncomplete), "第二十九条", "公平竞争审查", "fair_competition_review")
	})
	t.Run("affects the market with the fair-competition review: allowed", func(t *testing.T) {
		f := newFacts(t, StLegalityReview)
		f.Decision.AffectsMarket = true
		reviewed(t, f, OutcomeLegal)
		m := meeting()
		m["fair_competition_review"] = "经公平竞争审查，未发现排除、限制竞争情形"
		out := mustAllow(t, f, drafter, EvSubmitToMeeting, m)
		pack := out.Data["meeting_pack"].(map[string]any)
		if pack["fair_competition_review"] == nil || pack["legality_opinion"] == nil || pack["public_participation"] == nil {
			t.Errorf("pack = %#v", pack)
		}
	})
	t.Run("waived stages count as performed by their waiver: allowed", func(t *testing.T) {
		f := newFacts(t, StLegalityReview)
		f.Decision.NonDisclosable = true
		addRec(t, f, EvWaiveParticipation, M{"legal_basis": "《保守国家秘密法》"}, drafter)
		addRec(t, f, EvWaiveExpertReview, M{"reason": "不涉及专业问题"}, drafter)
		addRec(t, f, EvWaiveRiskAssessment, M{"reason": "不涉及风险"}, drafter)
		addRec(t, f, EvSubmitLegalityReview, submissionData("2026-11-02", "2026-11-11"), submitter)
		addRec(t, f, EvRecordLegalityOpinion, opinionData(OutcomeLegal), reviewer)
		out := mustAllow(t, f, drafter, EvSubmitToMeeting, meeting())
		pack := out.Data["meeting_pack"].(map[string]any)
		if pack["risk_assessment"].(map[string]any)["event"] != EvWaiveRiskAssessment {
			t.Errorf("pack = %#v", pack)
		}
	})
	t.Run("no risk assessment record in this pass: refused", func(t *testing.T) {
		f := newFacts(t, StLegalityReview)
		addRec(t, f, EvCompleteRiskAssessment, riskData(), drafter) // before the return: does not count
		addRec(t, f, EvReturnForRevision, M{}, clerk)
		addRec(t, f, EvCompleteParticipation, adoptionData(), drafter)
		addRec(t, f, EvCompleteExpertReview, expertData(), drafter)
		addRec(t, f, EvSubmitLegalityReview, submissionData("2026-11-02", "2026-11-11"), submitter)
		addRec(t, f, EvRecordLegalityOpinion, opinionData(OutcomeLegal), reviewer)
		_, err := fire(t, f, drafter, EvSubmitToMeeting, meeting())
		mentions(t, refused(t, err, CodeMeetingPackIncomplete), "风险评估", "Art. 29 (4)")
	})
	t.Run("participation completed without an adoption report: refused", func(t *testing.T) {
		f := newFacts(t, StLegalityReview)
		addRec(t, f, EvCompleteParticipation, M{}, drafter)
		addRec(t, f, EvCompleteExpertReview, expertData(), drafter)
		addRec(t, f, EvCompleteRiskAssessment, riskData(), drafter)
		addRec(t, f, EvSubmitLegalityReview, submissionData("2026-11-02", "2026-11-11"), submitter)
		addRec(t, f, EvRecordLegalityOpinion, opinionData(OutcomeLegal), reviewer)
		_, err := fire(t, f, drafter, EvSubmitToMeeting, meeting())
		mentions(t, refused(t, err, CodeMeetingPackIncomplete), "Art. 29 (2)")
	})
	t.Run("only the meeting types that may decide", func(t *testing.T) {
		f := newFacts(t, StLegalityReview)
		reviewed(t, f, OutcomeLegal)
		_, err := fire(t, f, drafter, EvSubmitToMeeting, M{"meeting_type": "director_office_meeting", "planned_on": "2026-11-25"})
		refusedField(t, err, "meeting_type")
	})
}
