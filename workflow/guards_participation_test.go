package workflow

import (
	"strings"
	"testing"
)

// Public participation, Art. 14–18.

// Art. 15: 公开征求意见的期限一般不少于30日（calendar days); shorter only with
// the reason stated.
func TestArt15_CommentPeriodAtLeast30Days(t *testing.T) {
	tests := []struct {
		name           string
		opened, closes string
		reason         string
		pack           func(*RulePack)
		code           string // "" = allowed
	}{
		{"exactly 30 days is allowed", "2026-09-01", "2026-10-01", "", nil, ""},
		{"29 days is refused", "2026-09-01", "2026-09-30", "", nil, CodeCommentPeriodTooShort},
		{"29 days with a shortening reason is allowed", "2026-09-01", "2026-09-30", "汛期前须出台，情况紧急", nil, ""},
		{"a blank shortening reason is no reason", "2026-09-01", "2026-09-30", "   ", nil, CodeCommentPeriodTooShort},
		{"a stricter pack: 44 of 45 days refused", "2026-09-01", "2026-10-15", "", func(p *RulePack) { p.CommentPeriodDays = 45 }, CodeCommentPeriodTooShort},
		{"a stricter pack: 45 of 45 days allowed", "2026-09-01", "2026-10-16", "", func(p *RulePack) { p.CommentPeriodDays = 45 }, ""},
		{"a notice scheduled to open in the future is allowed", gTomorrow, "2026-12-31", "", nil, ""},
		{"a notice that opened before the decision was entered is allowed", "2025-01-02", "2025-02-10", "", nil, ""},
		{"closing on the opening day is malformed", "2026-09-01", "2026-09-01", "urgent", nil, CodeValidationFailed},
		{"closing before opening is malformed", "2026-09-01", "2026-08-01", "urgent", nil, CodeValidationFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFacts(t, StDrafting)
			if tt.pack != nil {
				tt.pack(&f.Rules)
			}
			d := participationData(tt.opened, tt.closes)
			if tt.reason != "" {
				d["notice"].(M)["shortened_reason"] = tt.reason
			}
			out, err := fire(t, f, drafter, EvStartParticipation, d)
			switch tt.code {
			case "":
				if allowed(t, out, err).To != StPublicParticipation {
					t.Errorf("to = %s", out.To)
				}
			case CodeValidationFailed:
				refusedField(t, err, "notice.closes_on")
			default:
				mentions(t, refused(t, err, tt.code), "第十五条", "Art. 15")
			}
		})
	}
}

// Art. 15 ¶1: the notice publishes the draft (公布决策草案及其说明等材料).
func TestArt15_NoticePublishesTheDraft(t *testing.T) {
	t.Run("no draft recorded: refused", func(t *testing.T) {
		f := newFacts(t, StDrafting)
		f.Decision.CurrentDraftHash = ""
		_, err := fire(t, f, drafter, EvStartParticipation, participationData("2026-09-01", "2026-10-01"))
		refused(t, err, CodeDraftRequired)
	})
	t.Run("with a draft: allowed", func(t *testing.T) {
		mustAllow(t, newFacts(t, StDrafting), drafter, EvStartParticipation, participationData("2026-09-01", "2026-10-01"))
	})
}

// Art. 14 ¶1: 依法不予公开的决策事项除外 — only a decision lawfully not
// disclosed skips public participation, with its legal basis.
func TestArt14_ParticipationWaiverOnlyWhenNotDisclosed(t *testing.T) {
	t.Run("a disclosable decision: refused", func(t *testing.T) {
		_, err := fire(t, newFacts(t, StDrafting), drafter, EvWaiveParticipation, M{"legal_basis": "《保守国家秘密法》"})
		mentions(t, refused(t, err, CodeWaiverNotAllowed), "第十四条")
	})
	t.Run("non-disclosable with its legal basis: allowed", func(t *testing.T) {
		f := newFacts(t, StDrafting)
		f.Decision.NonDisclosable = true
		out := mustAllow(t, f, drafter, EvWaiveParticipation, M{"legal_basis": "《保守国家秘密法》第九条"})
		if out.To != StExpertReview {
			t.Errorf("to = %s", out.To)
		}
	})
	t.Run("non-disclosable without a legal basis: refused", func(t *testing.T) {
		f := newFacts(t, StDrafting)
		f.Decision.NonDisclosable = true
		_, err := fire(t, f, drafter, EvWaiveParticipation, M{"legal_basis": " "})
		refusedField(t, err, "legal_basis")
	})
}

// Art. 16 ¶3: 听证会材料应当于召开听证会7日前送达听证参加人.
func TestArt16_HearingMaterials7DaysBefore(t *testing.T) {
	tests := []struct {
		name            string
		delivered, held string
		noticeDays      int
		code            string
	}{
		{"exactly 7 days before: allowed", "2026-11-01", "2026-11-08", 0, ""},
		{"6 days before: refused", "2026-11-02", "2026-11-08", 0, CodeHearingNoticeTooShort},
		{"delivered after the hearing: refused", "2026-11-09", "2026-11-08", 0, CodeHearingNoticeTooShort},
		{"a pack asking 10 days: 9 refused", "2026-10-30", "2026-11-08", 10, CodeHearingNoticeTooShort},
		{"a pack asking 10 days: 10 allowed", "2026-10-29", "2026-11-08", 10, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFacts(t, StPublicParticipation)
			if tt.noticeDays > 0 {
				f.Rules.HearingNoticeDays = tt.noticeDays
			}
			out, err := fire(t, f, drafter, EvRecordHearing,
				M{"held_on": tt.held, "materials_delivered_on": tt.delivered, "participants": A{"市民代表甲"}, "record_signed": true})
			if tt.code == "" {
				if allowed(t, out, err).To != StPublicParticipation {
					t.Errorf("a hearing does not change the state; to = %s", out.To)
				}
				return
			}
			mentions(t, refused(t, err, tt.code), "第十六条", tt.held)
		})
	}
}

// Art. 17 (三): 听证参加人确认听证会记录并签字.
func TestArt17_HearingRecordSigned(t *testing.T) {
	hearing := func(signed bool) M {
		return M{"held_on": "2026-11-08", "materials_delivered_on": "2026-11-01", "participants": A{"市民代表甲"}, "record_signed": signed}
	}
	t.Run("unsigned: refused", func(t *testing.T) {
		_, err := fire(t, newFacts(t, StPublicParticipation), drafter, EvRecordHearing, hearing(false))
		mentions(t, refused(t, err, CodeHearingRecordUnsigned), "第十七条", "签字")
	})
	t.Run("signed: allowed", func(t *testing.T) {
		mustAllow(t, newFacts(t, StPublicParticipation), drafter, EvRecordHearing, hearing(true))
	})
	t.Run("record_signed missing: validation_failed", func(t *testing.T) {
		h := hearing(true)
		delete(h, "record_signed")
		_, err := fire(t, newFacts(t, StPublicParticipation), drafter, EvRecordHearing, h)
		refusedField(t, err, "record_signed")
	})
}

// PROCEDURE.md § Time: a hearing recorded as held is not dated in the future
// (Art. 16–17).
func TestArt16_HearingNotDatedInTheFuture(t *testing.T) {
	t.Run("held tomorrow: refused", func(t *testing.T) {
		_, err := fire(t, newFacts(t, StPublicParticipation), drafter, EvRecordHearing,
			M{"held_on": gTomorrow, "materials_delivered_on": "2026-11-01", "participants": A{"甲"}, "record_signed": true})
		refusedField(t, err, "held_on")
	})
	t.Run("held today: allowed", func(t *testing.T) {
		mustAllow(t, newFacts(t, StPublicParticipation), drafter, EvRecordHearing,
			M{"held_on": gToday, "materials_delivered_on": "2026-11-13", "participants": A{"甲"}, "record_signed": true})
	})
}

// Art. 15: participation is not completed while the comment period is open;
// the period runs to the end of its closing day (China time), so completion
// is possible only from the next day (today > closes_on).
func TestArt15_CompleteParticipationAfterCommentPeriodCloses(t *testing.T) {
	tests := []struct {
		name   string
		closes string
		code   string
	}{
		{"closes tomorrow: refused", gTomorrow, CodeCommentPeriodOpen},
		{"closes today: refused (the closing day is still open)", gToday, CodeCommentPeriodOpen},
		{"closed yesterday: allowed", gYesterday, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFacts(t, StPublicParticipation)
			addRec(t, f, EvStartParticipation, participationData("2026-10-01", tt.closes), drafter)
			out, err := fire(t, f, drafter, EvCompleteParticipation, adoptionData())
			if tt.code == "" {
				if allowed(t, out, err).To != StExpertReview {
					t.Errorf("to = %s", out.To)
				}
				return
			}
			mentions(t, refused(t, err, tt.code), "第十五条", tt.closes)
		})
	}
	t.Run("the latest notice counts", func(t *testing.T) {
		f := newFacts(t, StPublicParticipation)
		addRec(t, f, EvStartParticipation, participationData("2026-01-01", "2026-02-01"), drafter)
		addRec(t, f, EvReturnForRevision, M{}, clerk)
		addRec(t, f, EvStartParticipation, participationData("2026-11-01", "2026-12-01"), drafter)
		_, err := fire(t, f, drafter, EvCompleteParticipation, adoptionData())
		refused(t, err, CodeCommentPeriodOpen)
	})
}

// Art. 18: the adoption report — each main opinion adopted, or not adopted
// with the reason.
func TestArt18_AdoptionReportReasons(t *testing.T) {
	f := func() *Facts {
		f := newFacts(t, StPublicParticipation)
		addRec(t, f, EvStartParticipation, participationData("2026-10-01", "2026-11-01"), drafter)
		return f
	}
	t.Run("not adopted without a reason: refused, naming the opinion", func(t *testing.T) {
		d := M{"adoption_report": A{M{"opinion": "分步实施", "adopted": true}, M{"opinion": "取消票价上调", "adopted": false, "reason": " "}}}
		_, err := fire(t, f(), drafter, EvCompleteParticipation, d)
		mentions(t, refused(t, err, CodeAdoptionReasonRequired), "第十八条", "adoption_report[1]", "取消票价上调")
	})
	t.Run("not adopted with a reason, adopted without one: allowed", func(t *testing.T) {
		d := M{"adoption_report": A{M{"opinion": "分步实施", "adopted": true}, M{"opinion": "取消票价上调", "adopted": false, "reason": "运营亏损无法持续"}}}
		mustAllow(t, f(), drafter, EvCompleteParticipation, d)
	})
	t.Run("no report at all: validation_failed", func(t *testing.T) {
		_, err := fire(t, f(), drafter, EvCompleteParticipation, M{"adoption_report": A{}})
		refusedField(t, err, "adoption_report")
	})
}

// Art. 14 ¶3: 决策事项涉及特定群体利益的，应当与相关人民团体、社会组织以及群众代表
// 进行沟通协商.
func TestArt14_GroupConsultationWhenAffectsSpecificGroup(t *testing.T) {
	f := func(group bool) *Facts {
		f := newFacts(t, StPublicParticipation)
		f.Decision.AffectsSpecificGroup = group
		addRec(t, f, EvStartParticipation, participationData("2026-10-01", "2026-11-01"), drafter)
		return f
	}
	consulted := func(on string) M {
		d := adoptionData()
		d["group_consultation"] = M{"parties": A{"市残疾人联合会", "老年人代表"}, "held_on": on, "summary": "对优惠政策基本赞同"}
		return d
	}
	t.Run("affects a group, no consultation recorded: refused", func(t *testing.T) {
		_, err := fire(t, f(true), drafter, EvCompleteParticipation, adoptionData())
		mentions(t, refused(t, err, CodeGroupConsultationRequired), "第十四条", "group_consultation")
	})
	t.Run("affects a group, consultation recorded: allowed", func(t *testing.T) {
		out := mustAllow(t, f(true), drafter, EvCompleteParticipation, consulted(gToday))
		if obj(out.Data, "group_consultation") == nil {
			t.Error("the consultation is kept in the record")
		}
	})
	t.Run("affects a group, consultation dated tomorrow: refused", func(t *testing.T) {
		_, err := fire(t, f(true), drafter, EvCompleteParticipation, consulted(gTomorrow))
		refusedField(t, err, "group_consultation.held_on")
	})
	t.Run("affects a group, consultation without parties: refused", func(t *testing.T) {
		d := consulted(gToday)
		d["group_consultation"].(M)["parties"] = A{}
		_, err := fire(t, f(true), drafter, EvCompleteParticipation, d)
		refusedField(t, err, "group_consultation.parties")
	})
	t.Run("no specific group: allowed without", func(t *testing.T) {
		mustAllow(t, f(false), drafter, EvCompleteParticipation, adoptionData())
	})
}

func TestRefusalMessagesAreChineseFirst(t *testing.T) {
	_, err := fire(t, newFacts(t, StDrafting), drafter, EvStartParticipation, participationData("2026-09-01", "2026-09-30"))
	e := refused(t, err, CodeCommentPeriodTooShort)
	if !strings.HasPrefix(e.Detail(), "《重大行政决策程序暂行条例》第十五条") {
		t.Errorf("detail = %q", e.Detail())
	}
}
