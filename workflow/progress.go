package workflow

import (
	"encoding/json"
	"slices"
	"strings"
)

// MainLine is the procedure's main line (PROCEDURE.md § States).
var MainLine = []State{StProposed, StDrafting, StPublicParticipation, StExpertReview, StRiskAssessment,
	StLegalityReview, StCollectiveDecision, StDecided, StPublished, StInExecution, StCompleted}

// Step statuses of the progress bar.
const (
	StepDone    = "done"
	StepCurrent = "current"
	StepWaived  = "waived"
	StepAhead   = "ahead"
)

// Step is one stage of the main line as a decision has gone through it.
type Step struct {
	State  StateDef
	Status string // done, current, waived, ahead
	// Reason is the recorded legal determination of a waived stage.
	Reason string
}

// waivers are the events that waive a stage, with the field holding the
// recorded determination.
var waivers = map[string]struct {
	stage State
	field string
}{
	EvWaiveParticipation:  {StPublicParticipation, "legal_basis"},
	EvWaiveExpertReview:   {StExpertReview, "reason"},
	EvWaiveRiskAssessment: {StRiskAssessment, "reason"},
}

// Progress places the decision on the main line from its records: the
// stages it has passed (done, or waived with the recorded reason), the one
// it is in, and those ahead. A decision off the main line (postponed,
// suspended, ended) shows the furthest main-line stage it reached as
// current only when it is still there; otherwise every stage it passed is
// done and the rest are ahead.
func Progress(state State, records []Record) []Step {
	waived := map[State]string{}
	reached := map[State]bool{StProposed: true}
	for _, r := range records {
		if w, ok := waivers[r.Event]; ok {
			var m map[string]any
			_ = json.Unmarshal(r.Data, &m)
			s, _ := m[w.field].(string)
			waived[w.stage] = strings.TrimSpace(s)
		}
		reached[r.From] = true
		reached[r.To] = true
	}
	cur := slices.Index(MainLine, state)
	last := -1
	for i, s := range MainLine {
		if reached[s] {
			last = i
		}
	}
	out := make([]Step, len(MainLine))
	for i, s := range MainLine {
		sd, _ := StateByCode(s)
		st := Step{State: sd}
		switch {
		case cur >= 0 && i == cur:
			st.Status = StepCurrent
		case i < last || (cur < 0 && i == last):
			st.Status = StepDone
		default:
			st.Status = StepAhead
		}
		if reason, ok := waived[s]; ok && st.Status == StepDone {
			st.Status, st.Reason = StepWaived, reason
		}
		out[i] = st
	}
	// A revision returned the decision to drafting: the stages after the
	// current one are ahead again, whatever was reached before.
	if cur >= 0 {
		for i := cur + 1; i < len(out); i++ {
			out[i].Status, out[i].Reason = StepAhead, ""
		}
	}
	return out
}
