package workflow

import (
	"fmt"
	"time"
)

// Dates never run backwards (PROCEDURE.md § Time). Acts that happened before
// they were recorded declare their date (given_on, held_on, reported_on …);
// along one pass each declared date follows the one it depends on, and no
// date precedes the regulation (or the rule pack's earliest date). Every
// refusal names both dates.

// actDate is the date a record declares in field, or the day it was
// recorded (China time) when it declares none.
func actDate(r *Record, field string) time.Time {
	if d := date(recordData(r), field); !d.IsZero() {
		return d
	}
	return DateOf(r.At)
}

// dateAt reads a date at a dotted path of the act's data ("meeting.held_on").
func dateAt(data map[string]any, path string) time.Time {
	m := data
	for {
		i := 0
		for i < len(path) && path[i] != '.' {
			i++
		}
		if i == len(path) {
			return date(m, path)
		}
		m = obj(m, path[:i])
		path = path[i+1:]
	}
}

// outOfOrder is the refusal of a date that runs backwards: later (the
// act's own date) lies before earlier (the date it depends on), or on it
// when strict.
func outOfOrder(article, zhArticle, zhLater, enLater string, later time.Time, zhEarlier, enEarlier string, earlier time.Time, strict bool) error {
	zhRel, enRel := "不能早于", "cannot precede"
	if strict {
		zhRel, enRel = "应晚于", "must come after"
	}
	return RuleError(CodeDateOutOfOrder, article,
		fmt.Sprintf("《重大行政决策程序暂行条例》%s：%s（%s）%s%s（%s）", zhArticle, zhLater, FormatDate(later), zhRel, zhEarlier, FormatDate(earlier)),
		fmt.Sprintf("%s: %s (%s) %s %s (%s)", article, enLater, FormatDate(later), enRel, enEarlier, FormatDate(earlier)))
}

// submittedAfterCommentPeriod: Art. 15, 26 — the legality submission comes
// after the public comment period of the current pass has closed (it runs
// to the end of its closing day): submitted_on > closes_on.
func submittedAfterCommentPeriod(f *Facts, a *Act) error {
	r := lastOf(currentRound(f), EvStartParticipation)
	if r == nil {
		return nil
	}
	closes := date(obj(recordData(r), "notice"), "closes_on")
	sub := date(a.Data, "submitted_on")
	if !closes.IsZero() && !sub.After(closes) {
		return outOfOrder("Art. 15, 26", "第十五条、第二十六条", "送请合法性审查的日期", "submitted_on", sub,
			"公开征求意见截止日期", "the close of the public comment period (notice.closes_on)", closes, true)
	}
	return nil
}

// opinionDated: Art. 27–28 — the opinion is given on or after the
// submission it answers (given_on ≥ submitted_on), and not in the future.
func opinionDated(f *Facts, a *Act) error {
	given := date(a.Data, "given_on")
	if given.IsZero() {
		return nil // given on the day it is recorded, which follows the submission
	}
	if err := notFuture(f, "given_on", given, "审查意见出具日期", "given_on"); err != nil {
		return err
	}
	if r := pendingSubmissionRecord(f); r != nil {
		if sub := actDate(r, "submitted_on"); given.Before(sub) {
			return outOfOrder("Art. 26, 28", "第二十六条、第二十八条", "合法性审查意见出具日期", "the opinion's date (given_on)", given,
				"送审日期", "its submission (submitted_on)", sub, false)
		}
	}
	return nil
}

// confirmationDated: Art. 28 — the confirmation of the revisions follows
// the opinion that asked for them, and is not in the future.
func confirmationDated(f *Facts, a *Act) error {
	on := date(a.Data, "confirmed_on")
	if on.IsZero() {
		return nil
	}
	if err := notFuture(f, "confirmed_on", on, "确认日期", "confirmed_on"); err != nil {
		return err
	}
	if r, _ := f.LatestOpinion(); r != nil {
		if given := actDate(r, "given_on"); on.Before(given) {
			return outOfOrder("Art. 28", "第二十八条", "确认修改的日期", "the confirmation (confirmed_on)", on,
				"合法性审查意见出具日期", "the opinion (given_on)", given, false)
		}
	}
	return nil
}

// meetingAfterReview: Art. 25 ¶2, 29–30 — the meeting (planned_on on the
// submission, held_on on the meeting's record) is on or after the legality
// opinion it rests on, and after the confirmation of the revisions.
func meetingAfterReview(path string) Guard {
	return func(f *Facts, a *Act) error {
		d := dateAt(a.Data, path)
		r, _ := f.LatestOpinion()
		if d.IsZero() || r == nil {
			return nil
		}
		if given := actDate(r, "given_on"); d.Before(given) {
			return outOfOrder("Art. 25 ¶2, 30", "第二十五条、第三十条", "会议日期", "the meeting ("+path+")", d,
				"合法性审查意见出具日期", "the legality opinion (given_on)", given, false)
		}
		if c := f.Confirmation(r); c != nil {
			if on := actDate(c, "confirmed_on"); d.Before(on) {
				return outOfOrder("Art. 28, 30", "第二十八条、第三十条", "会议日期", "the meeting ("+path+")", d,
					"确认修改的日期", "the confirmation of the revisions (confirmed_on)", on, false)
			}
		}
		return nil
	}
}

// approvingMeeting is the date of the meeting that adopted the decision.
func approvingMeeting(f *Facts) time.Time {
	if r := f.Last(EvApprove); r != nil {
		return date(obj(recordData(r), "meeting"), "held_on")
	}
	return time.Time{}
}

// reportedAfterMeeting: Art. 31 — the decision is reported to the Party
// committee after the meeting adopted it.
func reportedAfterMeeting(f *Facts, a *Act) error {
	rep, held := date(a.Data, "reported_on"), approvingMeeting(f)
	if !held.IsZero() && rep.Before(held) {
		return outOfOrder("Art. 31", "第三十一条", "向同级党委请示报告的日期", "the report (reported_on)", rep,
			"会议决定的日期", "the meeting that adopted the decision (meeting.held_on)", held, false)
	}
	return nil
}

// meetingAfterDecision: Art. 37 — the meeting that resumes, stops or
// adjusts a decision comes after the meeting that adopted it.
func meetingAfterDecision(f *Facts, a *Act) error {
	held, adopted := date(obj(a.Data, "meeting"), "held_on"), approvingMeeting(f)
	if !held.IsZero() && !adopted.IsZero() && held.Before(adopted) {
		return outOfOrder("Art. 37", "第三十七条", "会议日期", "the meeting (meeting.held_on)", held,
			"作出决策的会议日期", "the meeting that adopted the decision", adopted, false)
	}
	return nil
}

// datesNotBeforeRegulation: Art. 44 — 本条例自2019年9月1日起施行. No date an
// act declares lies before the regulation took effect, unless the rule
// pack sets an earlier date (RulePack.EarliestDate).
func datesNotBeforeRegulation(f *Facts, fields []Field, data map[string]any) error {
	if !f.NotBefore.IsZero() {
		if path, d := firstDateBefore(fields, data, "", f.NotBefore); path != "" {
			return outOfOrder("Art. 37", "第三十七条", path, path, d, "决定重大调整、另行决策的会议日期", "the meeting that adjusted the parent decision", f.NotBefore, false)
		}
	}
	earliest, _ := ParseDate(f.Rules.Earliest())
	path, d := firstDateBefore(fields, data, "", earliest)
	if path == "" {
		return nil
	}
	return RuleError(CodeDateBeforeRegulation, "Art. 44",
		fmt.Sprintf("《重大行政决策程序暂行条例》第四十四条：本条例自2019年9月1日起施行；%s（%s）早于规则包「%s」允许的最早日期（%s）", path, FormatDate(d), f.Rules.Code, FormatDate(earliest)),
		fmt.Sprintf("Art. 44: the regulation took effect on 2019-09-01; %s (%s) precedes the earliest date the rule pack %q allows (%s)", path, FormatDate(d), f.Rules.Code, FormatDate(earliest)))
}

func firstDateBefore(fields []Field, data map[string]any, prefix string, earliest time.Time) (string, time.Time) {
	for _, fd := range fields {
		path := prefix + fd.Name
		switch fd.Kind {
		case KDate:
			if d := date(data, fd.Name); !d.IsZero() && d.Before(earliest) {
				return path, d
			}
		case KObject:
			if p, d := firstDateBefore(fd.Fields, obj(data, fd.Name), path+".", earliest); p != "" {
				return p, d
			}
		case KObjects:
			for i, o := range objs(data, fd.Name) {
				if p, d := firstDateBefore(fd.Fields, o, fmt.Sprintf("%s[%d].", path, i), earliest); p != "" {
					return p, d
				}
			}
		}
	}
	return "", time.Time{}
}
