package workflow

import (
	"encoding/json"
	"strings"
	"time"
)

// Deadline is one open time limit of a decision.
type Deadline struct {
	Kind    string    `json:"kind"`
	ZH      string    `json:"zh"`
	EN      string    `json:"en"`
	Due     time.Time `json:"-"`
	DueOn   string    `json:"due_on"`
	Overdue bool      `json:"overdue"`
	Article string    `json:"article,omitempty"`
}

// Deadline kinds.
const (
	DlCommentClosing   = "comment_closing"
	DlHearingMaterials = "hearing_materials"
	DlReviewDue        = "review_due"
	DlReviewerService  = "reviewer_service_level"
	DlExecutionReport  = "execution_report_due"
	DlExecutionLimit   = "execution_time_limit"
	DlArchiveTransfer  = "archive_transfer"
	DlLapse            = "postponement_lapse"
	DlStuck            = "stuck_decision"
)

// Deadlines lists the open time limits of the decision in f, each marked
// overdue when its day has passed (China time). A deadline that cannot be
// computed (a date outside the loaded calendar) is left out rather than
// guessed.
func Deadlines(f *Facts) []Deadline {
	today := f.Today()
	var out []Deadline
	add := func(kind, zh, en, article string, due time.Time, overdueWhenReached bool) {
		if due.IsZero() {
			return
		}
		over := today.After(due) || (overdueWhenReached && !today.Before(due))
		out = append(out, Deadline{Kind: kind, ZH: zh, EN: en, Due: due, DueOn: FormatDate(due), Overdue: over, Article: article})
	}
	d, rules := f.Decision, f.Rules
	// Only the dates the deadlines count from are decoded (a record's data
	// is stored canonical; a value that is not a string is left out by
	// json and counts as no date, as before).
	dataOf := func(r *Record) deadlineFields {
		var x deadlineFields
		_ = json.Unmarshal(r.Data, &x)
		return x
	}
	switch d.State {
	case StPublicParticipation:
		if r := f.Last(EvStartParticipation); r != nil {
			n := dataOf(r).Notice
			// Overdue: the period closed and the participation is not yet completed.
			add(DlCommentClosing, "公开征求意见截止", "public comment period closes", "Art. 15", dayOf(n.ClosesOn), false)
			if h := dayOf(n.HearingOn); !h.IsZero() && f.Last(EvRecordHearing) == nil {
				days := rules.HearingNoticeDays
				if days == 0 {
					days = MinHearingNoticeDays
				}
				add(DlHearingMaterials, "听证会材料送达期限", "hearing materials must be delivered", "Art. 16", h.AddDate(0, 0, -days), false)
			}
		}
	case StLegalityReview:
		r := f.Last(EvSubmitLegalityReview, EvReturnLegalitySubmission, EvRecordLegalityOpinion, EvReturnForRevision)
		if r != nil && r.Event == EvSubmitLegalityReview {
			m := dataOf(r)
			add(DlReviewDue, "合法性审查期限", "legality review due", "Art. 26", dayOf(m.ReviewDueOn), false)
			if n := rules.ReviewerServiceLevelWorkingDays; n > 0 && f.Calendar != nil {
				if due, err := f.Calendar.AddWorkdays(dayOf(m.SubmittedOn), n); err == nil {
					add(DlReviewerService, "审查意见办理时限", "reviewer service level", "Art. 28", due, false)
				}
			}
		}
	case StInExecution:
		if n := rules.ExecutionReportIntervalDays; n > 0 {
			if r := f.Last(EvReportExecution, EvStartExecution, EvResume, EvCompleteEvaluation); r != nil {
				add(DlExecutionReport, "执行情况报告", "execution report due", "Art. 34; QH (九)", DateOf(r.At).AddDate(0, 0, n), false)
			}
		}
		if r := f.Last(EvApprove); r != nil {
			add(DlExecutionLimit, "执行时限", "execution time limit", "QH (九)", dayOf(dataOf(r).Execution.TimeLimit), false)
		}
	case StPostponed:
		if n := rules.PostponementLapseDays; n > 0 {
			add(DlLapse, "暂缓期满失效", "postponement lapses", "", DateOf(d.StateSince).AddDate(0, 0, n), true)
		}
	}
	if n := rules.ArchiveTransferDays; n > 0 && f.Last(EvRecordArchive) == nil {
		// Counted from the decision: the meeting that adopted it.
		if r := f.Last(EvApprove); r != nil {
			on := dayOf(dataOf(r).Meeting.HeldOn)
			if on.IsZero() {
				on = DateOf(r.At)
			}
			add(DlArchiveTransfer, "决策记录和材料归档（移交档案）", "hand the archive package over", "Art. 33; QH (九)", on.AddDate(0, 0, n), false)
		}
	}
	if sd, ok := StateByCode(d.State); ok && !sd.Terminal && rules.StuckDecisionDays > 0 && d.State != StInExecution {
		add(DlStuck, "久拖不决提示", "decision has not moved", "Art. 38 ¶2", DateOf(d.StateSince).AddDate(0, 0, rules.StuckDecisionDays), false)
	}
	return out
}

// deadlineFields are the parts of records' data the deadlines read.
type deadlineFields struct {
	Notice struct {
		ClosesOn  string `json:"closes_on"`
		HearingOn string `json:"hearing_on"`
	} `json:"notice"`
	ReviewDueOn string `json:"review_due_on"`
	SubmittedOn string `json:"submitted_on"`
	Execution   struct {
		TimeLimit string `json:"time_limit"`
	} `json:"execution"`
	Meeting struct {
		HeldOn string `json:"held_on"`
	} `json:"meeting"`
}

// dayOf is the date s names, or the zero time.
func dayOf(s string) time.Time {
	t, _ := ParseDate(strings.TrimSpace(s))
	return t
}

// Overdue reports whether any deadline is overdue.
func Overdue(ds []Deadline) bool {
	for _, d := range ds {
		if d.Overdue {
			return true
		}
	}
	return false
}

// DeadlineLabel is what a deadline kind is called and where it comes from.
type DeadlineLabel struct{ ZH, EN, Article string }

// DeadlineLabels names every deadline kind (the deadline index keeps kinds
// and dates; the labels come from here).
var DeadlineLabels = map[string]DeadlineLabel{
	DlCommentClosing:   {"公开征求意见截止", "public comment period closes", "Art. 15"},
	DlHearingMaterials: {"听证会材料送达期限", "hearing materials must be delivered", "Art. 16"},
	DlReviewDue:        {"合法性审查期限", "legality review due", "Art. 26"},
	DlReviewerService:  {"审查意见办理时限", "reviewer service level", "Art. 28"},
	DlExecutionReport:  {"执行情况报告", "execution report due", "Art. 34; QH (九)"},
	DlExecutionLimit:   {"执行时限", "execution time limit", "QH (九)"},
	DlLapse:            {"暂缓期满失效", "postponement lapses", ""},
	DlArchiveTransfer:  {"决策记录和材料归档（移交档案）", "hand the archive package over", "Art. 33; QH (九)"},
	DlStuck:            {"久拖不决提示", "decision has not moved", "Art. 38 ¶2"},
}

// DeadlineOf rebuilds a deadline from its kind and due date as of today.
func DeadlineOf(kind string, due, overdueOn, today time.Time) Deadline {
	l := DeadlineLabels[kind]
	return Deadline{Kind: kind, ZH: l.ZH, EN: l.EN, Due: due, DueOn: FormatDate(due), Overdue: !today.Before(overdueOn), Article: l.Article}
}
