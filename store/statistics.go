package store

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"time"

	"decisiond/workflow"
)

// Statistics for the annual rule-of-law government report
// (法治政府建设年度报告): per organ and calendar year (China time), counted
// from the stage records — what was done in the year, whenever the
// decision began — and, for decisions stuck too long (久拖不决, Art. 38),
// as of the moment the report is made.

// Statistics is the report of one year.
type Statistics struct {
	Year        int               `json:"year"`
	GeneratedAt string            `json:"generated_at"`
	Organs      []OrganStatistics `json:"organs"`
}

// OrganStatistics are one organ's figures for the year.
type OrganStatistics struct {
	OrganID   int64  `json:"organ_id"`
	OrganName string `json:"organ_name"`
	// Decisions: proposals recorded, launched (Art. 10–11), declined,
	// approved at the meeting, published, completed, withdrawn, rejected.
	Proposed  int `json:"proposed"`
	Launched  int `json:"launched"`
	Declined  int `json:"declined"`
	Approved  int `json:"approved"`
	Published int `json:"published"`
	Completed int `json:"completed"`
	Withdrawn int `json:"withdrawn"`
	Rejected  int `json:"rejected"`
	// Public participation (Art. 14–18): started, waived, by method.
	ParticipationStarted int            `json:"participation_started"`
	ParticipationWaived  int            `json:"participation_waived"`
	ParticipationMethods map[string]int `json:"participation_methods"`
	Hearings             int            `json:"hearings"`
	// The public's comments received online in the year (Art. 14–18):
	// how many, how many an adoption report answered, and how many the
	// drafters marked, by mark (duplicate, off_topic, abusive).
	CommentsReceived int            `json:"comments_received"`
	CommentsAnswered int            `json:"comments_answered"`
	CommentsMarked   map[string]int `json:"comments_marked"`
	// Expert reviews (Art. 19–21) completed and waived.
	ExpertReviews       int `json:"expert_reviews"`
	ExpertReviewsWaived int `json:"expert_reviews_waived"`
	// Risk assessments (Art. 22–24) by grade (low, medium, high; prior: an
	// earlier assessment relied on), those found not controllable, waived.
	RiskAssessments     map[string]int `json:"risk_assessments"`
	RiskNotControllable int            `json:"risk_not_controllable"`
	RiskWaived          int            `json:"risk_waived"`
	// Legality opinions (Art. 25–28) by outcome, and the review time in
	// working days from the submission to the opinion.
	LegalityOpinions map[string]int `json:"legality_opinions"`
	ReviewTime       ReviewTime     `json:"review_time"`
	// Stuck decisions (久拖不决): not moved for longer than the rule pack
	// allows, as of GeneratedAt.
	Stuck          int             `json:"stuck"`
	StuckDecisions []StuckDecision `json:"stuck_decisions"`
}

// ReviewTime summarises legality review times in working days.
type ReviewTime struct {
	Count   int     `json:"count"`
	Average float64 `json:"average_working_days"`
	Median  float64 `json:"median_working_days"`
	Max     int     `json:"max_working_days"`
	// OverServiceLevel: opinions given later than the rule pack's service
	// level (0 when the pack sets none).
	OverServiceLevel int `json:"over_service_level"`
}

// StuckDecision is a decision that has not moved for too long.
type StuckDecision struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	State string `json:"state"`
	Since string `json:"since"`
	DueOn string `json:"due_on"`
}

// Risk grades as the report counts them.
var RiskGrades = []string{"low", "medium", "high", "prior"}

// Opinion outcomes as the report counts them.
var OpinionOutcomes = []string{workflow.OutcomeLegal, workflow.OutcomeLegalWithRevisions, workflow.OutcomeIllegal, workflow.OutcomeExploratoryWithRisk}

// statisticsOrgans are the organs whose statistics the actor may read:
// the office staff and leaders of an organ its own; the audit
// administrator (and the engine) every organ.
func statisticsOrgans(actor workflow.Actor, units map[int64]workflow.Unit, organ *int64) ([]int64, error) {
	all := actor.System || actor.Has(workflow.RoleAuditor)
	var mine int64
	if !all {
		if !actor.Has(workflow.RoleOffice) && !actor.Has(workflow.RoleLeader) {
			return nil, &workflow.Error{Code: workflow.CodeForbidden, Rule: "role_required",
				ZH: "仅决策机关的办公厅（室）、领导和审计管理员可查看年度统计", EN: "only an organ's office and leaders, and the audit administrator, read the annual statistics"}
		}
		mine = workflow.OrganOf(units, actor.UnitID)
	}
	if organ != nil {
		if u, ok := units[*organ]; !ok || u.Kind != "organ" {
			return nil, notFound("没有这个决策机关", "no such organ")
		}
		if !all && *organ != mine {
			return nil, &workflow.Error{Code: workflow.CodeForbidden, Rule: "organ_scope",
				ZH: "只能查看本机关的年度统计", EN: "you read only your own organ's statistics"}
		}
		return []int64{*organ}, nil
	}
	if !all {
		if mine == 0 {
			return nil, &workflow.Error{Code: workflow.CodeForbidden, Rule: "organ_scope", ZH: "您不属于任何决策机关", EN: "you belong to no organ"}
		}
		return []int64{mine}, nil
	}
	var ids []int64
	for id, u := range units {
		if u.Kind == "organ" {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// Statistics computes the year's report for the organs the actor may
// read (organ: one of them; nil: all of them). Errors: forbidden,
// not_found, validation_failed (a year out of range).
func (db *DB) Statistics(ctx context.Context, actor workflow.Actor, year int, organ *int64) (*Statistics, error) {
	if year < 2000 || year > 2100 {
		return nil, invalidField("year", "年度应在2000至2100之间", "the year must be between 2000 and 2100")
	}
	if err := db.refreshConfig(ctx, db.r); err != nil {
		return nil, err
	}
	units, err := unitMap(ctx, db.r)
	if err != nil {
		return nil, err
	}
	organs, err := statisticsOrgans(actor, units, organ)
	if err != nil {
		return nil, err
	}
	now := db.Now()
	out := &Statistics{Year: year, GeneratedAt: ts(now), Organs: []OrganStatistics{}}
	from := ts(time.Date(year, 1, 1, 0, 0, 0, 0, workflow.ChinaTime))
	to := ts(time.Date(year+1, 1, 1, 0, 0, 0, 0, workflow.ChinaTime))
	for _, id := range organs {
		s, err := db.organStatistics(ctx, id, from, to, now)
		if err != nil {
			return nil, err
		}
		s.OrganName = units[id].Name
		out.Organs = append(out.Organs, *s)
	}
	return out, nil
}

type statRecord struct {
	ID         int64  `db:"id"`
	DecisionID int64  `db:"decision_id"`
	Event      string `db:"event"`
	Data       string `db:"data"`
	At         string `db:"at"`
}

func (db *DB) organStatistics(ctx context.Context, organ int64, from, to string, now time.Time) (*OrganStatistics, error) {
	s := &OrganStatistics{OrganID: organ, ParticipationMethods: map[string]int{}, RiskAssessments: map[string]int{},
		LegalityOpinions: map[string]int{}, StuckDecisions: []StuckDecision{}, CommentsMarked: map[string]int{}}
	for _, m := range workflow.CommentMarks {
		s.CommentsMarked[m] = 0
	}
	for _, m := range workflow.ParticipationMethods {
		s.ParticipationMethods[m] = 0
	}
	for _, g := range RiskGrades {
		s.RiskAssessments[g] = 0
	}
	for _, o := range OpinionOutcomes {
		s.LegalityOpinions[o] = 0
	}
	if err := db.r.GetContext(ctx, &s.Proposed, db.r.Rebind(`SELECT COUNT(*) FROM decisions WHERE organ_id = ? AND created_at >= ? AND created_at < ?`),
		organ, from, to); err != nil {
		return nil, err
	}
	// Every record of the organ's decisions up to the year's end: the
	// year's acts, and the submissions before the year's opinions.
	var recs []statRecord
	if err := db.r.SelectContext(ctx, &recs, db.r.Rebind(`SELECT r.id, r.decision_id, r.event, r.data, r.at FROM records r
		JOIN decisions d ON d.id = r.decision_id WHERE d.organ_id = ? AND r.at < ? ORDER BY r.id`), organ, to); err != nil {
		return nil, err
	}
	cal, rules := db.Calendar(), db.Rules()
	lastSubmission := map[int64]map[string]any{}
	answered := map[int64]bool{} // comments an adoption report names
	var days []int
	for _, r := range recs {
		var data map[string]any
		_ = json.Unmarshal([]byte(r.Data), &data)
		if r.Event == workflow.EvSubmitLegalityReview {
			lastSubmission[r.DecisionID] = data
		}
		if r.Event == workflow.EvCompleteParticipation {
			for _, it := range adoptionItems(&workflow.Record{Data: []byte(r.Data)}) {
				for _, id := range it.ids {
					answered[id] = true
				}
			}
		}
		if r.At < from {
			continue
		}
		switch r.Event {
		case workflow.EvLaunch:
			s.Launched++
		case workflow.EvDecline:
			s.Declined++
		case workflow.EvApprove:
			s.Approved++
		case workflow.EvPublish:
			s.Published++
		case workflow.EvComplete:
			s.Completed++
		case workflow.EvWithdraw:
			s.Withdrawn++
		case workflow.EvReject:
			s.Rejected++
		case workflow.EvStartParticipation:
			s.ParticipationStarted++
			methods, _ := data["methods"].([]any)
			for _, m := range methods {
				if ms, ok := m.(string); ok {
					s.ParticipationMethods[ms]++
				}
			}
		case workflow.EvWaiveParticipation:
			s.ParticipationWaived++
		case workflow.EvRecordHearing:
			s.Hearings++
		case workflow.EvCompleteExpertReview:
			s.ExpertReviews++
		case workflow.EvWaiveExpertReview:
			s.ExpertReviewsWaived++
		case workflow.EvCompleteRiskAssessment:
			grade, _ := data["grade"].(string)
			if ref, _ := data["prior_assessment_ref"].(string); strings.TrimSpace(ref) != "" && grade == "" {
				grade = "prior"
			}
			if grade != "" {
				s.RiskAssessments[grade]++
			}
			if c, ok := data["controllable"].(bool); ok && !c {
				s.RiskNotControllable++
			}
		case workflow.EvWaiveRiskAssessment:
			s.RiskWaived++
		case workflow.EvRecordLegalityOpinion:
			outcome, _ := data["outcome"].(string)
			s.LegalityOpinions[outcome]++
			sub := lastSubmission[r.DecisionID]
			submitted, err := workflow.ParseDate(str(sub["submitted_on"]))
			if err != nil || cal == nil {
				continue
			}
			given, err := workflow.ParseDate(str(data["given_on"]))
			if err != nil {
				given = workflow.DateOf(parseTS(r.At))
			}
			if n, ok := workdaysBetween(cal, submitted, given); ok {
				days = append(days, n)
				if lim := rules.ReviewerServiceLevelWorkingDays; lim > 0 && n > lim {
					s.ReviewTime.OverServiceLevel++
				}
			}
		}
	}
	s.ReviewTime.Count = len(days)
	if len(days) > 0 {
		sort.Ints(days)
		sum := 0
		for _, d := range days {
			sum += d
		}
		s.ReviewTime.Average = float64(int(float64(sum)/float64(len(days))*10+0.5)) / 10
		mid := len(days) / 2
		s.ReviewTime.Median = float64(days[mid])
		if len(days)%2 == 0 {
			s.ReviewTime.Median = float64(days[mid-1]+days[mid]) / 2
		}
		s.ReviewTime.Max = days[len(days)-1]
	}
	if err := db.commentStatistics(ctx, s, organ, from, to, answered); err != nil {
		return nil, err
	}
	stuck, err := db.stuckDecisions(ctx, organ, now)
	if err != nil {
		return nil, err
	}
	s.StuckDecisions, s.Stuck = stuck, len(stuck)
	return s, nil
}

func str(v any) string { s, _ := v.(string); return s }

// commentStatistics counts the comments the organ's decisions received in
// the year [from, to): each answered when an adoption report names it
// (answered), marked by its latest handling otherwise.
func (db *DB) commentStatistics(ctx context.Context, s *OrganStatistics, organ int64, from, to string, answered map[int64]bool) error {
	var rows []struct {
		ID   int64   `db:"id"`
		Kind *string `db:"kind"`
	}
	if err := db.r.SelectContext(ctx, &rows, db.r.Rebind(`SELECT c.id, h.kind FROM comments c`+latestHandling+`
		JOIN decisions d ON d.id = c.decision_id WHERE d.organ_id = ? AND c.at >= ? AND c.at < ?`), organ, from, to); err != nil {
		return err
	}
	for _, r := range rows {
		s.CommentsReceived++
		switch {
		case answered[r.ID]:
			s.CommentsAnswered++
		case r.Kind != nil && workflow.IsMark(*r.Kind):
			s.CommentsMarked[*r.Kind]++
		}
	}
	return nil
}

// workdaysBetween counts the working days after from up to and including
// to (the review time of Art. 26); false when the calendar does not cover
// the span or it runs backwards.
func workdaysBetween(cal *workflow.Calendar, from, to time.Time) (int, bool) {
	if to.Before(from) || to.Sub(from) > 3*366*24*time.Hour {
		return 0, false
	}
	n := 0
	for d := from.AddDate(0, 0, 1); !d.After(to); d = d.AddDate(0, 0, 1) {
		w, err := cal.IsWorkday(d)
		if err != nil {
			return 0, false
		}
		if w {
			n++
		}
	}
	return n, true
}

// stuckDecisions are the organ's open decisions whose 久拖不决 deadline has
// passed (workflow.Deadlines, the same rule the deadline list uses).
func (db *DB) stuckDecisions(ctx context.Context, organ int64, now time.Time) ([]StuckDecision, error) {
	out := []StuckDecision{}
	err := db.openDeadlines(ctx, "d.organ_id = ?", []any{organ}, now, func(r *decisionRow, ds []workflow.Deadline) {
		for _, d := range ds {
			if d.Kind == workflow.DlStuck && d.Overdue {
				out = append(out, StuckDecision{ID: r.ID, Title: r.Title, State: r.State,
					Since: workflow.FormatDate(workflow.DateOf(parseTS(r.StateSince))), DueOn: d.DueOn})
			}
		}
	})
	return out, err
}
