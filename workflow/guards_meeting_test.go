package workflow

import (
	"encoding/json"
	"testing"
)

// The meeting record, Art. 30, and the execution arrangements, QH (九).

// inMeeting is a decision submitted to the meeting.
func inMeeting(t testing.TB) *Facts {
	t.Helper()
	f := newFacts(t, StCollectiveDecision)
	reviewed(t, f, OutcomeLegal)
	addRec(t, f, EvSubmitToMeeting, M{"meeting_type": "executive", "planned_on": gYesterday}, drafter)
	return f
}

// Art. 30 ¶1: 决策草案应当经决策机关常务会议或者全体会议讨论.
func TestArt30_OnlyExecutiveOrPlenaryMeetingsDecide(t *testing.T) {
	for _, mt := range []string{"executive", "plenary"} {
		t.Run(mt+": allowed", func(t *testing.T) {
			d := approveData()
			d["meeting"].(M)["meeting_type"] = mt
			mustAllow(t, inMeeting(t), clerk, EvApprove, d)
		})
	}
	t.Run("a director's office meeting: refused", func(t *testing.T) {
		d := approveData()
		d["meeting"].(M)["meeting_type"] = "mayor_office_meeting"
		_, err := fire(t, inMeeting(t), clerk, EvApprove, d)
		refusedField(t, err, "meeting.meeting_type")
	})
}

// Art. 30 ¶2: 会议组成人员应当充分发表意见，行政首长最后发表意见.
func TestArt30_HeadSpeaksLast(t *testing.T) {
	t.Run("the head speaks first: refused", func(t *testing.T) {
		d := approveData()
		ops := d["meeting"].(M)["opinions"].(A)
		d["meeting"].(M)["opinions"] = append(A{ops[len(ops)-1]}, ops[:len(ops)-1]...)
		_, err := fire(t, inMeeting(t), clerk, EvApprove, d)
		mentions(t, refused(t, err, CodeHeadMustSpeakLast), "第三十条", "市长")
	})
	t.Run("no head's opinion: refused", func(t *testing.T) {
		d := approveData()
		ops := d["meeting"].(M)["opinions"].(A)
		d["meeting"].(M)["opinions"] = ops[:len(ops)-1]
		_, err := fire(t, inMeeting(t), clerk, EvApprove, d)
		refused(t, err, CodeHeadMustSpeakLast)
	})
	t.Run("two heads: refused", func(t *testing.T) {
		d := approveData()
		d["meeting"].(M)["opinions"].(A)[0].(M)["is_head"] = true
		_, err := fire(t, inMeeting(t), clerk, EvApprove, d)
		refused(t, err, CodeHeadMustSpeakLast)
	})
	t.Run("the head speaks last: allowed", func(t *testing.T) {
		mustAllow(t, inMeeting(t), clerk, EvApprove, approveData())
	})
}

// Art. 30 ¶2: 行政首长拟作出的决定与会议组成人员多数人的意见不一致的，应当在会上
// 说明理由. Abstentions count for neither side; a tie is no majority.
func TestArt30_DepartureFromMajorityNeedsReason(t *testing.T) {
	tests := []struct {
		name     string
		event    string
		members  []string
		reason   string
		refusals bool
	}{
		{"approve, majority agrees", EvApprove, []string{"agree", "agree", "disagree"}, "", false},
		{"approve, majority disagrees, no reason: refused", EvApprove, []string{"disagree", "disagree", "agree"}, "", true},
		{"approve, majority disagrees, with the head's reason: allowed", EvApprove, []string{"disagree", "disagree", "agree"}, "群众出行需求迫切，风险可控", false},
		{"approve, a tie is no majority", EvApprove, []string{"agree", "disagree"}, "", false},
		{"approve, all abstain: no majority", EvApprove, []string{"abstain", "abstain"}, "", false},
		{"reject, one agrees and three abstain: refused", EvReject, []string{"agree", "abstain", "abstain", "abstain"}, "", true},
		{"reject, majority disagrees", EvReject, []string{"disagree", "disagree", "agree"}, "", false},
		{"return for revision, majority agrees: refused", EvReturnForRevision, []string{"agree", "agree"}, "", true},
		{"return for revision, majority disagrees", EvReturnForRevision, []string{"disagree", "agree", "disagree"}, "", false},
		{"postpone, majority agrees, with the head's reason", EvPostpone, []string{"agree", "agree"}, "需进一步听取意见", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			headPos := "disagree"
			if motionCarried[tt.event] {
				headPos = "agree"
			}
			d := M{"meeting": meetingData(tt.event, headPos, tt.members...)}
			if tt.reason != "" {
				d["meeting"].(M)["departure_reason"] = tt.reason
			}
			switch tt.event {
			case EvApprove:
				d["execution"] = approveData()["execution"]
			case EvPostpone:
				d["reason"] = "需进一步听取意见"
			}
			out, err := fire(t, inMeeting(t), clerk, tt.event, d)
			if tt.refusals {
				mentions(t, refused(t, err, CodeDepartureReasonRequired), "第三十条", "departure_reason")
				return
			}
			allowed(t, out, err)
		})
	}
}

// Art. 30 ¶3: 集体讨论决定情况应当如实记录 — the record's decision is the act
// being recorded.
func TestArt30_MeetingDecisionMatchesTheAct(t *testing.T) {
	t.Run("approve recorded with decision reject: refused", func(t *testing.T) {
		d := approveData()
		d["meeting"].(M)["decision"] = "reject"
		_, err := fire(t, inMeeting(t), clerk, EvApprove, d)
		mentions(t, refused(t, err, CodeMeetingDecisionMismatch), "第三十条", "reject")
	})
	for _, word := range []string{"approve", "APPROVE ", "通过", "会议通过"} {
		t.Run("approve recorded as "+word+": allowed", func(t *testing.T) {
			d := approveData()
			d["meeting"].(M)["decision"] = word
			mustAllow(t, inMeeting(t), clerk, EvApprove, d)
		})
	}
	t.Run("reject recorded as 不通过: allowed", func(t *testing.T) {
		mustAllow(t, inMeeting(t), clerk, EvReject, M{"meeting": meetingData("不通过", "disagree", "disagree")})
	})
}

// Art. 30 ¶3 and PROCEDURE.md § Time: the meeting is recorded as it
// happened — not dated in the future, every speaker an attendee.
func TestArt30_MeetingRecordedAsHeld(t *testing.T) {
	t.Run("held tomorrow: refused", func(t *testing.T) {
		d := approveData()
		d["meeting"].(M)["held_on"] = gTomorrow
		_, err := fire(t, inMeeting(t), clerk, EvApprove, d)
		refusedField(t, err, "meeting.held_on")
	})
	t.Run("a speaker who did not attend: refused", func(t *testing.T) {
		d := approveData()
		d["meeting"].(M)["opinions"].(A)[1].(M)["member"] = "局长丙"
		_, err := fire(t, inMeeting(t), clerk, EvApprove, d)
		refusedField(t, err, "meeting.opinions[1].member")
	})
	t.Run("held today: allowed", func(t *testing.T) {
		d := approveData()
		d["meeting"].(M)["held_on"] = gToday
		mustAllow(t, inMeeting(t), clerk, EvApprove, d)
	})
}

// Art. 30 ¶3, 38 ¶3: 不同意见应当如实载明 — dissent is kept verbatim.
func TestArt30_DissentKeptVerbatim(t *testing.T) {
	d := approveData()
	dissent := "  我不同意：票价上调将加重低收入群体负担，建议暂缓。\n（保留意见）"
	d["meeting"].(M)["opinions"].(A)[1].(M)["text"] = dissent
	out := mustAllow(t, inMeeting(t), clerk, EvApprove, d)
	b, _ := json.Marshal(out.Data["meeting"])
	var m struct {
		Opinions []struct{ Text string } `json:"opinions"`
	}
	if err := json.Unmarshal(b, &m); err != nil || m.Opinions[1].Text != dissent {
		t.Errorf("dissent changed: %q (%v)", m.Opinions[1].Text, err)
	}
}

// QH (九): 决策机关应当在决策中明确执行主体、执行时限、执行反馈 (Art. 34).
func TestQH9_ApproveNeedsExecutionArrangements(t *testing.T) {
	t.Run("no execution arrangements: refused", func(t *testing.T) {
		d := approveData()
		delete(d, "execution")
		_, err := fire(t, inMeeting(t), clerk, EvApprove, d)
		refusedField(t, err, "execution")
	})
	t.Run("an execution unit that does not exist: refused", func(t *testing.T) {
		d := approveData()
		d["execution"].(M)["units"] = A{4, 99}
		_, err := fire(t, inMeeting(t), clerk, EvApprove, d)
		refusedField(t, err, "execution.units[1]")
	})
	t.Run("the organ is not an execution unit: refused", func(t *testing.T) {
		d := approveData()
		d["execution"].(M)["units"] = A{1}
		_, err := fire(t, inMeeting(t), clerk, EvApprove, d)
		refusedField(t, err, "execution.units[0]")
	})
	t.Run("a time limit on the meeting day: refused", func(t *testing.T) {
		d := approveData()
		d["execution"].(M)["time_limit"] = gYesterday
		_, err := fire(t, inMeeting(t), clerk, EvApprove, d)
		refusedField(t, err, "execution.time_limit")
	})
	t.Run("no feedback arrangement: refused", func(t *testing.T) {
		d := approveData()
		d["execution"].(M)["feedback"] = ""
		_, err := fire(t, inMeeting(t), clerk, EvApprove, d)
		refusedField(t, err, "execution.feedback")
	})
	t.Run("a time limit the day after the meeting: allowed", func(t *testing.T) {
		d := approveData()
		d["execution"].(M)["time_limit"] = gToday
		out := mustAllow(t, inMeeting(t), clerk, EvApprove, d)
		if out.To != StDecided {
			t.Errorf("to = %s", out.To)
		}
	})
}

// Art. 30: a postponement states its reason.
func TestArt30_PostponeNeedsReason(t *testing.T) {
	t.Run("no reason: refused", func(t *testing.T) {
		_, err := fire(t, inMeeting(t), clerk, EvPostpone, M{"meeting": meetingData("postpone", "disagree", "disagree")})
		refused(t, err, CodeReasonRequired)
	})
	t.Run("with the reason: allowed", func(t *testing.T) {
		out := mustAllow(t, inMeeting(t), clerk, EvPostpone, M{"meeting": meetingData("暂缓", "disagree", "disagree"), "reason": "待国家政策明确"})
		if out.To != StPostponed {
			t.Errorf("to = %s", out.To)
		}
	})
}

// Art. 30: return_for_revision sends the draft back; the old legality
// opinion no longer counts.
func TestArt30_ReturnForRevisionResetsLegality(t *testing.T) {
	out := mustAllow(t, inMeeting(t), clerk, EvReturnForRevision, M{"meeting": meetingData("退回修改", "disagree", "disagree")})
	if !out.ResetLegality || out.To != StDrafting {
		t.Errorf("outcome = %+v", out)
	}
}
