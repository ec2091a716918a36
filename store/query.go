package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"decisiond/workflow"
)

// Page is a pagination request; Limit is clamped to 1..200.
type Page struct {
	Page    int
	PerPage int
}

// MaxPerPage is the largest page size.
const MaxPerPage = 200

// Norm returns the page as LIMIT and OFFSET (defaults filled in, clamped).
func (p Page) Norm() (limit, offset int) {
	if p.PerPage <= 0 {
		p.PerPage = 20
	}
	if p.PerPage > 200 {
		p.PerPage = 200
	}
	if p.Page <= 0 {
		p.Page = 1
	}
	return p.PerPage, (p.Page - 1) * p.PerPage
}

// DecisionFilter selects decisions. Nil fields are not filtered on.
type DecisionFilter struct {
	State  *string
	UnitID *int64 // organ or undertaking unit
	Text   *string
	Page
}

// Decision returns one decision.
func (db *DB) Decision(ctx context.Context, id int64) (*workflow.Decision, error) {
	row, err := db.loadDecisionRow(ctx, db.r, id, "")
	if err != nil {
		return nil, err
	}
	d := row.decision()
	return &d, nil
}

// Decisions lists decisions, newest first, and the total that match.
func (db *DB) Decisions(ctx context.Context, f DecisionFilter) ([]workflow.Decision, int, error) {
	var where []string
	var args []any
	if f.State != nil {
		where, args = append(where, "state = ?"), append(args, *f.State)
	}
	if f.UnitID != nil {
		where, args = append(where, "(organ_id = ? OR undertaking_unit_id = ?)"), append(args, *f.UnitID, *f.UnitID)
	}
	if f.Text != nil && strings.TrimSpace(*f.Text) != "" {
		where, args = append(where, "title LIKE ?"), append(args, "%"+likeEscape(strings.TrimSpace(*f.Text))+"%")
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := db.r.GetContext(ctx, &total, db.r.Rebind(`SELECT COUNT(*) FROM decisions`+cond), args...); err != nil {
		return nil, 0, err
	}
	limit, offset := f.Norm()
	var rows []decisionRow
	err := db.r.SelectContext(ctx, &rows, db.r.Rebind(`SELECT `+decisionCols+` FROM decisions`+cond+
		fmt.Sprintf(` ORDER BY id DESC LIMIT %d OFFSET %d`, limit, offset)), args...)
	if err != nil {
		return nil, 0, err
	}
	out := make([]workflow.Decision, len(rows))
	for i := range rows {
		out[i] = rows[i].decision()
	}
	return out, total, nil
}

// likeEscape neutralises LIKE wildcards typed by a user.
func likeEscape(s string) string {
	return strings.NewReplacer(`%`, ``, `_`, ``).Replace(s)
}

// Drafts lists a decision's draft versions, oldest first.
func (db *DB) Drafts(ctx context.Context, decisionID int64) ([]workflow.Draft, error) {
	if _, err := db.Decision(ctx, decisionID); err != nil {
		return nil, err
	}
	var rows []struct {
		workflow.Draft
		At string `db:"at"`
	}
	err := db.r.SelectContext(ctx, &rows, db.r.Rebind(`SELECT id, no, sha256, text, note, author_id, at FROM drafts WHERE decision_id = ? ORDER BY no`), decisionID)
	if err != nil {
		return nil, err
	}
	out := make([]workflow.Draft, len(rows))
	for i, r := range rows {
		out[i] = r.Draft
		out[i].At = parseTS(r.At)
	}
	return out, nil
}

// Records lists a decision's stage records, oldest first.
func (db *DB) Records(ctx context.Context, decisionID int64) ([]workflow.Record, error) {
	if _, err := db.Decision(ctx, decisionID); err != nil {
		return nil, err
	}
	return db.records(ctx, db.r, decisionID)
}

// AuditFilter selects audit events. Nil fields are not filtered on.
type AuditFilter struct {
	DecisionID *int64
	ActorID    *int64
	Since      *time.Time
	Until      *time.Time
	Page
}

// Audit lists audit events in chain order and the total that match.
func (db *DB) Audit(ctx context.Context, f AuditFilter) ([]AuditEvent, int, error) {
	var where []string
	var args []any
	if f.DecisionID != nil {
		where, args = append(where, "decision_id = ?"), append(args, *f.DecisionID)
	}
	if f.ActorID != nil {
		where, args = append(where, "actor_id = ?"), append(args, *f.ActorID)
	}
	if f.Since != nil {
		where, args = append(where, "at >= ?"), append(args, ts(*f.Since))
	}
	if f.Until != nil {
		where, args = append(where, "at < ?"), append(args, ts(*f.Until))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := db.r.GetContext(ctx, &total, db.r.Rebind(`SELECT COUNT(*) FROM audit_events`+cond), args...); err != nil {
		return nil, 0, err
	}
	limit, offset := f.Norm()
	var out []AuditEvent
	err := db.r.SelectContext(ctx, &out, db.r.Rebind(`SELECT seq, at, decision_id, actor_id, actor_name, role, event, from_state, to_state,
		version, data, alg, prev_hash, hash FROM audit_events`+cond+fmt.Sprintf(` ORDER BY seq LIMIT %d OFFSET %d`, limit, offset)), args...)
	if out == nil {
		out = []AuditEvent{}
	}
	return out, total, err
}

// CountDecisions tells whether the database holds any decision (seeding
// refuses to run twice).
func (db *DB) CountDecisions(ctx context.Context) (int, error) {
	var n int
	err := db.r.GetContext(ctx, &n, `SELECT COUNT(*) FROM decisions`)
	return n, err
}

// DecisionDeadline is one open deadline of one decision.
type DecisionDeadline struct {
	DecisionID int64          `json:"decision_id"`
	Title      string         `json:"title"`
	State      workflow.State `json:"state"`
	workflow.Deadline
}

// Deadlines lists the open deadlines of one decision.
func (db *DB) Deadlines(ctx context.Context, id int64) ([]workflow.Deadline, error) {
	if err := db.refreshConfig(ctx, db.r); err != nil {
		return nil, err
	}
	row, err := db.loadDecisionRow(ctx, db.r, id, "")
	if err != nil {
		return nil, err
	}
	f, err := db.facts(ctx, db.r, row, db.Now())
	if err != nil {
		return nil, err
	}
	ds := workflow.Deadlines(f)
	if ds == nil {
		ds = []workflow.Deadline{}
	}
	return ds, nil
}

// AllDeadlines lists the open deadlines across every decision that is not
// in a terminal state, soonest first; overdueOnly keeps the overdue ones
// (including decisions that have not moved for longer than the rule pack
// allows, 久拖不决, Art. 38).
func (db *DB) AllDeadlines(ctx context.Context, overdueOnly bool) ([]DecisionDeadline, error) {
	if err := db.refreshConfig(ctx, db.r); err != nil {
		return nil, err
	}
	var terminal []any
	var marks []string
	for _, s := range workflow.States {
		if s.Terminal {
			terminal, marks = append(terminal, string(s.Code)), append(marks, "?")
		}
	}
	var rows []decisionRow
	if err := db.r.SelectContext(ctx, &rows, db.r.Rebind(`SELECT `+decisionCols+` FROM decisions WHERE state NOT IN (`+strings.Join(marks, ",")+`) ORDER BY id`), terminal...); err != nil {
		return nil, err
	}
	now := db.Now()
	out := []DecisionDeadline{}
	for i := range rows {
		f, err := db.facts(ctx, db.r, &rows[i], now)
		if err != nil {
			return nil, err
		}
		for _, d := range workflow.Deadlines(f) {
			if overdueOnly && !d.Overdue {
				continue
			}
			out = append(out, DecisionDeadline{DecisionID: rows[i].ID, Title: rows[i].Title, State: workflow.State(rows[i].State), Deadline: d})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Due.Before(out[j].Due) })
	return out, nil
}
