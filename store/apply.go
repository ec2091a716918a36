package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"decisiond/workflow"

	"github.com/jmoiron/sqlx"
)

// decisionRow is the decisions table as sqlx scans it.
type decisionRow struct {
	ID                   int64  `db:"id"`
	Title                string `db:"title"`
	OrganID              int64  `db:"organ_id"`
	UndertakingUnitID    *int64 `db:"undertaking_unit_id"`
	Category             string `db:"category"`
	Domains              string `db:"domains"`
	Technical            bool   `db:"technical"`
	RiskRelevant         bool   `db:"risk_relevant"`
	NonDisclosable       bool   `db:"non_disclosable"`
	AffectsMarket        bool   `db:"affects_market"`
	PublicConcern        bool   `db:"public_concern"`
	AffectsSpecificGroup bool   `db:"affects_specific_group"`
	CatalogueItemID      *int64 `db:"catalogue_item_id"`
	HearingRequired      bool   `db:"hearing_required"`
	ConcernedUnits       string `db:"concerned_units"`
	State                string `db:"state"`
	Version              int64  `db:"version"`
	CurrentDraftHash     string `db:"current_draft_hash"`
	LegalityFloor        int64  `db:"legality_floor"`
	ParentID             *int64 `db:"parent_id"`
	CreatedBy            int64  `db:"created_by"`
	CreatedAt            string `db:"created_at"`
	UpdatedAt            string `db:"updated_at"`
	StateSince           string `db:"state_since"`
}

const decisionCols = `id, title, organ_id, undertaking_unit_id, category, domains, technical, risk_relevant, non_disclosable,
	affects_market, public_concern, affects_specific_group, catalogue_item_id, hearing_required, concerned_units, state, version, current_draft_hash,
	legality_floor, parent_id, created_by, created_at, updated_at, state_since`

func (r *decisionRow) decision() workflow.Decision {
	d := workflow.Decision{ID: r.ID, Title: r.Title, OrganID: r.OrganID, UndertakingUnitID: r.UndertakingUnitID,
		Flags: workflow.Flags{Category: r.Category, Technical: r.Technical, RiskRelevant: r.RiskRelevant, NonDisclosable: r.NonDisclosable,
			AffectsMarket: r.AffectsMarket, PublicConcern: r.PublicConcern, AffectsSpecificGroup: r.AffectsSpecificGroup, CatalogueItemID: r.CatalogueItemID,
			HearingRequired: r.HearingRequired},
		State: workflow.State(r.State), Version: r.Version, CurrentDraftHash: r.CurrentDraftHash, ParentID: r.ParentID,
		CreatedBy: r.CreatedBy, CreatedAt: parseTS(r.CreatedAt), UpdatedAt: parseTS(r.UpdatedAt), StateSince: parseTS(r.StateSince)}
	_ = json.Unmarshal([]byte(r.Domains), &d.Domains)
	if d.Domains == nil {
		d.Domains = []string{}
	}
	_ = json.Unmarshal([]byte(r.ConcernedUnits), &d.ConcernedUnits)
	if d.ConcernedUnits == nil {
		d.ConcernedUnits = []int64{}
	}
	return d
}

// rowOf is the decisions row that stores d (the inverse of decision()),
// with its legality floor and the creation time it keeps.
func rowOf(d *workflow.Decision, floor int64, createdAt string) decisionRow {
	domains, _ := json.Marshal(nonNilStrings(d.Domains))
	concerned, _ := json.Marshal(nonNilIDs(d.ConcernedUnits))
	return decisionRow{ID: d.ID, Title: d.Title, OrganID: d.OrganID, UndertakingUnitID: d.UndertakingUnitID, Category: d.Category,
		Domains: string(domains), Technical: d.Technical, RiskRelevant: d.RiskRelevant, NonDisclosable: d.NonDisclosable,
		AffectsMarket: d.AffectsMarket, PublicConcern: d.PublicConcern, AffectsSpecificGroup: d.AffectsSpecificGroup,
		CatalogueItemID: d.CatalogueItemID, HearingRequired: d.HearingRequired, ConcernedUnits: string(concerned),
		State: string(d.State), Version: d.Version, CurrentDraftHash: d.CurrentDraftHash, LegalityFloor: floor, ParentID: d.ParentID,
		CreatedBy: d.CreatedBy, CreatedAt: createdAt, UpdatedAt: ts(d.UpdatedAt), StateSince: ts(d.StateSince)}
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilIDs(s []int64) []int64 {
	if s == nil {
		return []int64{}
	}
	return s
}

// Result is a decision after an act.
type Result struct {
	Decision workflow.Decision `json:"decision"`
	AuditSeq int64             `json:"audit_seq"`
	// Spawned is the new decision opened by a major adjustment (Art. 37).
	Spawned  *int64           `json:"spawned_decision_id,omitempty"`
	Warnings []workflow.Label `json:"warnings,omitempty"`
}

// CreateDecision records a new decision proposal in state proposed, with
// version 1, and audits it. data is the decoded request (workflow.DecodeData).
// Errors: validation_failed, forbidden.
func (db *DB) CreateDecision(ctx context.Context, data map[string]any, actor workflow.Actor) (_ *Result, err error) {
	defer func() { db.acts.observe(db.proc, "create", err) }()
	var res Result
	err = db.inGroup(ctx, func(tx *sqlx.Tx) error {
		units, err := db.units(ctx, tx)
		if err != nil {
			return err
		}
		d, err := workflow.NewDecision(data, actor, units)
		if err != nil {
			return err
		}
		if !actor.System && (workflow.OrganOf(units, actor.UnitID) != d.OrganID || !workflow.CanView(actor, *d, nil, units)) {
			return &workflow.Error{Code: workflow.CodeForbidden, Rule: "organ_scope",
				ZH: "只能为本机关（或本单位承办）登记决策事项建议", EN: "you may record proposals only for your own organ (or your own unit's undertaking)"}
		}
		if data, err = db.linkCatalogueItem(ctx, tx, d, data); err != nil {
			return err
		}
		now := db.Now()
		d.CreatedAt, d.UpdatedAt, d.StateSince = now, now, now
		row := rowOf(d, 0, ts(now))
		if err := db.insertDecision(ctx, tx, &row); err != nil {
			return err
		}
		d.ID = row.ID
		role, _ := firstRole(actor, workflow.CreateRoles)
		ev := &AuditEvent{DecisionID: &d.ID, OrganID: &d.OrganID, ActorID: actor.UserID, ActorName: actor.Name, Role: string(role), Event: "create",
			To: string(d.State), Version: d.Version}
		clean := make(map[string]any, len(data))
		for k, v := range data {
			clean[k] = v
		}
		delete(clean, contentKey) // the engine's key: a client's value never counts
		// The queue and deadlines first, then the chain (locked to commit).
		if err := db.afterAct(ctx, tx, d.ID, actor); err != nil {
			return err
		}
		if _, err := db.txWebhooks(ctx, tx); err != nil { // read before the chain is locked
			return err
		}
		if err := db.appendAct(ctx, tx, ev, now, withContent(clean, map[string]string{"decision": row.hash()})); err != nil {
			return err
		}
		res = Result{Decision: *d, AuditSeq: ev.Seq}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}

func firstRole(a workflow.Actor, allowed []workflow.Role) (workflow.Role, bool) {
	for _, r := range a.Roles {
		for _, x := range allowed {
			if r == x {
				return r, true
			}
		}
	}
	return "", false
}

// insertDecision inserts the row and sets its id.
func (db *DB) insertDecision(ctx context.Context, tx *sqlx.Tx, r *decisionRow) error {
	return tx.GetContext(ctx, &r.ID, tx.Rebind(`INSERT INTO decisions (title, organ_id, undertaking_unit_id, category, domains,
		technical, risk_relevant, non_disclosable, affects_market, public_concern, affects_specific_group, catalogue_item_id, hearing_required,
		concerned_units, state, version, current_draft_hash, legality_floor, parent_id, created_by, created_at, updated_at, state_since)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		r.Title, r.OrganID, r.UndertakingUnitID, r.Category, r.Domains, r.Technical, r.RiskRelevant, r.NonDisclosable,
		r.AffectsMarket, r.PublicConcern, r.AffectsSpecificGroup, r.CatalogueItemID, r.HearingRequired, r.ConcernedUnits, r.State, r.Version,
		r.CurrentDraftHash, r.LegalityFloor, r.ParentID, r.CreatedBy, r.CreatedAt, r.UpdatedAt, r.StateSince)
}

// Apply performs one act on a decision: the one path every act takes.
// In one transaction it locks and loads the decision and the records its
// guards need, fires the event on the procedure machine, bumps the version
// (optimistically, against expectedVersion), writes the stage record and
// the hash-chained audit event — all of it or none of it.
//
// Errors (*workflow.Error codes): not_found, version_conflict, forbidden,
// invalid_transition, validation_failed, and each guard's code.
func (db *DB) Apply(ctx context.Context, decisionID int64, act workflow.Act, expectedVersion int64) (_ *Result, err error) {
	defer func() { db.acts.observe(db.proc, act.Event, err) }() // metrics: acts by event and outcome
	var res *Result
	var refusal *workflow.Error
	pre := db.readAhead(ctx, decisionID, act.Event, expectedVersion)
	err = db.inGroup(ctx, func(tx *sqlx.Tx) error {
		var err error
		res, refusal, err = db.apply(ctx, tx, decisionID, act, expectedVersion, pre)
		return err
	})
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		// The act was kept on the record (a finding, Art. 24) and still
		// answers with its rule's refusal.
		return nil, refusal
	}
	if act.Event == workflow.EvPublish {
		// Each publication is checkpointed: what the public reads is anchored.
		if _, err := db.Checkpoint(context.WithoutCancel(ctx), "publish"); err != nil {
			slog.Error("checkpoint after publication", "decision", decisionID, "err", err)
		}
	}
	return res, nil
}

func (db *DB) loadDecisionRow(ctx context.Context, q sqlx.QueryerContext, id int64, lock string) (*decisionRow, error) {
	var row decisionRow
	err := sqlx.GetContext(ctx, q, &row, db.w.Rebind(`SELECT `+decisionCols+` FROM decisions WHERE id = ?`+lock), id)
	if isNoRows(err) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load decision: %w", err)
	}
	return &row, nil
}

// Facts loads what the guards of an act on this decision may look at.
func (db *DB) facts(ctx context.Context, q sqlx.QueryerContext, row *decisionRow, now time.Time) (*workflow.Facts, error) {
	units, err := db.units(ctx, q)
	if err != nil {
		return nil, err
	}
	exec, err := executionUnits(ctx, q, row.ID)
	if err != nil {
		return nil, err
	}
	return db.factsFor(ctx, q, row, now, "", units, exec, nil)
}

// factsFor loads what the guards of an act of event may read ("" for
// everything: deadlines): the decision's records except those of the
// repeatable events the act does not read (workflow.EventDef.Reads), the
// drafters only for the review body's acts, the archive packages only for
// record_archive — so an act costs the same whatever the decision's
// history. units and exec are the organ directory and the execution units,
// already loaded.
func (db *DB) factsFor(ctx context.Context, q sqlx.QueryerContext, row *decisionRow, now time.Time, event string,
	units map[int64]workflow.Unit, exec []int64, pre *preRead) (*workflow.Facts, error) {
	f := &workflow.Facts{Decision: row.decision(), Rules: db.Rules(), Calendar: db.Calendar(), Now: now, Units: units, ExecutionUnitIDs: exec}
	var err error
	if o, ok := f.Units[row.OrganID]; ok && o.HeadUserID != nil {
		// Art. 30: the meeting record's head is the organ's head, by name.
		if f.HeadName, err = db.txDisplayName(ctx, q, *o.HeadUserID); err != nil {
			return nil, fmt.Errorf("load the organ's head: %w", err)
		}
	}
	if row.ParentID != nil {
		// Art. 37: an adjusted decision's procedure runs after the meeting
		// that adjusted its parent.
		var data string
		err := sqlx.GetContext(ctx, q, &data, db.w.Rebind(`SELECT data FROM records WHERE decision_id = ? AND event = ? ORDER BY id DESC LIMIT 1`),
			*row.ParentID, workflow.EvAdjust)
		if err != nil && !isNoRows(err) {
			return nil, fmt.Errorf("load the adjusting act: %w", err)
		}
		var adj struct {
			Meeting struct {
				HeldOn string `json:"held_on"`
			} `json:"meeting"`
		}
		if data != "" && json.Unmarshal([]byte(data), &adj) == nil {
			f.NotBefore, _ = workflow.ParseDate(adj.Meeting.HeldOn)
		}
	}
	if event == "" || event == workflow.EvRecordArchive {
		if f.ArchivePackages, err = archivePackages(ctx, q, row.ID); err != nil {
			return nil, err
		}
	}
	var skip []string
	if event != "" {
		skip = db.proc.SkippedRecords(event)
	}
	if pre != nil {
		f.Records, f.DrafterIDs = pre.records, pre.drafters
	} else {
		if f.Records, err = db.recordsExcept(ctx, q, row.ID, skip); err != nil {
			return nil, err
		}
		if event == "" || workflow.NeedsDrafters(event) {
			if f.DrafterIDs, err = drafters(ctx, q, row.ID); err != nil {
				return nil, err
			}
		}
	}
	if f.CatalogueItems, err = db.catalogueItemFacts(ctx, q, row.CatalogueItemID); err != nil {
		return nil, err
	}
	if workflow.NeedsComments(event) {
		// Art. 18: the comments of the current period, ids and marks only.
		if f.Comments, err = commentFacts(ctx, q, row.ID); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func drafters(ctx context.Context, q sqlx.QueryerContext, decisionID int64) ([]int64, error) {
	var ids []int64
	err := sqlx.SelectContext(ctx, q, &ids, sqlx.Rebind(bindOf(q), `SELECT DISTINCT author_id FROM drafts WHERE decision_id = ?`), decisionID)
	return ids, err
}

// preRead is what an act reads of its decision before it joins the writer:
// the records its guards read, its execution units and its drafters, at a
// version. These change only with the decision's version (every act writes
// them in the transaction that bumps it), so inside the write transaction
// the act reads the decision row alone and, when its version is still the
// one read here, uses them; otherwise it reads them again there. The
// serial part of an act (SQLite's one writer, PostgreSQL's row and chain
// locks) then holds no read of history.
type preRead struct {
	version  int64
	exec     []int64
	records  []workflow.Record
	drafters []int64
}

// at is p when it was read at version v, nil otherwise (or when p is nil).
func (p *preRead) at(v int64) *preRead {
	if p == nil || p.version != v {
		return nil
	}
	return p
}

// readAhead reads a preRead on the readers' pool, decision row first: whatever it
// reads after is at least as new as that version, and anything newer
// shows as a version that no longer matches. nil when there is nothing to
// gain (the act will be refused for its version) or on any error: the act
// then reads everything inside its transaction, as before.
func (db *DB) readAhead(ctx context.Context, decisionID int64, event string, expected int64) *preRead {
	if _, ok := db.proc.Event(event); !ok {
		return nil
	}
	var version int64
	if err := db.r.GetContext(ctx, &version, db.r.Rebind(`SELECT version FROM decisions WHERE id = ?`), decisionID); err != nil || version != expected {
		return nil
	}
	p := &preRead{version: version}
	var err error
	if p.exec, err = executionUnits(ctx, db.r, decisionID); err != nil {
		return nil
	}
	if p.records, err = db.recordsExcept(ctx, db.r, decisionID, db.proc.SkippedRecords(event)); err != nil {
		return nil
	}
	if workflow.NeedsDrafters(event) {
		if p.drafters, err = drafters(ctx, db.r, decisionID); err != nil {
			return nil
		}
	}
	return p
}

type recordRow struct {
	ID        int64  `db:"id"`
	Event     string `db:"event"`
	From      string `db:"from_state"`
	To        string `db:"to_state"`
	ActorID   int64  `db:"actor_id"`
	ActorName string `db:"actor_name"`
	Data      string `db:"data"`
	DraftHash string `db:"draft_hash"`
	At        string `db:"at"`
}

func (db *DB) records(ctx context.Context, q sqlx.QueryerContext, decisionID int64) ([]workflow.Record, error) {
	var rows []recordRow
	err := sqlx.SelectContext(ctx, q, &rows, db.w.Rebind(`SELECT r.id, r.event, r.from_state, r.to_state, r.actor_id,
		COALESCE(u.display_name, '') AS actor_name, r.data, r.draft_hash, r.at
		FROM records r LEFT JOIN users u ON u.id = r.actor_id WHERE r.decision_id = ? ORDER BY r.id`), decisionID)
	if err != nil {
		return nil, fmt.Errorf("load records: %w", err)
	}
	return recordsOf(rows), nil
}

// recordsExcept loads a decision's records for the guards: no names (the
// guards read ids), and of the events in skip only the latest of each (what
// the deadline index and the work queue read after the act, afterActWith).
func (db *DB) recordsExcept(ctx context.Context, q sqlx.QueryerContext, decisionID int64, skip []string) ([]workflow.Record, error) {
	const cols = `r.id, r.event, r.from_state, r.to_state, r.actor_id, r.data, r.draft_hash, r.at`
	query, args := `SELECT `+cols+` FROM records r WHERE r.decision_id = ?`, []any{decisionID}
	if len(skip) > 0 {
		// The events read, by name: the (decision_id, event) index finds
		// them without walking the skipped history; of each skipped event
		// one index probe finds the latest.
		var read []string
		for _, e := range db.proc.Events() {
			if !slices.Contains(skip, e.Name) {
				read = append(read, e.Name)
			}
		}
		query += ` AND r.event IN (` + marks(len(read)) + `)`
		for _, e := range read {
			args = append(args, e)
		}
		latest, largs := latestRecordsSQL(cols, decisionID, skip)
		query += ` UNION ALL ` + latest
		args = append(args, largs...)
	}
	var rows []recordRow
	// No ORDER BY: it would lead the planner to walk the whole history in
	// id order; the few rows are sorted here instead.
	if err := sqlx.SelectContext(ctx, q, &rows, sqlx.Rebind(bindOf(q), query), args...); err != nil {
		return nil, fmt.Errorf("load records: %w", err)
	}
	slices.SortFunc(rows, func(a, b recordRow) int { return cmp.Compare(a.ID, b.ID) })
	return recordsOf(rows), nil
}

// latestRecordsSQL selects the latest record of each of the events of a
// decision: one primary-key lookup of one index probe per event, which both
// planners keep (an IN over a derived table led PostgreSQL's to hash-join
// the whole records table).
func latestRecordsSQL(cols string, decisionID int64, events []string) (string, []any) {
	parts := make([]string, len(events))
	args := make([]any, 0, 2*len(events))
	for i, e := range events {
		parts[i] = `SELECT ` + cols + ` FROM records r WHERE r.id = (SELECT MAX(l.id) FROM records l WHERE l.decision_id = ? AND l.event = ?)`
		args = append(args, decisionID, e)
	}
	return strings.Join(parts, " UNION ALL "), args
}

func recordsOf(rows []recordRow) []workflow.Record {
	out := make([]workflow.Record, len(rows))
	for i, r := range rows {
		out[i] = workflow.Record{ID: r.ID, Event: r.Event, From: workflow.State(r.From), To: workflow.State(r.To), ActorID: r.ActorID,
			ActorName: r.ActorName, Data: json.RawMessage(r.Data), DraftHash: r.DraftHash, At: parseTS(r.At)}
	}
	return out
}

func (db *DB) apply(ctx context.Context, tx *sqlx.Tx, decisionID int64, act workflow.Act, expected int64, pre *preRead) (*Result, *workflow.Error, error) {
	actor := act.Actor
	// 403 when none of the caller's roles may fire the event at all, checked
	// first; then a decision outside the caller's scope is 404, as if it did
	// not exist.
	if err := db.proc.CheckRole(act.Event, actor); err != nil {
		return nil, nil, err
	}
	// The configuration in force (rule pack, calendar, the organ
	// directory) is revalidated against its version row in every write
	// transaction — once for a group of acts (see txMemo for why that is
	// the same).
	if err := db.refreshConfig(ctx, tx); err != nil {
		return nil, nil, err
	}
	row, exec, units, err := db.visibleDecisionWith(ctx, tx, actor, decisionID, db.d.forUpdate, pre)
	if err != nil {
		return nil, nil, err
	}
	pre = pre.at(row.Version) // nil when another act came between: read again, under the lock
	if row.Version != expected {
		return nil, nil, &workflow.Error{Code: workflow.CodeVersionConflict,
			ZH: fmt.Sprintf("该决策已被他人更新（当前版本%d，您提交的版本%d），请刷新后重试", row.Version, expected),
			EN: fmt.Sprintf("the decision has changed (current version %d, you sent %d); reload and try again", row.Version, expected)}
	}
	now := db.Now()
	at := ts(now)
	f, err := db.factsFor(ctx, tx, row, now, act.Event, units, exec, pre)
	if err != nil {
		return nil, nil, err
	}
	if err := db.actCatalogueItem(ctx, tx, f, act); err != nil {
		return nil, nil, err
	}
	out, err := db.proc.Fire(ctx, f, act)
	if err != nil {
		return nil, nil, err
	}
	d := f.Decision
	content := map[string]string{}
	var draft *draftContent
	if out.NewDraft != nil {
		var no int
		if err := tx.GetContext(ctx, &no, tx.Rebind(`SELECT COALESCE(MAX(no), 0) + 1 FROM drafts WHERE decision_id = ?`), d.ID); err != nil {
			return nil, nil, err
		}
		out.NewDraft.No = no
		out.Data["draft_no"] = no
		draft = &draftContent{DecisionID: d.ID, No: no, SHA256: out.NewDraft.SHA256, Text: out.NewDraft.Text, Note: out.NewDraft.Note,
			AuthorID: actor.UserID, At: at}
		content["draft"] = draft.hash()
		d.CurrentDraftHash = out.NewDraft.SHA256
	}
	if out.UndertakingUnitID != nil {
		d.UndertakingUnitID = out.UndertakingUnitID
	}
	if out.Flags != nil {
		d.Flags = *out.Flags
	}
	floor := row.LegalityFloor
	if out.ResetLegality {
		if err := tx.GetContext(ctx, &floor, tx.Rebind(`SELECT COALESCE(MAX(id), 0) FROM legality_opinions WHERE decision_id = ?`), d.ID); err != nil {
			return nil, nil, err
		}
	}
	// Art. 37: the decision a major adjustment opens is a full decision —
	// version 1, its own creation event (below), linked both ways.
	var spawned *decisionRow
	if out.Spawn != nil {
		out.Spawn.CreatedAt, out.Spawn.UpdatedAt, out.Spawn.StateSince = now, now, now
		r := rowOf(out.Spawn, 0, at)
		if err := db.insertDecision(ctx, tx, &r); err != nil {
			return nil, nil, fmt.Errorf("open adjusted decision: %w", err)
		}
		out.Spawn.ID = r.ID
		spawned = &r
		out.Data["spawned_decision_id"] = r.ID
	}

	d.Version++
	if d.State != out.To {
		d.StateSince = now
	}
	d.State, d.UpdatedAt = out.To, now
	recData, err := canonicalData(out.Data)
	if err != nil {
		return nil, nil, err
	}
	rec := recordContent{DecisionID: d.ID, Event: out.Event, From: string(out.From), To: string(out.To), ActorID: actor.UserID,
		Data: string(recData), DraftHash: out.DraftHash, At: at}
	content["record"] = rec.hash()
	var op *opinionContent
	if out.Opinion != nil {
		kind := out.Opinion.Kind
		if kind == "" {
			kind = workflow.OpinionKindOpinion
		}
		op = &opinionContent{DecisionID: d.ID, DraftHash: out.Opinion.DraftHash, Outcome: out.Opinion.Outcome,
			RiskStatement: out.Opinion.RiskStatement, Kind: kind, At: at}
		content["opinion"] = op.hash()
	}
	newRow := rowOf(&d, floor, row.CreatedAt)
	content["decision"] = newRow.hash()

	// What needs no place in the chain is written first — the execution
	// units, the decision's new version (the optimistic check), and the
	// deadline index and queue of the decision after the act — so that the
	// chain, which every act shares, is locked (PostgreSQL's advisory lock)
	// only for its own append and the rows that point at it, up to commit.
	for _, u := range out.ExecutionUnitIDs {
		if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO decision_units (decision_id, unit_id) VALUES (?, ?) ON CONFLICT DO NOTHING`), d.ID, u); err != nil {
			return nil, nil, fmt.Errorf("insert execution unit: %w", err)
		}
	}
	r, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE decisions SET state = ?, version = ?, current_draft_hash = ?, legality_floor = ?,
		undertaking_unit_id = ?, category = ?, domains = ?, technical = ?, risk_relevant = ?, non_disclosable = ?, affects_market = ?,
		public_concern = ?, affects_specific_group = ?, catalogue_item_id = ?, hearing_required = ?, concerned_units = ?, updated_at = ?, state_since = ?
		WHERE id = ? AND version = ?`),
		newRow.State, newRow.Version, newRow.CurrentDraftHash, newRow.LegalityFloor, newRow.UndertakingUnitID, newRow.Category, newRow.Domains,
		newRow.Technical, newRow.RiskRelevant, newRow.NonDisclosable, newRow.AffectsMarket, newRow.PublicConcern, newRow.AffectsSpecificGroup,
		newRow.CatalogueItemID, newRow.HearingRequired, newRow.ConcernedUnits, newRow.UpdatedAt, newRow.StateSince, d.ID, expected)
	if err != nil {
		return nil, nil, fmt.Errorf("update decision: %w", err)
	}
	if n, _ := r.RowsAffected(); n != 1 {
		return nil, nil, workflow.Errorf(workflow.CodeVersionConflict, "该决策已被他人更新，请刷新后重试", "the decision has changed; reload and try again")
	}
	// After the act: the decision as stored, its execution units, and its
	// records — those the act read (the latest of every event among them)
	// and the one it writes below (its id is not known yet: the index and
	// the queue read records by their order).
	execAfter := slices.Clone(f.ExecutionUnitIDs)
	for _, u := range out.ExecutionUnitIDs {
		if !slices.Contains(execAfter, u) {
			execAfter = append(execAfter, u)
		}
	}
	slices.Sort(execAfter)
	recs := append(slices.Clip(f.Records), workflow.Record{Event: rec.Event, From: out.From, To: out.To, ActorID: rec.ActorID,
		Data: json.RawMessage(rec.Data), DraftHash: rec.DraftHash, At: parseTS(rec.At)})
	after := &workflow.Facts{Decision: newRow.decision(), Records: recs, Units: f.Units, ExecutionUnitIDs: execAfter,
		Rules: f.Rules, Calendar: f.Calendar, Now: now}
	if err := db.afterActWith(ctx, tx, after, actor); err != nil {
		return nil, nil, err
	}
	if spawned != nil {
		if err := db.afterAct(ctx, tx, spawned.ID, actor); err != nil {
			return nil, nil, err
		}
	}
	// Webhook subscriptions are read before the chain is locked.
	if _, err := db.txWebhooks(ctx, tx); err != nil {
		return nil, nil, err
	}

	// The chain: the audit event first, then the rows that point at it.
	ev := &AuditEvent{DecisionID: &d.ID, OrganID: &d.OrganID, ActorID: actor.UserID, ActorName: actor.Name, Role: string(out.Role), Event: out.Event,
		From: string(out.From), To: string(out.To), Version: d.Version}
	if err := db.appendAct(ctx, tx, ev, now, withContent(out.Data, content)); err != nil {
		return nil, nil, err
	}
	rec.AuditSeq = ev.Seq
	var recID int64
	if err := tx.GetContext(ctx, &recID, tx.Rebind(`INSERT INTO records (decision_id, audit_seq, event, from_state, to_state, actor_id, data, draft_hash, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`), rec.DecisionID, rec.AuditSeq, rec.Event, rec.From, rec.To, rec.ActorID,
		rec.Data, rec.DraftHash, rec.At); err != nil {
		return nil, nil, fmt.Errorf("insert record: %w", err)
	}
	if draft != nil {
		if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO drafts (decision_id, no, sha256, text, note, author_id, at, audit_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
			draft.DecisionID, draft.No, draft.SHA256, draft.Text, draft.Note, draft.AuthorID, draft.At, ev.Seq); err != nil {
			return nil, nil, fmt.Errorf("insert draft: %w", err)
		}
	}
	if err := db.attach(ctx, tx, d.ID, recID, ev.Seq, out.Event, workflow.DocumentRefs(out.Data), ts(now)); err != nil {
		return nil, nil, err
	}
	if op != nil {
		if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO legality_opinions (decision_id, record_id, draft_hash, outcome, risk_statement, kind, at, audit_seq)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), op.DecisionID, recID, op.DraftHash, op.Outcome, op.RiskStatement, op.Kind, op.At, ev.Seq); err != nil {
			return nil, nil, fmt.Errorf("insert legality opinion: %w", err)
		}
	}
	res := &Result{Decision: d, AuditSeq: ev.Seq, Warnings: out.Warnings}
	if spawned != nil {
		// The adjusted decision's own creation event, naming its parent and
		// the act that opened it; the parent's record names the child.
		parent := d.ID
		cev := &AuditEvent{DecisionID: &spawned.ID, OrganID: &spawned.OrganID, ActorID: actor.UserID, ActorName: actor.Name, Role: string(out.Role),
			Event: "create", To: spawned.State, Version: spawned.Version}
		cdata := map[string]any{"title": spawned.Title, "parent_id": parent, "opened_by": map[string]any{"event": out.Event, "audit_seq": ev.Seq},
			"reason": out.Data["reason"]}
		if err := db.appendAct(ctx, tx, cev, now, withContent(cdata, map[string]string{"decision": spawned.hash()})); err != nil {
			return nil, nil, err
		}
		res.Spawned = &spawned.ID
	}
	return res, out.Refusal, nil
}
