package workflow

import (
	"slices"
	"time"
)

// The year in review: 完成情况 of each item, derived from the state of the
// decisions linked to it (never typed), and the office's plan-against-actual
// report (QH (九): 决策执行情况报告; 目录执行情况).

// Completion codes.
const (
	CompletionCompleted  = "completed"   // 已完成: the decision was made and published
	CompletionInProgress = "in_progress" // 推进中: launched, not yet published
	CompletionNotStarted = "not_started" // 未启动: no decision, or a proposal not launched
	CompletionRemoved    = "removed"     // 已调出目录: a published adjustment removed the item
	CompletionEnded      = "ended"       // 未完成: the decision ended without being made (rejected, withdrawn, lapsed)
)

// CatalogueDecision is a decision as the year review sees it.
type CatalogueDecision struct {
	ID     int64  `json:"id"`
	Title  string `json:"title"`
	State  State  `json:"state"`
	ItemID *int64 `json:"item_id,omitempty"`
	// PublishedOn is the first publication channel's date ("" before).
	PublishedOn string `json:"published_on,omitempty"`
	// Public: the decision's own page is public (published, disclosed).
	Public    bool      `json:"public"`
	CreatedAt time.Time `json:"created_at"`
}

// CatalogueRemoval is the published adjustment that removed an item.
type CatalogueRemoval struct {
	VersionID   int64  `json:"version_id"`
	VersionNo   int    `json:"version_no"`
	DocNo       string `json:"doc_no"`
	Reason      string `json:"reason"`
	PublishedOn string `json:"published_on"`
}

// Completion is an item's 完成情况.
type Completion struct {
	Code string `json:"code"`
	ZH   string `json:"zh"`
	EN   string `json:"en"`
	// Text is the 完成情况 cell as printed (Chinese), TextEN in English.
	Text   string `json:"text"`
	TextEN string `json:"text_en"`
	// Late: not completed and the planned time has passed.
	Late        bool              `json:"late"`
	Due         string            `json:"due"`
	DecisionIDs []int64           `json:"decision_ids"`
	State       State             `json:"decision_state,omitempty"`
	Removal     *CatalogueRemoval `json:"removal,omitempty"`
}

var (
	doneStates     = []State{StPublished, StInExecution, StPostEvaluation, StSuspended, StCompleted, StStopped, StSuperseded}
	progressStates = []State{StDrafting, StPublicParticipation, StExpertReview, StRiskAssessment, StLegalityReview, StCollectiveDecision, StDecided, StPostponed}
	endedStates    = []State{StRejected, StWithdrawn, StLapsed}
)

// DeriveCompletion derives an item's 完成情况 from the decisions linked to
// it: removed by a published adjustment → 已调出目录 (with the reason);
// otherwise the most advanced linked decision decides — published or later
// → 已完成, launched → 推进中, ended without a decision → 未完成, none or
// not launched → 未启动. An item not completed after its planned time is
// late (逾期).
func DeriveCompletion(it CatalogueItem, removal *CatalogueRemoval, ds []CatalogueDecision, today time.Time) Completion {
	due := it.PlannedTime().Due()
	c := Completion{Due: FormatDate(due), DecisionIDs: []int64{}}
	var best *CatalogueDecision
	rank := func(s State) int {
		switch {
		case slices.Contains(doneStates, s):
			return 3
		case slices.Contains(progressStates, s):
			return 2
		case slices.Contains(endedStates, s):
			return 1
		}
		return 0
	}
	for i := range ds {
		c.DecisionIDs = append(c.DecisionIDs, ds[i].ID)
		if best == nil || rank(ds[i].State) > rank(best.State) {
			best = &ds[i]
		}
	}
	stateZH, stateEN := "", ""
	if best != nil {
		c.State = best.State
		sd, _ := StateByCode(best.State)
		stateZH, stateEN = sd.ZH, sd.EN
	}
	switch {
	case removal != nil:
		c.Code, c.Removal = CompletionRemoved, removal
	case best != nil && rank(best.State) == 3:
		c.Code = CompletionCompleted
	case best != nil && rank(best.State) == 2:
		c.Code = CompletionInProgress
	case best != nil && rank(best.State) == 1:
		c.Code = CompletionEnded
	default:
		c.Code = CompletionNotStarted
	}
	c.Late = c.Code != CompletionCompleted && c.Code != CompletionRemoved && !due.IsZero() && today.After(due)
	late, lateEN := "", ""
	if c.Late {
		late, lateEN = "，已逾期", ", overdue"
	}
	switch c.Code {
	case CompletionRemoved:
		c.ZH, c.EN = "已调出目录", "removed from the catalogue"
		c.Text, c.TextEN = "已调出目录（"+removal.Reason, "removed from the catalogue ("+removal.Reason
		if removal.DocNo != "" {
			c.Text += "；" + removal.DocNo
			c.TextEN += "; " + removal.DocNo
		}
		c.Text += "）"
		c.TextEN += ")"
	case CompletionCompleted:
		c.ZH, c.EN = "已完成", "completed"
		c.Text, c.TextEN = "已完成（"+stateZH, "completed ("+stateEN
		if d, err := ParseDate(best.PublishedOn); err == nil {
			c.Text += "，" + DateZH(d) + "公布"
			c.TextEN += ", published " + best.PublishedOn
		}
		c.Text += "）"
		c.TextEN += ")"
	case CompletionInProgress:
		c.ZH, c.EN = "推进中", "in progress"
		c.Text, c.TextEN = "推进中（"+stateZH+late+"）", "in progress ("+stateEN+lateEN+")"
	case CompletionEnded:
		c.ZH, c.EN = "未完成", "not completed"
		c.Text, c.TextEN = "未完成（"+stateZH+late+"）", "not completed ("+stateEN+lateEN+")"
	default:
		c.ZH, c.EN = "未启动", "not started"
		c.Text, c.TextEN = "未启动", "not started"
		if c.Late {
			c.Text, c.TextEN = "未启动（已逾期）", "not started (overdue)"
		}
	}
	return c
}

// ReportItem is one item of the year review with its 完成情况.
type ReportItem struct {
	No int `json:"no"`
	CatalogueItem
	Completion Completion `json:"completion"`
}

// PlanReport is the plan-against-actual report of an organ's year: every
// item ever published in the year's catalogue with its 完成情况, the items
// not launched, the items past their planned time, the items withdrawn and
// why, and the decisions of the year that are in no item.
type PlanReport struct {
	OrganID   int64     `json:"organ_id"`
	OrganName string    `json:"organ"`
	Year      int       `json:"year"`
	VersionNo int       `json:"version"` // the catalogue version in force
	AsOf      time.Time `json:"as_of"`
	Today     string    `json:"today"`
	Anchor    *Anchor   `json:"anchor"`

	Items       []ReportItem        `json:"items"`
	NotLaunched []ReportItem        `json:"not_launched"`
	Overdue     []ReportItem        `json:"overdue"`
	Withdrawn   []ReportItem        `json:"withdrawn"`
	Unlisted    []CatalogueDecision `json:"unlisted_decisions"`
	Counts      map[string]int      `json:"counts"`
}

// YearItem is an item as the year review reads it: its last published
// entry, the removal that took it out (if any) and its linked decisions.
type YearItem struct {
	Item      CatalogueItem
	Removal   *CatalogueRemoval
	Decisions []CatalogueDecision
}

// BuildPlanReport derives the report from the year's items (in catalogue
// order) and the organ's decisions of the year that no item lists.
func BuildPlanReport(items []YearItem, unlisted []CatalogueDecision, today time.Time) PlanReport {
	r := PlanReport{Today: FormatDate(today), Items: []ReportItem{}, NotLaunched: []ReportItem{}, Overdue: []ReportItem{},
		Withdrawn: []ReportItem{}, Unlisted: unlisted, Counts: map[string]int{}}
	if r.Unlisted == nil {
		r.Unlisted = []CatalogueDecision{}
	}
	for i, yi := range items {
		ri := ReportItem{No: i + 1, CatalogueItem: yi.Item, Completion: DeriveCompletion(yi.Item, yi.Removal, yi.Decisions, today)}
		r.Items = append(r.Items, ri)
		r.Counts[ri.Completion.Code]++
		switch ri.Completion.Code {
		case CompletionNotStarted:
			r.NotLaunched = append(r.NotLaunched, ri)
		case CompletionRemoved:
			r.Withdrawn = append(r.Withdrawn, ri)
		}
		if ri.Completion.Late {
			r.Overdue = append(r.Overdue, ri)
			r.Counts["overdue"]++
		}
	}
	r.Counts["items"] = len(items)
	r.Counts["unlisted_decisions"] = len(r.Unlisted)
	return r
}
