package workflow

import "testing"

// Art. 28: confirm_revisions answers an opinion that asked for revisions,
// and nothing else.
func TestArt28_ConfirmOnlyWhatWasRequested(t *testing.T) {
	points := M{"points": A{M{"point": "第五条表述不准确", "handled": true, "how": "已修改"}}}
	t.Run("the opinion was legal: refused", func(t *testing.T) {
		f := newFacts(t, StLegalityReview)
		reviewed(t, f, OutcomeLegal)
		_, err := fire(t, f, reviewer, EvConfirmRevisions, points)
		mentions(t, refused(t, err, CodeRevisionsNotRequested), "第二十八条")
	})
	t.Run("revised with the handling recorded: allowed, bound to the revised draft", func(t *testing.T) {
		f := newFacts(t, StLegalityReview)
		reviewed(t, f, OutcomeLegalWithRevisions)
		f.Decision.CurrentDraftHash = draftHash2
		addRec(t, f, EvReviseDraft, M{"sha256": draftHash2, "revision_handling": A{M{"point": "第五条表述不准确", "handling": "已改"}}}, drafter)
		out := mustAllow(t, f, reviewer, EvConfirmRevisions, points)
		if out.Opinion == nil || out.Opinion.Kind != OpinionKindConfirmation || out.Opinion.DraftHash != draftHash2 {
			t.Errorf("the confirmation binds the revised draft: %+v", out.Opinion)
		}
	})
}

// Art. 37: the meeting that resumes, stops or adjusts a decision comes after
// the meeting that adopted it; both dates are named.
func TestArt37_MeetingAfterTheDecision(t *testing.T) {
	f := newFacts(t, StInExecution)
	approved(t, f, true) // adopted on 2026-11-10
	m := meetingData("stop", "agree", "agree")
	m["held_on"] = "2026-11-09"
	_, err := fire(t, f, clerk, EvStop, M{"meeting": m})
	mentions(t, refused(t, err, CodeDateOutOfOrder), "第三十七条", "2026-11-09", "2026-11-10")
	m["held_on"] = "2026-11-10"
	mustAllow(t, f, clerk, EvStop, M{"meeting": m})
}
