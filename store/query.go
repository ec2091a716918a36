package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

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

// Decision returns one decision the actor may see (not_found otherwise).
func (db *DB) Decision(ctx context.Context, actor workflow.Actor, id int64) (*workflow.Decision, error) {
	row, _, _, err := db.visibleDecision(ctx, db.r, actor, id, "")
	if err != nil {
		return nil, err
	}
	d := row.decision()
	return &d, nil
}

// Decisions lists the decisions the actor may see, newest first, and the
// total that match.
func (db *DB) Decisions(ctx context.Context, actor workflow.Actor, f DecisionFilter) ([]workflow.Decision, int, error) {
	scope, _, err := db.scopeOf(ctx, db.r, actor)
	if err != nil {
		return nil, 0, err
	}
	sc, args := scopeSQL(scope, "d")
	where := []string{sc}
	if f.State != nil {
		where, args = append(where, "d.state = ?"), append(args, *f.State)
	}
	if f.UnitID != nil {
		where, args = append(where, "(d.organ_id = ? OR d.undertaking_unit_id = ?)"), append(args, *f.UnitID, *f.UnitID)
	}
	var phrase string
	if f.Text != nil && strings.TrimSpace(*f.Text) != "" {
		var like string
		like, phrase = db.titleSearch(*f.Text)
		where, args = append(where, "d.title LIKE ?"), append(args, like)
	}
	cond := strings.Join(where, " AND ")
	limit, offset := f.Norm()
	count, countArgs := `SELECT COUNT(*) FROM decisions d WHERE `+cond, args
	from, fromArgs, order := `FROM decisions d WHERE `+cond, args, `d.id`
	var total int
	if phrase != "" {
		// The trigram index of titles finds the candidates (a superset: it
		// folds case beyond ASCII); LIKE, tested on them, decides as on
		// every other path. Few candidates are counted and paged from the
		// index (CROSS JOIN: SQLite cannot tell that they are few, and
		// would scan the scope instead); many are counted on the scope's
		// covering index (organ, title) with LIKE, cheaper than looking
		// each one up, and paged from the index unless the scope holds few
		// of them.
		var n int // candidates, counted up to one past the threshold
		if err := db.r.GetContext(ctx, &n, fmt.Sprintf(`SELECT COUNT(*) FROM (SELECT 1 FROM decision_titles WHERE decision_titles MATCH ? LIMIT %d)`,
			titleCandidatesByID+1), phrase); err != nil {
			return nil, 0, err
		}
		if n == 0 {
			return []workflow.Decision{}, 0, nil
		}
		byIndex, byIndexArgs := `FROM decision_titles t CROSS JOIN decisions d ON d.id = t.rowid WHERE t.decision_titles MATCH ? AND `+cond,
			append([]any{phrase}, args...)
		if n <= titleCandidatesByID {
			count, countArgs = `SELECT COUNT(*) `+byIndex, byIndexArgs
		}
		if err := db.r.GetContext(ctx, &total, count, countArgs...); err != nil {
			return nil, 0, err
		}
		// From the index the page walks about n/total candidates per row
		// shown (n is counted only up to the threshold, so for a scope of
		// at least a tenth of it the walk is bounded by the table).
		if n <= titleCandidatesByID || total*titleDense >= n {
			from, fromArgs, order = byIndex, byIndexArgs, `t.rowid`
		}
	} else if err := db.r.GetContext(ctx, &total, db.r.Rebind(count), countArgs...); err != nil {
		return nil, 0, err
	}
	if total <= offset {
		return []workflow.Decision{}, total, nil
	}
	var rows []decisionRow
	err = db.r.SelectContext(ctx, &rows, db.r.Rebind(`SELECT `+prefixCols("d.", decisionCols)+` `+from+
		fmt.Sprintf(` ORDER BY %s DESC LIMIT %d OFFSET %d`, order, limit, offset)), fromArgs...)
	if err != nil {
		return nil, 0, err
	}
	return decisionsOf(rows), total, nil
}

// decisionsOf converts the rows read.
func decisionsOf(rows []decisionRow) []workflow.Decision {
	out := make([]workflow.Decision, len(rows))
	for i := range rows {
		out[i] = rows[i].decision()
	}
	return out
}

// titleCandidatesByID: up to this many candidates from the trigram index
// of titles are counted by looking each one up (≈ 1 µs each); above it,
// scanning the scope's covering index with LIKE costs less.
var titleCandidatesByID = 20000

// titleDense: when at least one candidate in this many is in the list, a
// page is read newest first from the trigram index; sparser, the scope's
// own indexes lead.
var titleDense = 10

// titleSearch gives the LIKE argument that finds decisions whose title
// contains the text (its wildcards dropped) and, on SQLite for three
// characters or more, the FTS5 phrase that finds their candidates in the
// trigram index of titles (migration 00043); PostgreSQL and shorter texts
// have LIKE alone.
func (db *DB) titleSearch(text string) (like, phrase string) {
	t := likeEscape(strings.TrimSpace(text))
	if db.d.name == "sqlite" && utf8.RuneCountInString(t) >= 3 {
		phrase = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
	}
	return "%" + t + "%", phrase
}

// prefixCols qualifies a comma-separated column list with a table alias.
func prefixCols(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = alias + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// likeEscape neutralises LIKE wildcards typed by a user.
func likeEscape(s string) string {
	return strings.NewReplacer(`%`, ``, `_`, ``).Replace(s)
}

// DecisionAuditVisible reports (nil) whether the actor may read the audit
// trail of the decision: it is in their scope, or they read the whole trail.
func (db *DB) DecisionAuditVisible(ctx context.Context, actor workflow.Actor, id int64) error {
	units, err := db.units(ctx, db.r)
	if err != nil {
		return err
	}
	if workflow.AuditScopeOf(actor, units).All {
		_, err := db.loadDecisionRow(ctx, db.r, id, "")
		return err
	}
	_, err = db.Decision(ctx, actor, id)
	return err
}

// Drafts lists a decision's draft versions, oldest first (a decision the
// actor may see).
func (db *DB) Drafts(ctx context.Context, actor workflow.Actor, decisionID int64) ([]workflow.Draft, error) {
	if _, err := db.Decision(ctx, actor, decisionID); err != nil {
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

// Records lists a decision's stage records, oldest first (a decision the
// actor may see).
func (db *DB) Records(ctx context.Context, actor workflow.Actor, decisionID int64) ([]workflow.Record, error) {
	if _, err := db.Decision(ctx, actor, decisionID); err != nil {
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
	// Event is an event code ("record_legality_opinion", "sign_in" …).
	Event *string
	// UnitID: events of decisions of that organ or undertaken by that
	// unit, and events of the people of that unit.
	UnitID *int64
	// Person is part of the name of who acted.
	Person *string
	// Desc lists the newest first (the console); the API keeps chain order.
	Desc bool
	Page
}

// Audit lists the audit events the actor may read (workflow.AuditScopeOf),
// in chain order, and the total that match.
func (db *DB) Audit(ctx context.Context, actor workflow.Actor, f AuditFilter) ([]AuditEvent, int, error) {
	units, err := db.units(ctx, db.r)
	if err != nil {
		return nil, 0, err
	}
	sc, args := auditScopeSQL(workflow.AuditScopeOf(actor, units), "a")
	where := []string{sc}
	if f.DecisionID != nil {
		where, args = append(where, "a.decision_id = ?"), append(args, *f.DecisionID)
	}
	if f.ActorID != nil {
		where, args = append(where, "a.actor_id = ?"), append(args, *f.ActorID)
	}
	if f.Since != nil {
		where, args = append(where, "a.at >= ?"), append(args, ts(*f.Since))
	}
	if f.Until != nil {
		where, args = append(where, "a.at < ?"), append(args, ts(*f.Until))
	}
	if f.Event != nil {
		where, args = append(where, "a.event = ?"), append(args, *f.Event)
	}
	if f.UnitID != nil {
		where, args = append(where, "(a.decision_id IN (SELECT ud.id FROM decisions ud WHERE ud.organ_id = ? OR ud.undertaking_unit_id = ?)"+
			" OR a.actor_id IN (SELECT uu.id FROM users uu WHERE uu.unit_id = ?))"), append(args, *f.UnitID, *f.UnitID, *f.UnitID)
	}
	if f.Person != nil && strings.TrimSpace(*f.Person) != "" {
		where, args = append(where, "a.actor_name LIKE ?"), append(args, "%"+likeEscape(strings.TrimSpace(*f.Person))+"%")
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	var total int
	if err := db.r.GetContext(ctx, &total, db.r.Rebind(`SELECT COUNT(*) FROM audit_events a`+cond), args...); err != nil {
		return nil, 0, err
	}
	limit, offset := f.Norm()
	order := "a.seq"
	if f.Desc {
		order = "a.seq DESC"
	}
	var out []AuditEvent
	err = db.r.SelectContext(ctx, &out, db.r.Rebind(`SELECT `+prefixCols("a.", auditCols)+` FROM audit_events a`+cond+fmt.Sprintf(` ORDER BY %s LIMIT %d OFFSET %d`, order, limit, offset)), args...)
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

// Deadlines lists the open deadlines of one decision the actor may see.
func (db *DB) Deadlines(ctx context.Context, actor workflow.Actor, id int64) ([]workflow.Deadline, error) {
	if err := db.refreshConfig(ctx, db.r); err != nil {
		return nil, err
	}
	row, _, _, err := db.visibleDecision(ctx, db.r, actor, id, "")
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
func (db *DB) AllDeadlines(ctx context.Context, actor workflow.Actor, overdueOnly bool) ([]DecisionDeadline, error) {
	scope, _, err := db.scopeOf(ctx, db.r, actor)
	if err != nil {
		return nil, err
	}
	// From the deadline index every act keeps (one query, whatever the
	// number of decisions); overdue is decided as of today, China time.
	today := workflow.DateOf(db.Now())
	sc, args := scopeSQL(scope, "d")
	// CROSS JOIN: SQLite then starts from the index (the overdue ones by
	// their own index) rather than from every decision in scope.
	q := `SELECT x.decision_id, x.kind, x.due_on, x.overdue_on, d.title, d.state FROM deadline_index x CROSS JOIN decisions d WHERE d.id = x.decision_id AND ` + sc
	order := ` ORDER BY x.due_on, x.decision_id`
	if overdueOnly {
		q, args = q+` AND x.overdue_on <= ?`, append(args, workflow.FormatDate(today))
		// An expression, so that the few overdue rows are found by their
		// index and sorted, rather than every row read in due_on order.
		order = ` ORDER BY x.due_on || '', x.decision_id`
	}
	var rows []struct {
		DecisionID int64  `db:"decision_id"`
		Kind       string `db:"kind"`
		DueOn      string `db:"due_on"`
		OverdueOn  string `db:"overdue_on"`
		Title      string `db:"title"`
		State      string `db:"state"`
	}
	if err := db.r.SelectContext(ctx, &rows, db.r.Rebind(q+order), args...); err != nil {
		return nil, err
	}
	out := make([]DecisionDeadline, 0, len(rows))
	for _, r := range rows {
		due, _ := workflow.ParseDate(r.DueOn)
		over, _ := workflow.ParseDate(r.OverdueOn)
		out = append(out, DecisionDeadline{DecisionID: r.DecisionID, Title: r.Title, State: workflow.State(r.State),
			Deadline: workflow.DeadlineOf(r.Kind, due, over, today)})
	}
	return out, nil
}

// DeadlineCounts counts the open deadlines across every decision and the
// overdue ones as of today (what AllDeadlines lists for the system, counted
// by the database from the deadline index instead of read: for the
// metrics, which at 100,000 decisions read 100 MB to count them).
func (db *DB) DeadlineCounts(ctx context.Context) (open, overdue int, err error) {
	if err := db.r.GetContext(ctx, &open, `SELECT COUNT(*) FROM deadline_index`); err != nil {
		return 0, 0, err
	}
	today := workflow.FormatDate(workflow.DateOf(db.Now()))
	err = db.r.GetContext(ctx, &overdue, db.r.Rebind(`SELECT COUNT(*) FROM deadline_index WHERE overdue_on <= ?`), today)
	return open, overdue, err
}

// openDeadlines computes the deadlines of every decision (alias d) that
// matches cond and is not closed, in id order, as of now.
func (db *DB) openDeadlines(ctx context.Context, cond string, args []any, now time.Time, each func(r *decisionRow, ds []workflow.Deadline)) error {
	var terminal []string
	for _, s := range workflow.States {
		if s.Terminal {
			terminal, args = append(terminal, "?"), append(args, string(s.Code))
		}
	}
	var rows []decisionRow
	if err := db.r.SelectContext(ctx, &rows, db.r.Rebind(`SELECT `+prefixCols("d.", decisionCols)+` FROM decisions d WHERE `+cond+
		` AND d.state NOT IN (`+strings.Join(terminal, ",")+`) ORDER BY d.id`), args...); err != nil {
		return err
	}
	for i := range rows {
		f, err := db.facts(ctx, db.r, &rows[i], now)
		if err != nil {
			return err
		}
		each(&rows[i], workflow.Deadlines(f))
	}
	return nil
}
