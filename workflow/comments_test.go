package workflow

import (
	"strings"
	"testing"
	"time"
)

// The public's comments (Art. 14–18): what a comment may hold, the period
// it is taken in (Art. 15, China time, the closing day included) and the
// coverage rule of complete_participation (Art. 18).

func TestComment_Check(t *testing.T) {
	long := strings.Repeat("意", CommentMaxLen)
	tests := []struct {
		name  string
		c     NewComment
		field string // "" = accepted
	}{
		{"a comment", NewComment{Text: "  建议延长课后服务时间  ", Name: "张三", Contact: "13800000000"}, ""},
		{"exactly 5000 characters", NewComment{Text: long}, ""},
		{"5001 characters", NewComment{Text: long + "见"}, "text"},
		{"blank text", NewComment{Text: " \n\t "}, "text"},
		{"NUL in the text", NewComment{Text: "意见\x00"}, "text"},
		{"invalid UTF-8 in the name", NewComment{Text: "意见", Name: "\xff\xfe"}, "name"},
		{"a name too long", NewComment{Text: "意见", Name: strings.Repeat("名", CommentNameMaxLen+1)}, "name"},
		{"a contact too long", NewComment{Text: "意见", Contact: strings.Repeat("1", CommentContactMaxLen+1)}, "contact"},
		{"the honeypot filled in", NewComment{Text: "意见", Honeypot: "http://spam.example"}, HoneypotField},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.Check()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if tt.c.Text != strings.TrimSpace(tt.c.Text) {
					t.Errorf("text not trimmed: %q", tt.c.Text)
				}
				return
			}
			e := refusedField(t, err, tt.field)
			if !strings.ContainsAny(e.Fields[0].ZH, "请字空应") {
				t.Errorf("the reason is not in Chinese: %+v", e.Fields)
			}
		})
	}
}

// Art. 15: the period runs from the start of its first day to the end of
// its closing day, China time, by the server's clock.
func TestArt15_CommentsTakenWithinThePeriod(t *testing.T) {
	start := &Record{Event: EvStartParticipation, Data: []byte(`{"notice":{"opened_on":"2026-09-01","closes_on":"2026-10-01"}}`)}
	d := Decision{State: StPublicParticipation}
	at := func(s string) time.Time {
		tm, _ := time.ParseInLocation("2006-01-02 15:04:05", s, ChinaTime)
		return tm
	}
	tests := []struct {
		name string
		now  time.Time
		open bool
	}{
		{"the day before it opens, last second", at("2026-08-31 23:59:59"), false},
		{"the first day, first second", at("2026-09-01 00:00:00"), true},
		{"the last day, last second", at("2026-10-01 23:59:59"), true},
		{"the day after, first second", at("2026-10-02 00:00:00"), false},
		// 16:30 UTC on the closing day is already 00:30 the next day in China.
		{"the closing day in UTC is the next day in China", time.Date(2026, 10, 1, 16, 30, 0, 0, time.UTC), false},
		{"the day before opening in UTC is the first day in China", time.Date(2026, 8, 31, 16, 30, 0, 0, time.UTC), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CommentsAccepted(d, start, tt.now)
			if tt.open {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			mentions(t, refused(t, err, CodeConsultationClosed), "第十五条", "Art. 15")
		})
	}
	t.Run("a decision no longer in participation", func(t *testing.T) {
		refused(t, CommentsAccepted(Decision{State: StExpertReview}, start, at("2026-09-15 10:00:00")), CodeConsultationClosed)
	})
	t.Run("visible: a consultation opened and not non-disclosable", func(t *testing.T) {
		if !ConsultationVisible(d, start) || ConsultationVisible(d, nil) || ConsultationVisible(Decision{Flags: Flags{NonDisclosable: true}}, start) {
			t.Fatal("ConsultationVisible is wrong")
		}
	})
}

// Art. 18: complete_participation is refused while a comment received
// through the system is neither answered by an item nor marked.
func TestArt18_EveryCommentAnsweredOrMarked(t *testing.T) {
	closed := func(t *testing.T, comments ...CommentFact) *Facts {
		f := newFacts(t, StPublicParticipation)
		addRec(t, f, EvStartParticipation, participationData("2026-09-01", "2026-10-01"), drafter)
		f.Comments = comments
		return f
	}
	report := func(ids ...any) M {
		return M{"adoption_report": A{M{"opinion": "建议延长课后服务时间", "adopted": true, "comments": A(ids)}}}
	}
	t.Run("no comments: allowed", func(t *testing.T) {
		mustAllow(t, closed(t), drafter, EvCompleteParticipation, adoptionData())
	})
	t.Run("one comment unanswered: refused, naming it", func(t *testing.T) {
		_, err := fire(t, closed(t, CommentFact{ID: 41}), drafter, EvCompleteParticipation, adoptionData())
		e := refused(t, err, CodeCommentsUnanswered)
		mentions(t, e, "第十八条", "Art. 18", "41")
	})
	t.Run("answered by an item: allowed", func(t *testing.T) {
		mustAllow(t, closed(t, CommentFact{ID: 41}), drafter, EvCompleteParticipation, report(41))
	})
	t.Run("marked: allowed", func(t *testing.T) {
		mustAllow(t, closed(t, CommentFact{ID: 41, Marked: true}), drafter, EvCompleteParticipation, adoptionData())
	})
	t.Run("one of two answered: refused", func(t *testing.T) {
		_, err := fire(t, closed(t, CommentFact{ID: 41}, CommentFact{ID: 42}), drafter, EvCompleteParticipation, report(41))
		mentions(t, refused(t, err, CodeCommentsUnanswered), "42")
	})
	t.Run("an item naming what is not a comment of this round: the field", func(t *testing.T) {
		_, err := fire(t, closed(t, CommentFact{ID: 41}), drafter, EvCompleteParticipation, report(41, 99))
		refusedField(t, err, "adoption_report[0].comments[1]")
	})
	t.Run("only complete_participation reads the comments", func(t *testing.T) {
		if !NeedsComments(EvCompleteParticipation) || NeedsComments(EvRecordHearing) || NeedsComments(EvStartParticipation) {
			t.Fatal("NeedsComments is wrong")
		}
	})
}

func TestHandling_Check(t *testing.T) {
	dup := int64(3)
	tests := []struct {
		name  string
		h     Handling
		field string
	}{
		{"grouped", Handling{Kind: HandleGroup, Opinion: "延长服务时间"}, ""},
		{"a duplicate with its reason", Handling{Kind: MarkDuplicate, Reason: "与第3条相同", DuplicateOf: &dup}, ""},
		{"off-topic with its reason", Handling{Kind: MarkOffTopic, Reason: "反映的是交通问题"}, ""},
		{"an unknown kind", Handling{Kind: "spam", Reason: "x"}, "kind"},
		{"grouped without the opinion", Handling{Kind: HandleGroup, Opinion: "  "}, "opinion"},
		{"a mark without its reason", Handling{Kind: MarkAbusive}, "reason"},
		{"an opinion too long", Handling{Kind: HandleGroup, Opinion: strings.Repeat("意", OpinionMaxLen+1)}, "opinion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.h.Check()
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			refusedField(t, err, tt.field)
		})
	}
	h := Handling{Kind: MarkOffTopic, Opinion: "x", Reason: "无关", DuplicateOf: &dup}
	if err := h.Check(); err != nil || h.Opinion != "" || h.DuplicateOf != nil {
		t.Errorf("a mark keeps no opinion and no duplicate_of: %+v %v", h, err)
	}
}
