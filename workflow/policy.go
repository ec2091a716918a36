package workflow

import "slices"

// Who sees and does what: one policy, pure. The store applies Scope inside
// every query (nothing is filtered after fetching); Fire asks CanAct and the
// separation-of-duties table before an act; handlers ask CanView.
//
//   - undertaking staff: decisions their unit undertakes;
//   - legal reviewers: decisions of the organs whose legality-review body is
//     their unit;
//   - executors: decisions their unit executes (named by the approving meeting);
//   - office staff and leaders: decisions of their organ;
//   - the three administrators: no decision at all (the auditor reads the
//     whole audit trail, see AuditScope).
//
// A decision outside every scope of the caller does not exist for them
// (404), non-disclosable or not.

// OrganOf is the organ a unit belongs to (the unit itself when it is an
// organ); 0 when unknown.
func OrganOf(units map[int64]Unit, unitID int64) int64 {
	for i := 0; i < 16; i++ { // organ trees are shallow; a cycle cannot loop forever
		u, ok := units[unitID]
		if !ok {
			return 0
		}
		if u.Kind == "organ" {
			return u.ID
		}
		if u.ParentID == nil {
			return 0
		}
		unitID = *u.ParentID
	}
	return 0
}

// Scope selects the decisions a person may see. A decision is in scope when
// any of its lists matches; an empty Scope matches nothing.
type Scope struct {
	All                bool    // the engine itself
	OrganIDs           []int64 // decisions of these organs (office, leader)
	UndertakingUnitIDs []int64 // decisions these units undertake
	ReviewOrganIDs     []int64 // decisions of organs whose review body the person serves
	ExecutionUnitIDs   []int64 // decisions these units execute
}

// Empty reports whether the scope matches no decision at all.
func (s Scope) Empty() bool {
	return !s.All && len(s.OrganIDs) == 0 && len(s.UndertakingUnitIDs) == 0 && len(s.ReviewOrganIDs) == 0 && len(s.ExecutionUnitIDs) == 0
}

// ViewScope is the scope of every decision the actor may see.
func ViewScope(a Actor, units map[int64]Unit) Scope {
	var s Scope
	if a.System {
		s.All = true
		return s
	}
	if a.UnitID == 0 {
		return s
	}
	for _, r := range a.Roles {
		s = s.with(roleScope(r, a, units))
	}
	return s
}

// roleScope is the scope one role of the actor gives.
func roleScope(r Role, a Actor, units map[int64]Unit) Scope {
	var s Scope
	switch r {
	case RoleOffice, RoleLeader:
		if o := OrganOf(units, a.UnitID); o != 0 {
			s.OrganIDs = []int64{o}
		}
	case RoleUndertaking:
		s.UndertakingUnitIDs = []int64{a.UnitID}
	case RoleLegalReviewer:
		for _, u := range units {
			if u.Kind == "organ" && u.ReviewUnitID != nil && *u.ReviewUnitID == a.UnitID {
				s.ReviewOrganIDs = append(s.ReviewOrganIDs, u.ID)
			}
		}
		slices.Sort(s.ReviewOrganIDs)
	case RoleExecutor:
		s.ExecutionUnitIDs = []int64{a.UnitID}
	case RoleSystem:
		s.All = true
	}
	return s
}

func (s Scope) with(o Scope) Scope {
	s.All = s.All || o.All
	s.OrganIDs = union(s.OrganIDs, o.OrganIDs)
	s.UndertakingUnitIDs = union(s.UndertakingUnitIDs, o.UndertakingUnitIDs)
	s.ReviewOrganIDs = union(s.ReviewOrganIDs, o.ReviewOrganIDs)
	s.ExecutionUnitIDs = union(s.ExecutionUnitIDs, o.ExecutionUnitIDs)
	return s
}

func union(a, b []int64) []int64 {
	for _, x := range b {
		if !slices.Contains(a, x) {
			a = append(a, x)
		}
	}
	return a
}

// Matches reports whether a decision (with the execution units its meeting
// named) is in the scope. It is the same rule the store writes as SQL.
func (s Scope) Matches(d Decision, executionUnits []int64) bool {
	if s.All || slices.Contains(s.OrganIDs, d.OrganID) || slices.Contains(s.ReviewOrganIDs, d.OrganID) {
		return true
	}
	if d.UndertakingUnitID != nil && slices.Contains(s.UndertakingUnitIDs, *d.UndertakingUnitID) {
		return true
	}
	for _, u := range executionUnits {
		if slices.Contains(s.ExecutionUnitIDs, u) {
			return true
		}
	}
	return false
}

// CanView reports whether the actor may see the decision at all.
func CanView(a Actor, d Decision, executionUnits []int64, units map[int64]Unit) bool {
	return ViewScope(a, units).Matches(d, executionUnits)
}

// AuditScope is what part of the audit trail the actor reads: the auditor
// (and the engine) all of it, including administrators' and security
// events; a leader their organ's whole trail (its decisions and the security
// events of its people); everyone else the trails of the decisions they
// may see.
type AuditScope struct {
	All       bool
	OrganIDs  []int64 // every event of these organs (decisions and security events)
	Decisions Scope   // the events of the decisions in this scope
}

// AuditScopeOf is the audit scope of the actor.
func AuditScopeOf(a Actor, units map[int64]Unit) AuditScope {
	if a.System || a.Has(RoleAuditor) {
		return AuditScope{All: true}
	}
	as := AuditScope{Decisions: ViewScope(a, units)}
	if a.Has(RoleLeader) {
		if o := OrganOf(units, a.UnitID); o != 0 {
			as.OrganIDs = []int64{o}
		}
	}
	return as
}

// MayVerify reports whether the actor may walk the whole chain
// (audit/verify): the auditor and the leaders.
func MayVerify(a Actor) bool { return a.System || a.Has(RoleAuditor) || a.Has(RoleLeader) }

// CheckRole is the first check of every act: an unknown event is
// validation_failed, and when none of the actor's roles may fire the event
// at all the answer is 403 forbidden — before the decision is even looked
// at, so that nothing about it leaks.
func (p *Procedure) CheckRole(event string, a Actor) error {
	def, ok := p.events[event]
	if !ok {
		return dataErr("event", "未知的事项操作："+event, "unknown event: "+event)
	}
	if _, ok := p.RoleFor(event, a); !ok {
		return forbidden(def)
	}
	return nil
}

// actingRole chooses the role in which the actor performs the event on
// the decision: the first of their roles that may fire it and whose unit
// rule holds. When a role may fire it but no unit rule holds, the refusal
// says why (403).
func actingRole(def *EventDef, f *Facts, a Actor) (Role, error) {
	var refusal error
	for _, r := range a.Roles {
		if !contains(def.Roles, r) {
			continue
		}
		err := unitRule(r, f, a)
		if err == nil {
			return r, nil
		}
		if refusal == nil {
			refusal = err
		}
	}
	if refusal == nil {
		return "", forbidden(def)
	}
	return "", refusal
}

// unitRule: the unit that may act in a role on this decision (Art. 25 for
// the review body; the undertaking unit, the execution units, the organ's
// office and leaders).
func unitRule(r Role, f *Facts, a Actor) error {
	d := f.Decision
	switch r {
	case RoleSystem:
		return nil // only the engine holds it (ValidRole refuses it for people)
	case RoleOffice, RoleLeader:
		if OrganOf(f.Units, a.UnitID) == d.OrganID && d.OrganID != 0 {
			return nil
		}
		return sodError("unit_not_organ", "", "您不属于本决策的决策机关，不能办理此事项", "you do not belong to this decision's organ")
	case RoleUndertaking:
		if d.UndertakingUnitID != nil && *d.UndertakingUnitID == a.UnitID {
			return nil
		}
		return sodError("unit_not_undertaking", "", "您所在单位不是本决策的承办单位，不能办理此事项", "your unit does not undertake this decision")
	case RoleLegalReviewer:
		if o, ok := f.Units[d.OrganID]; ok && o.ReviewUnitID != nil && *o.ReviewUnitID == a.UnitID {
			return nil
		}
		return sodError("unit_not_review_body", "Art. 25",
			"《重大行政决策程序暂行条例》第二十五条：合法性审查由决策机关的合法性审查部门负责；您所在单位不是本决策机关的合法性审查部门",
			"Art. 25: the legality review is the organ's review body's; your unit is not that body")
	case RoleExecutor:
		if slices.Contains(f.ExecutionUnitIDs, a.UnitID) {
			return nil
		}
		return sodError("unit_not_executor", "Art. 34", "您所在单位不是本决策的执行单位，不能办理此事项", "your unit does not execute this decision")
	}
	return &Error{Code: CodeForbidden, ZH: "您的角色无权办理此事项", EN: "your role may not do this"}
}

func sodError(rule, article, zh, en string) *Error {
	return &Error{Code: CodeForbidden, Rule: rule, Article: article, ZH: zh, EN: en}
}

// SeparationRule is one rule of separation of duties: on the listed
// events, the actor must not be in the conflict it describes. Refusals are
// 403 forbidden naming the rule (Rule), except where PROCEDURE.md gives the
// rule a code of its own (Art. 36 ¶2: evaluator_not_independent, 422).
type SeparationRule struct {
	ID      string
	Article string
	ZH, EN  string
	Events  []string
	// Conflict reports whether the act would break the rule.
	Conflict func(f *Facts, a *Act) bool
	// Refuse, when set, gives the refusal itself (a rule with a code of its
	// own); otherwise the refusal is 403 forbidden with ZH/EN and the rule.
	Refuse func(f *Facts, a *Act) error
}

// legalityEvents are the review body's acts on a decision.
var legalityEvents = []string{EvRecordLegalityOpinion, EvReturnLegalitySubmission}

// meetingEvents record the meeting's decision (Art. 30).
var meetingEvents = []string{EvApprove, EvReturnForRevision, EvReject, EvPostpone}

// SeparationOfDuties is the one table of separation of duties, enforced by
// Fire on every path (API, pages, seeds).
var SeparationOfDuties = []SeparationRule{
	{ID: "sod_reviewer_not_drafter", Article: "Art. 25, 28", Events: legalityEvents,
		ZH: "《重大行政决策程序暂行条例》第二十五条、第二十八条：起草或送审本决策草案的人员不得出具合法性审查意见或退回送审材料",
		EN: "Art. 25, 28: a person who drafted or submitted this draft may not review its legality",
		Conflict: func(f *Facts, a *Act) bool {
			me := a.Actor.UserID
			if contains(f.DrafterIDs, me) {
				return true
			}
			for _, r := range f.Records {
				if r.Event == EvSubmitLegalityReview && r.ActorID == me {
					return true
				}
			}
			return false
		}},
	{ID: "sod_review_not_by_undertaking_unit", Article: "Art. 25", Events: legalityEvents,
		ZH: "《重大行政决策程序暂行条例》第二十五条：承办单位自身的人员不得代替合法性审查部门出具审查意见",
		EN: "Art. 25: the undertaking unit's own staff may not give the review body's opinion",
		Conflict: func(f *Facts, a *Act) bool {
			u := f.Decision.UndertakingUnitID
			return u != nil && *u == a.Actor.UnitID
		}},
	{ID: "sod_meeting_recorder_not_submitter", Article: "Art. 29, 30", Events: meetingEvents,
		ZH: "《重大行政决策程序暂行条例》第二十九条、第三十条：提请集体讨论的人员不得登记会议的决定",
		EN: "Art. 29, 30: the person who submitted the draft to the meeting may not record the meeting's decision",
		Conflict: func(f *Facts, a *Act) bool {
			r := f.Last(EvSubmitToMeeting)
			return r != nil && r.ActorID == a.Actor.UserID
		}},
	{ID: "sod_evaluator_independent", Article: "Art. 36 ¶2", Events: []string{EvStartEvaluation},
		ZH:       "《重大行政决策程序暂行条例》第三十六条第二款：决策作出前承担主要论证评估工作的单位不得承担决策后评估",
		EN:       "Art. 36 ¶2: whoever did the main pre-decision assessment work may not carry out the post-evaluation",
		Conflict: func(f *Facts, a *Act) bool { return evaluatorIndependent(f, a) != nil },
		Refuse:   evaluatorIndependent},
}

// separation checks the table for one act.
func separation(f *Facts, a *Act) error {
	for _, r := range SeparationOfDuties {
		if !contains(r.Events, a.Event) || !r.Conflict(f, a) {
			continue
		}
		if r.Refuse != nil {
			err := r.Refuse(f, a)
			if e, ok := AsError(err); ok && e.Rule == "" {
				e.Rule = r.ID // the rule's own code stays; the rule is named for the security log
			}
			return err
		}
		return sodError(r.ID, r.Article, r.ZH, r.EN)
	}
	return nil
}

// CheckAdminRoles enforces 三员分立 on a set of roles a person would hold:
// at most one of the three administrator roles, and none of them together
// with a business role. It returns a 403 naming the rule.
func CheckAdminRoles(roles []Role) error {
	var admin, business []Role
	for _, r := range roles {
		switch {
		case contains(AdminRoles, r):
			admin = append(admin, r)
		case contains(BusinessRoles, r):
			business = append(business, r)
		}
	}
	if len(admin) > 1 {
		return sodError("three_admins_exclusive", "GB/T 22239-2019 8.1.4.2",
			"三员分立：系统管理员、安全管理员、审计管理员不得由同一人兼任（"+joinRoles(admin, true)+"）",
			"三员分立: the system, security and audit administrator roles exclude each other ("+joinRoles(admin, false)+")")
	}
	if len(admin) == 1 && len(business) > 0 {
		return sodError("admin_not_business", "GB/T 22239-2019 8.1.4.2",
			"三员分立：管理员不得同时担任业务角色（"+joinRoles(append(admin, business...), true)+"）",
			"三员分立: an administrator may not also hold a business role ("+joinRoles(append(admin, business...), false)+")")
	}
	return nil
}
