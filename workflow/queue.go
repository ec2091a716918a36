package workflow

// Work queues (待办): whose move it is. A decision in a state awaits an act
// of the role that holds that state; in legality review the ball passes
// between the undertaking unit (to submit, or to resubmit after a return or
// a revision, and to submit to the meeting) and the review body (while a
// submission is pending). The store writes this table as SQL for the work
// queue; Holders applies it to one decision for notifications.

// Holding says that Role holds decisions in State — when LastOf is set,
// only while the latest record among the LastOf events is (or, with Not,
// is not) Is.
type Holding struct {
	State  State
	Role   Role
	LastOf []string
	Is     string
	Not    bool
}

// pendingReview are the events that decide whether a legality submission
// is pending: the submission, and what ends it.
var pendingReview = []string{EvSubmitLegalityReview, EvReturnLegalitySubmission, EvRecordLegalityOpinion, EvReviseDraft, EvReturnForRevision}

// Holdings is the one table of who holds which state.
var Holdings = []Holding{
	{State: StProposed, Role: RoleOffice},
	{State: StDrafting, Role: RoleUndertaking},
	{State: StPublicParticipation, Role: RoleUndertaking},
	{State: StExpertReview, Role: RoleUndertaking},
	{State: StRiskAssessment, Role: RoleUndertaking},
	{State: StLegalityReview, Role: RoleUndertaking, LastOf: pendingReview, Is: EvSubmitLegalityReview, Not: true},
	{State: StLegalityReview, Role: RoleLegalReviewer, LastOf: pendingReview, Is: EvSubmitLegalityReview},
	{State: StCollectiveDecision, Role: RoleOffice},
	{State: StDecided, Role: RoleOffice},
	{State: StPublished, Role: RoleOffice},
	{State: StInExecution, Role: RoleExecutor},
	{State: StPostEvaluation, Role: RoleOffice},
	{State: StSuspended, Role: RoleOffice},
	{State: StPostponed, Role: RoleOffice},
}

// Holders lists the roles whose move it is on a decision in state with
// these records (oldest first).
func Holders(state State, records []Record) []Role {
	var out []Role
	for _, h := range Holdings {
		if h.State != state {
			continue
		}
		if len(h.LastOf) > 0 {
			last := ""
			for i := len(records) - 1; i >= 0; i-- {
				if contains(h.LastOf, records[i].Event) {
					last = records[i].Event
					break
				}
			}
			if (last == h.Is) == h.Not {
				continue
			}
		}
		out = append(out, h.Role)
	}
	return out
}

// RoleScope is the scope one role of the actor gives (the part of
// ViewScope that role contributes): the decisions on which the actor acts
// in that role.
func RoleScope(r Role, a Actor, units map[int64]Unit) Scope {
	if a.UnitID == 0 && !a.System {
		return Scope{}
	}
	return roleScope(r, a, units)
}

// MayActAs reports whether the actor's unit may act in role r on the
// decision in f (the unit rule of the acting role).
func MayActAs(r Role, f *Facts, a Actor) bool { return a.Has(r) && unitRule(r, f, a) == nil }
