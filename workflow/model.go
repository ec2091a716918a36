package workflow

import (
	"encoding/json"
	"time"
)

// State is a procedure state code (PROCEDURE.md § States).
type State string

// Role is a role code (PROCEDURE.md § Who uses it).
type Role string

// The roles.
const (
	RoleUndertaking   Role = "undertaking"
	RoleLegalReviewer Role = "legal_reviewer"
	RoleOffice        Role = "office"
	RoleLeader        Role = "leader"
	RoleExecutor      Role = "executor"
	// The three administrators of 三员分立 (等保 2.0 level 3): they exclude
	// each other and every business role, and never advance a decision.
	RoleSysadmin Role = "sysadmin" // users, units and organs, calendar, rule packs
	RoleSecadmin Role = "secadmin" // role grants, unlocking, token policy
	RoleAuditor  Role = "auditor"  // reads the whole audit trail; changes nothing
	RoleSystem   Role = "system"   // the engine itself (setup, lapse after the rule pack's period)
)

// AllRoles lists the roles a person may hold, with labels.
var AllRoles = []Label{
	{string(RoleUndertaking), "决策承办单位", "undertaking unit"},
	{string(RoleLegalReviewer), "合法性审查部门", "legality-review body"},
	{string(RoleOffice), "办公厅（室）", "general office"},
	{string(RoleLeader), "行政首长/领导", "head / leader"},
	{string(RoleExecutor), "决策执行单位", "execution unit"},
	{string(RoleSysadmin), "系统管理员", "system administrator"},
	{string(RoleSecadmin), "安全管理员", "security administrator"},
	{string(RoleAuditor), "审计管理员", "audit administrator"},
}

// AdminRoles are the three administrator roles of 三员分立.
var AdminRoles = []Role{RoleSysadmin, RoleSecadmin, RoleAuditor}

// BusinessRoles are the roles that take part in the procedure.
var BusinessRoles = []Role{RoleUndertaking, RoleLegalReviewer, RoleOffice, RoleLeader, RoleExecutor}

// ValidRole reports whether r is a role a person may hold.
func ValidRole(r string) bool {
	for _, l := range AllRoles {
		if l.Code == r {
			return true
		}
	}
	return false
}

// Label is a code with its Chinese and English names.
type Label struct {
	Code string `json:"code"`
	ZH   string `json:"zh"`
	EN   string `json:"en"`
}

// Actor is the authenticated person (or the system) performing an act.
type Actor struct {
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
	Roles  []Role `json:"roles"`
	UnitID int64  `json:"unit_id"` // the person's unit (or organ); 0 for none
	System bool   `json:"-"`       // the engine itself or the operator's command line
	Addr   string `json:"-"`       // the client address of the request, for security events
}

// Has reports whether the actor holds role r.
func (a Actor) Has(r Role) bool {
	for _, x := range a.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Unit is an organ (决策机关) or one of its units. An organ names its head
// (行政首长, a user) and its legality-review body (a unit, e.g. 司法局).
type Unit struct {
	ID           int64  `json:"id" db:"id"`
	Name         string `json:"name" db:"name"`
	ShortName    string `json:"short_name" db:"short_name"`
	Kind         string `json:"kind" db:"kind"` // organ | unit
	ParentID     *int64 `json:"parent_id" db:"parent_id"`
	HeadUserID   *int64 `json:"head_user_id" db:"head_user_id"`
	ReviewUnitID *int64 `json:"review_unit_id" db:"review_unit_id"`
}

// Flags are the decision flags of PROCEDURE.md § Decision flags.
type Flags struct {
	Category             string   `json:"category"`
	Domains              []string `json:"domains"`
	Technical            bool     `json:"technical"`
	RiskRelevant         bool     `json:"risk_relevant"`
	NonDisclosable       bool     `json:"non_disclosable"`
	AffectsMarket        bool     `json:"affects_market"`
	PublicConcern        bool     `json:"public_concern"`
	AffectsSpecificGroup bool     `json:"affects_specific_group"`
	CatalogueItemID      *int64   `json:"catalogue_item_id"`
	// HearingRequired: a hearing must be held before participation
	// completes (the catalogue item requires one, Art. 16; QH (八)).
	HearingRequired bool `json:"hearing_required"`
	// ConcernedUnits are the departments and lower governments whose
	// duties the decision touches (Art. 13): each is consulted before the
	// legality submission.
	ConcernedUnits []int64 `json:"concerned_units"`
}

// Decision is one major administrative decision.
type Decision struct {
	ID                int64  `json:"id"`
	Title             string `json:"title"`
	OrganID           int64  `json:"organ_id"`
	UndertakingUnitID *int64 `json:"undertaking_unit_id"`
	Flags
	State            State     `json:"state"`
	Version          int64     `json:"version"`
	CurrentDraftHash string    `json:"current_draft_hash"`
	ParentID         *int64    `json:"parent_id"` // the decision this one adjusts (Art. 37)
	CreatedBy        int64     `json:"created_by"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
	// StateSince is when the decision entered its current state (for 久拖不决).
	StateSince time.Time `json:"state_since"`
}

// Record is one stage record: one act on a decision, its data as given.
type Record struct {
	ID        int64           `json:"id" db:"id"`
	Event     string          `json:"event" db:"event"`
	From      State           `json:"from_state" db:"from_state"`
	To        State           `json:"to_state" db:"to_state"`
	ActorID   int64           `json:"actor_id" db:"actor_id"`
	ActorName string          `json:"actor_name" db:"actor_name"`
	Data      json.RawMessage `json:"data" db:"data"`
	DraftHash string          `json:"draft_hash,omitempty" db:"draft_hash"`
	At        time.Time       `json:"at" db:"at"`
}

// Draft is one version of a decision's draft text.
type Draft struct {
	ID       int64     `json:"id" db:"id"`
	No       int       `json:"no" db:"no"`
	SHA256   string    `json:"sha256" db:"sha256"`
	Text     string    `json:"text" db:"text"`
	Note     string    `json:"note" db:"note"`
	AuthorID int64     `json:"author_id" db:"author_id"`
	At       time.Time `json:"at" db:"at"`
}

// Opinion is a legality-review opinion as the database keeps it for the
// core invariant.
type Opinion struct {
	Outcome       string `json:"outcome"`
	DraftHash     string `json:"draft_hash"`
	RiskStatement string `json:"risk_statement,omitempty"`
	// Kind is OpinionKindOpinion for record_legality_opinion and
	// OpinionKindConfirmation for confirm_revisions: the review body's
	// confirmation, on the revised draft, that a legal_with_revisions
	// opinion was followed (Art. 28). The database's core-invariant trigger
	// reads it.
	Kind string `json:"kind,omitempty"`
}

// Kinds of legality_opinions rows.
const (
	OpinionKindOpinion      = "opinion"
	OpinionKindConfirmation = "confirmation"
)

// Legality opinion outcomes (Art. 25, 27).
const (
	OutcomeLegal               = "legal"
	OutcomeLegalWithRevisions  = "legal_with_revisions"
	OutcomeIllegal             = "illegal"
	OutcomeExploratoryWithRisk = "exploratory_with_risk"
)

// Facts is everything the guards of one act may look at. The store loads it
// inside the act's transaction.
type Facts struct {
	Decision Decision
	Records  []Record // this decision's stage records, oldest first
	// DrafterIDs are the people who wrote a draft version of this decision.
	DrafterIDs []int64
	// ExecutionUnitIDs are the units the approving meeting named to execute
	// the decision (executors' scope).
	ExecutionUnitIDs []int64
	// ArchivePackages are the hashes of this decision's exported archive
	// packages (一事一档), oldest first.
	ArchivePackages []string
	Units           map[int64]Unit
	// HeadName is the display name of the organ's head (the user the
	// organ's data names, Unit.HeadUserID): the meeting record's head is
	// matched by it (Art. 30). Empty when the organ names no head.
	HeadName string
	// NotBefore, when set, is the date no act of this decision may declare
	// a date before: for a decision opened by a major adjustment, the day of
	// the meeting that adjusted its parent (Art. 37: the procedure runs
	// again, after that decision — it does not reuse what came before).
	NotBefore time.Time
	Rules     RulePack
	Calendar  *Calendar
	Now       time.Time // the server's clock, one value for the whole act
	// CatalogueItems are the catalogue items the act concerns (the
	// decision's own and the one an amend_flags names), by item id; an id
	// with no entry names no item.
	CatalogueItems map[int64]*CatalogueItemFacts
	// Comments are the comments received through the system in the
	// current comment round (the latest start_participation), loaded only
	// for the acts that read them (NeedsComments): ids and marks, never
	// their text.
	Comments []CommentFact
}

// Today is the calendar date of Now in China Standard Time.
func (f *Facts) Today() time.Time { return DateOf(f.Now) }

// ChinaTime is China Standard Time (UTC+8, no daylight saving).
var ChinaTime = time.FixedZone("CST", 8*3600)

// DateOf is t's calendar date in China, at 00:00 UTC.
func DateOf(t time.Time) time.Time {
	y, m, d := t.In(ChinaTime).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Last returns the latest record of one of the given events, or nil.
func (f *Facts) Last(events ...string) *Record {
	for i := len(f.Records) - 1; i >= 0; i-- {
		for _, e := range events {
			if f.Records[i].Event == e {
				return &f.Records[i]
			}
		}
	}
	return nil
}

// voidsLegality reports whether a record ends the legality review of the
// pass before it: the meeting returned the draft for revision (Art. 30), or
// an amendment of the flags sent the decision back to a stage whose waiver
// had become unlawful (an amend_flags record that changed the state). Earlier
// submissions, opinions and confirmations no longer count after it.
func voidsLegality(r *Record) bool {
	return r.Event == EvReturnForRevision || (r.Event == EvAmendFlags && r.From != r.To)
}

// lastLegalityAct returns the latest of the given legality events that
// still counts, or nil when there is none or a record voiding the review
// (voidsLegality) came after it.
func (f *Facts) lastLegalityAct(events ...string) *Record {
	for i := len(f.Records) - 1; i >= 0; i-- {
		r := &f.Records[i]
		if voidsLegality(r) {
			return nil
		}
		if contains(events, r.Event) {
			return r
		}
	}
	return nil
}

// LatestOpinion returns the latest legality opinion that still counts: one
// recorded after the last time the meeting returned the draft for revision
// (or an amendment sent the decision back). Its DraftHash tells on which
// draft it was given.
func (f *Facts) LatestOpinion() (*Record, *Opinion) {
	r := f.lastLegalityAct(EvRecordLegalityOpinion)
	if r == nil {
		return nil, nil
	}
	var o Opinion
	_ = json.Unmarshal(r.Data, &o)
	o.DraftHash = r.DraftHash
	o.Kind = OpinionKindOpinion
	return r, &o
}

// Confirmation returns the review body's latest confirm_revisions record
// after the opinion op (Art. 28), or nil.
func (f *Facts) Confirmation(op *Record) *Record {
	if op == nil {
		return nil
	}
	for i := len(f.Records) - 1; i >= 0 && f.Records[i].ID != op.ID; i-- {
		if f.Records[i].Event == EvConfirmRevisions {
			return &f.Records[i]
		}
	}
	return nil
}

// Outcome is what an act does, for the store to persist.
type Outcome struct {
	Event string
	From  State
	To    State
	Role  Role           // the role the actor acted in
	Data  map[string]any // the record's data, unknown fields kept
	// DraftHash is the draft the record binds to (the current draft, or the
	// new one for revise_draft).
	DraftHash string
	NewDraft  *Draft   // revise_draft
	Opinion   *Opinion // record_legality_opinion
	// ResetLegality: earlier legality opinions no longer count.
	ResetLegality     bool
	UndertakingUnitID *int64 // launch
	Flags             *Flags // amend_flags
	// ExecutionUnitIDs are the execution units the approving meeting named
	// (approve), for the executors' scope.
	ExecutionUnitIDs []int64
	// Spawn is a new decision opened in drafting by a major adjustment.
	Spawn    *Decision
	Warnings []Label
	// Refusal, when set, is a refusal that is nevertheless kept on the
	// record: the store persists the act (its record and audit event, the
	// state unchanged), commits, and returns Refusal as the act's error.
	// Art. 24: a risk found not controllable is a finding, not a retry.
	Refusal *Error
}

// Clock tells the time; tests pin it.
type Clock interface{ Now() time.Time }

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }

// FixedClock always returns the same time (tests).
type FixedClock struct{ T time.Time }

// Now returns the pinned time.
func (c *FixedClock) Now() time.Time { return c.T }
