package workflow

import (
	"context"
	"errors"
	"sort"

	"github.com/looplab/fsm"
)

// States.
const (
	StProposed            State = "proposed"
	StDrafting            State = "drafting"
	StPublicParticipation State = "public_participation"
	StExpertReview        State = "expert_review"
	StRiskAssessment      State = "risk_assessment"
	StLegalityReview      State = "legality_review"
	StCollectiveDecision  State = "collective_decision"
	StDecided             State = "decided"
	StPublished           State = "published"
	StInExecution         State = "in_execution"
	StPostEvaluation      State = "post_evaluation"
	StSuspended           State = "suspended"
	StPostponed           State = "postponed"
	StNotLaunched         State = "not_launched"
	StRejected            State = "rejected"
	StWithdrawn           State = "withdrawn"
	StLapsed              State = "lapsed"
	StStopped             State = "stopped"
	StSuperseded          State = "superseded"
	StCompleted           State = "completed"
)

// StateDef describes a state.
type StateDef struct {
	Code     State  `json:"code"`
	ZH       string `json:"zh"`
	EN       string `json:"en"`
	Terminal bool   `json:"terminal"`
	Article  string `json:"article,omitempty"`
}

// States lists every state in procedure order.
var States = []StateDef{
	{StProposed, "建议研究", "proposal under study", false, "Art. 10"},
	{StDrafting, "决策启动·草案拟订", "launched; drafting", false, "Art. 11–13"},
	{StPublicParticipation, "公众参与", "public participation", false, "Art. 14–18"},
	{StExpertReview, "专家论证", "expert review", false, "Art. 19–21"},
	{StRiskAssessment, "风险评估", "risk assessment", false, "Art. 22–24"},
	{StLegalityReview, "合法性审查", "legality review", false, "Art. 25–28"},
	{StCollectiveDecision, "集体讨论决定", "collective decision", false, "Art. 29–30"},
	{StDecided, "已决定待公布", "decided; publication pending", false, "Art. 31"},
	{StPublished, "已公布", "published", false, "Art. 32"},
	{StInExecution, "执行中", "in execution", false, "Art. 34–35"},
	{StPostEvaluation, "决策后评估", "post-decision evaluation", false, "Art. 36"},
	{StSuspended, "中止执行", "execution suspended", false, "Art. 37"},
	{StPostponed, "暂缓", "postponed", false, "Art. 30"},
	{StNotLaunched, "不予启动", "not launched", true, "Art. 10"},
	{StRejected, "未通过", "rejected", true, "Art. 30"},
	{StWithdrawn, "撤回", "withdrawn", true, ""},
	{StLapsed, "暂缓失效", "lapsed after postponement", true, ""},
	{StStopped, "停止执行", "stopped", true, "Art. 37"},
	{StSuperseded, "重大调整另行决策", "superseded by a major adjustment", true, "Art. 37"},
	{StCompleted, "执行完毕", "completed", true, "Art. 34"},
}

// StateByCode returns the definition of a state.
func StateByCode(s State) (StateDef, bool) {
	for _, d := range States {
		if d.Code == s {
			return d, true
		}
	}
	return StateDef{}, false
}

// Event codes.
const (
	EvLaunch                   = "launch"
	EvDecline                  = "decline"
	EvReviseDraft              = "revise_draft"
	EvStartParticipation       = "start_participation"
	EvWaiveParticipation       = "waive_participation"
	EvRecordHearing            = "record_hearing"
	EvCompleteParticipation    = "complete_participation"
	EvCompleteExpertReview     = "complete_expert_review"
	EvWaiveExpertReview        = "waive_expert_review"
	EvCompleteRiskAssessment   = "complete_risk_assessment"
	EvWaiveRiskAssessment      = "waive_risk_assessment"
	EvSubmitLegalityReview     = "submit_legality_review"
	EvReturnLegalitySubmission = "return_legality_submission"
	EvRecordLegalityOpinion    = "record_legality_opinion"
	EvSubmitToMeeting          = "submit_to_meeting"
	EvApprove                  = "approve"
	EvReturnForRevision        = "return_for_revision"
	EvReject                   = "reject"
	EvPostpone                 = "postpone"
	EvResumeDiscussion         = "resume_discussion"
	EvLapse                    = "lapse"
	EvReportToParty            = "report_to_party"
	EvPublish                  = "publish"
	EvStartExecution           = "start_execution"
	EvReportExecution          = "report_execution"
	EvReportIssue              = "report_issue"
	EvSuspend                  = "suspend"
	EvResume                   = "resume"
	EvStartEvaluation          = "start_evaluation"
	EvCompleteEvaluation       = "complete_evaluation"
	EvStop                     = "stop"
	EvAdjust                   = "adjust"
	EvComplete                 = "complete"
	EvWithdraw                 = "withdraw"
	EvAmendFlags               = "amend_flags"
	EvRecordArchive            = "record_archive"
	EvRecordConsultation       = "record_consultation"
	EvRecordInternalLegalCheck = "record_internal_legal_check"
	EvConfirmRevisions         = "confirm_revisions"
)

// EventDef describes one event of the procedure.
type EventDef struct {
	Name    string  `json:"event"`
	From    []State `json:"from"`
	To      State   `json:"to"` // empty: the state does not change (self)
	Roles   []Role  `json:"roles"`
	ZH      string  `json:"zh"`
	EN      string  `json:"en"`
	Article string  `json:"article,omitempty"`
	Fields  []Field `json:"-"`
	// Reads lists the repeatable events (RepeatableEvents) whose records
	// the event's guards and effects read; the store loads no record of the
	// other repeatable events for it, so an act costs the same however long
	// the decision's history of reports, drafts and hearings has grown.
	Reads []string `json:"-"`
}

// RepeatableEvents are the events a decision may record without bound
// (each draft version, each execution report …). Every other event is a
// step of the procedure, recorded a bounded number of times per pass.
var RepeatableEvents = []string{EvReviseDraft, EvReportExecution, EvReportIssue, EvRecordConsultation, EvRecordInternalLegalCheck, EvRecordHearing}

// SkippedRecords lists the repeatable events whose records an act of event
// does not read (nil for an unknown event: load everything).
func (p *Procedure) SkippedRecords(event string) []string {
	e, ok := p.events[event]
	if !ok {
		return nil
	}
	var out []string
	for _, r := range RepeatableEvents {
		if !contains(e.Reads, r) {
			out = append(out, r)
		}
	}
	return out
}

// NeedsDrafters reports whether an act of event reads who drafted the
// decision (the separation of duties of the review body).
func NeedsDrafters(event string) bool { return contains(legalityEvents, event) }

// Self reports whether the event leaves the state unchanged.
func (e EventDef) Self() bool { return e.To == "" }

// Target is the state after the event from state s.
func (e EventDef) Target(s State) State {
	if e.Self() {
		return s
	}
	return e.To
}

// Guard is one legal rule checked before an act. It returns nil to allow
// the act or a *Error (usually a RuleError) to refuse it. Adding a rule is
// adding one Guard to the guards table; the machine does not change.
type Guard func(f *Facts, a *Act) error

// Effect computes what an allowed act does beyond the state change (a new
// draft, an opinion, a spawned decision …).
type Effect func(f *Facts, a *Act, o *Outcome)

// Act is one request to fire an event.
type Act struct {
	Event string
	Data  map[string]any
	Actor Actor
}

// Procedure is the procedure machine: the event table, its guards and
// effects. It is immutable and safe for concurrent use.
type Procedure struct {
	events  map[string]*EventDef
	order   []string
	guards  map[string][]Guard
	effects map[string][]Effect
}

// New builds the procedure from the event table, guards and effects.
func New() *Procedure {
	p := &Procedure{events: map[string]*EventDef{}, guards: guardTable(), effects: effectTable()}
	for i := range eventTable {
		e := &eventTable[i]
		p.events[e.Name] = e
		p.order = append(p.order, e.Name)
	}
	return p
}

// Events lists the events in table order.
func (p *Procedure) Events() []EventDef {
	out := make([]EventDef, 0, len(p.order))
	for _, n := range p.order {
		out = append(out, *p.events[n])
	}
	return out
}

// Event returns one event definition.
func (p *Procedure) Event(name string) (EventDef, bool) {
	e, ok := p.events[name]
	if !ok {
		return EventDef{}, false
	}
	return *e, true
}

// Guards returns the guards of an event (for documentation and tests).
func (p *Procedure) Guards(event string) []Guard { return p.guards[event] }

// machine builds a fresh looplab/fsm machine at state s. A fresh machine
// per act avoids fsm's wedge after a cancelled context and shares no
// mutable state between concurrent acts.
func (p *Procedure) machine(s State, callbacks fsm.Callbacks) *fsm.FSM {
	var descs []fsm.EventDesc
	for _, n := range p.order {
		e := p.events[n]
		for _, from := range e.From {
			descs = append(descs, fsm.EventDesc{Name: e.Name, Src: []string{string(from)}, Dst: string(e.Target(from))})
		}
	}
	return fsm.NewFSM(string(s), descs, callbacks)
}

// Allowed reports whether the event may be fired from state s at all.
func (p *Procedure) Allowed(event string, s State) bool {
	e, ok := p.events[event]
	return ok && contains(e.From, s)
}

// RoleFor returns the first of the actor's roles allowed to fire the event.
func (p *Procedure) RoleFor(event string, a Actor) (Role, bool) {
	e, ok := p.events[event]
	if !ok {
		return "", false
	}
	for _, r := range a.Roles {
		if contains(e.Roles, r) {
			return r, true
		}
	}
	return "", false
}

// Available lists the events this actor may fire from state s (by role and
// state; guards are checked when the act is tried).
func (p *Procedure) Available(s State, a Actor) []string {
	out := []string{}
	for _, n := range p.order {
		if _, ok := p.RoleFor(n, a); ok && p.Allowed(n, s) {
			out = append(out, n)
		}
	}
	return out
}

// EngineKeys are keys of a record's data that the engine itself writes
// (warnings, the meeting pack, draft hashes …). A client's value for one of
// them is dropped before the act is checked.
var EngineKeys = []string{"warnings", "meeting_pack", "legal_risk_statement", "sha256", "length", "draft_no", "spawned_decision_id",
	"parent_id", "sent_back", "finding", "catalogue_requirements", ContentKey}

// ContentKey is the key of an audit event's data under which the store
// binds the rows the act wrote (their content hashes, store.Verify). The
// engine owns it: a client's value is dropped.
const ContentKey = "content_hashes"

// Fire checks and performs one act on the decision described by f. It
// returns the outcome for the store to persist, or a *Error:
//
//	validation_failed  unknown event, malformed or missing minimal data
//	forbidden          the actor holds no role that may fire the event
//	invalid_transition the event is not allowed from the current state
//	<guard code>       a legal rule refuses the act (see docs/rules.md)
func (p *Procedure) Fire(ctx context.Context, f *Facts, a Act) (*Outcome, error) {
	def, ok := p.events[a.Event]
	if !ok {
		return nil, dataErr("event", "未知的事项操作："+a.Event, "unknown event: "+a.Event)
	}
	if _, ok := p.RoleFor(a.Event, a.Actor); !ok {
		return nil, forbidden(def)
	}
	// Who before when: the unit rule of the acting role, then separation
	// of duties (403), then the state (409), the fields (400), the guards (422).
	role, err := actingRole(def, f, a.Actor)
	if err != nil {
		return nil, err
	}
	if err := separation(f, &a); err != nil {
		return nil, err
	}
	from := f.Decision.State
	if !contains(def.From, from) {
		return nil, invalidTransition(def, from)
	}
	// The act works on its own copy: the caller's map is never changed.
	data := make(map[string]any, len(a.Data)+4)
	for k, v := range a.Data {
		data[k] = v
	}
	a.Data = data
	for _, k := range EngineKeys {
		delete(a.Data, k) // the engine writes these; a client's value never counts
	}
	out := &Outcome{Event: def.Name, From: from, To: def.Target(from), Role: role, Data: a.Data, DraftHash: f.Decision.CurrentDraftHash}
	check := func(ctx context.Context, e *fsm.Event) {
		var inv Invalid
		ValidateFields(a.Data, def.Fields, "", &inv)
		checkDocuments(a.Data, &inv)
		if err := inv.Err(); err != nil {
			e.Cancel(err)
			return
		}
		if err := datesNotBeforeRegulation(f, def.Fields, a.Data); err != nil {
			e.Cancel(err)
			return
		}
		for _, g := range p.guards[def.Name] {
			if err := g(f, &a); err != nil {
				e.Cancel(err)
				return
			}
		}
	}
	// The machine of this act holds its one transition (the state was
	// checked above): building the whole procedure's machine for each act
	// cost more than the guards.
	m := fsm.NewFSM(string(from), []fsm.EventDesc{{Name: def.Name, Src: []string{string(from)}, Dst: string(def.Target(from))}},
		fsm.Callbacks{"before_" + def.Name: check})
	err = m.Event(context.WithoutCancel(ctx), def.Name)
	var noTransition fsm.NoTransitionError
	var canceled fsm.CanceledError
	switch {
	case err == nil, errors.As(err, &noTransition): // a self-loop succeeds with NoTransitionError
	case errors.As(err, &canceled):
		return nil, canceled.Err
	default:
		return nil, invalidTransition(def, from)
	}
	if State(m.Current()) != out.To {
		return nil, Errorf(CodeInternal, "状态机结果异常", "procedure machine reached an unexpected state")
	}
	for _, fx := range p.effects[def.Name] {
		fx(f, &a, out)
	}
	return out, nil
}

func forbidden(def *EventDef) *Error {
	roles := make([]string, len(def.Roles))
	for i, r := range def.Roles {
		roles[i] = string(r)
	}
	sort.Strings(roles)
	return &Error{Code: CodeForbidden,
		ZH: "您的角色无权办理「" + def.ZH + "」，该操作仅限：" + joinRoles(def.Roles, true),
		EN: "your roles may not perform " + def.Name + "; allowed: " + joinRoles(def.Roles, false)}
}

func joinRoles(rs []Role, zh bool) string {
	s := ""
	for i, r := range rs {
		if i > 0 {
			s += ", "
		}
		name := string(r)
		for _, l := range AllRoles {
			if l.Code == string(r) && zh {
				name = l.ZH
			}
		}
		if r == RoleSystem && zh {
			name = "系统"
		}
		s += name
	}
	return s
}

func invalidTransition(def *EventDef, from State) *Error {
	sd, _ := StateByCode(from)
	return &Error{Code: CodeInvalidTransition,
		ZH: "决策当前处于「" + sd.ZH + "」阶段，不能办理「" + def.ZH + "」",
		EN: "the decision is in state " + string(from) + "; " + def.Name + " is not allowed from it"}
}

// Diagram renders the procedure from the machine itself: "mermaid" or "dot".
func (p *Procedure) Diagram(format string) (string, error) {
	m := p.machine(StProposed, nil)
	switch format {
	case "mermaid", "":
		return fsm.VisualizeWithType(m, fsm.MermaidStateDiagram)
	case "dot", "graphviz":
		return fsm.VisualizeWithType(m, fsm.GRAPHVIZ)
	}
	return "", dataErr("format", "格式应为 mermaid 或 dot", "format must be mermaid or dot")
}
