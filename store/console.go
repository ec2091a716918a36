package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"decisiond/workflow"

	"github.com/jmoiron/sqlx"
)

// What the console reads and keeps beside the procedure: the work queues,
// the deadline index, notifications and the office's reminder. Every list
// applies the actor's scope inside its SQL; reads append nothing to the
// audit chain; only the reminder (催办) is an audited act.

// ---- the deadline index and queue notifications, kept by every act ----

// afterAct runs inside an act's transaction (Apply, CreateDecision): it
// rebuilds the decision's row of the deadline index and tells the people
// whose queue the decision has entered. Notifications are conveniences,
// not evidence: nothing here touches the audit chain.
func (db *DB) afterAct(ctx context.Context, tx *sqlx.Tx, decisionID int64, actor workflow.Actor) error {
	f, err := db.factsOf(ctx, tx, decisionID)
	if err != nil {
		return err
	}
	return db.afterActWith(ctx, tx, f, actor)
}

// afterActWith keeps the deadline index and notifies the new holders, from
// f: the decision after the act with at least the latest record of each
// event (what factsOf loads).
func (db *DB) afterActWith(ctx context.Context, tx *sqlx.Tx, f *workflow.Facts, actor workflow.Actor) error {
	decisionID := f.Decision.ID
	if err := db.indexDeadlines(ctx, tx, f); err != nil {
		return err
	}
	// Whose move was it before this act, and whose is it now? (Creation
	// has no record: the proposal enters the office's queue.)
	var before []workflow.Role
	if n := len(f.Records); n > 0 {
		before = workflow.Holders(f.Records[n-1].From, f.Records[:n-1])
	}
	var entered []workflow.Role
	for _, r := range workflow.Holders(f.Decision.State, f.Records) {
		if !containsRole(before, r) {
			entered = append(entered, r)
		}
	}
	if len(entered) == 0 {
		return nil
	}
	users, err := db.holdersOf(ctx, tx, f, entered)
	if err != nil {
		return err
	}
	sd, _ := workflow.StateByCode(f.Decision.State)
	ref := "v" + strconv.FormatInt(f.Decision.Version, 10)
	for _, u := range users {
		if u == actor.UserID {
			continue
		}
		if err := db.notify(ctx, tx, u, decisionID, "queue", ref,
			fmt.Sprintf("「%s」已进入您的待办：%s", f.Decision.Title, sd.ZH),
			fmt.Sprintf("“%s” awaits you: %s", f.Decision.Title, sd.EN)); err != nil {
			return err
		}
	}
	return nil
}

// factsOf loads what the deadlines and the work queue read of a decision,
// now: the decision, the organ directory, its execution units and the
// latest record of each event (workflow.Deadlines and workflow.Holders
// only ever ask for the latest of some events) — so keeping the index after
// an act costs the same whatever the decision's history. No scope: the
// callers act for the engine or have checked it.
func (db *DB) factsOf(ctx context.Context, q sqlx.QueryerContext, id int64) (*workflow.Facts, error) {
	row, err := db.loadDecisionRow(ctx, q, id, "")
	if err != nil {
		return nil, err
	}
	units, err := db.units(ctx, q)
	if err != nil {
		return nil, err
	}
	exec, err := executionUnits(ctx, q, id)
	if err != nil {
		return nil, err
	}
	// The latest record of each event, found one index probe per event name
	// (a GROUP BY would walk the decision's whole history).
	events := db.proc.Events()
	names := make([]string, len(events))
	for i, e := range events {
		names[i] = e.Name
	}
	query, args := latestRecordsSQL(`r.id, r.event, r.from_state, r.to_state, r.actor_id, r.data, r.draft_hash, r.at`, id, names)
	var rows []recordRow
	if err := sqlx.SelectContext(ctx, q, &rows, sqlx.Rebind(bindOf(q), query), args...); err != nil {
		return nil, fmt.Errorf("load the latest records: %w", err)
	}
	slices.SortFunc(rows, func(a, b recordRow) int { return cmp.Compare(a.ID, b.ID) })
	recs := make([]workflow.Record, len(rows))
	for i, r := range rows {
		recs[i] = workflow.Record{ID: r.ID, Event: r.Event, From: workflow.State(r.From), To: workflow.State(r.To), ActorID: r.ActorID,
			Data: json.RawMessage(r.Data), DraftHash: r.DraftHash, At: parseTS(r.At)}
	}
	return &workflow.Facts{Decision: row.decision(), Records: recs, Units: units, ExecutionUnitIDs: exec,
		Rules: db.Rules(), Calendar: db.Calendar(), Now: db.Now()}, nil
}

func containsRole(rs []workflow.Role, r workflow.Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// indexDeadlines replaces the decision's rows of the deadline index.
func (db *DB) indexDeadlines(ctx context.Context, tx *sqlx.Tx, f *workflow.Facts) error {
	if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM deadline_index WHERE decision_id = ?`), f.Decision.ID); err != nil {
		return err
	}
	// One statement for all of them; a kind named twice keeps its last.
	var kinds []string
	rows := map[string][]any{}
	for _, d := range workflow.Deadlines(f) {
		over := d.Due.AddDate(0, 0, 1)
		if d.Kind == workflow.DlLapse {
			over = d.Due // lapses on the day itself
		}
		if _, ok := rows[d.Kind]; !ok {
			kinds = append(kinds, d.Kind)
		}
		rows[d.Kind] = []any{f.Decision.ID, d.Kind, d.DueOn, workflow.FormatDate(over)}
	}
	if len(kinds) == 0 {
		return nil
	}
	values := make([]string, len(kinds))
	args := make([]any, 0, 4*len(kinds))
	for i, k := range kinds {
		values[i] = "(?, ?, ?, ?)"
		args = append(args, rows[k]...)
	}
	_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO deadline_index (decision_id, kind, due_on, overdue_on) VALUES `+strings.Join(values, ", ")), args...)
	return err
}

// holdersOf lists the people (enabled, any of the roles, whose unit may
// act in that role on the decision) whose queue holds it.
func (db *DB) holdersOf(ctx context.Context, q sqlx.QueryerContext, f *workflow.Facts, roles []workflow.Role) ([]int64, error) {
	us, err := db.txEnabledUsers(ctx, q)
	if err != nil {
		return nil, err
	}
	return recipients(f, roles, us), nil
}

func enabledUsers(ctx context.Context, q sqlx.QueryerContext) ([]User, error) {
	var us []User
	err := sqlx.SelectContext(ctx, q, &us, `SELECT `+userCols+` FROM users u WHERE u.disabled_at IS NULL ORDER BY u.id`)
	return us, err
}

// recipients are those of the users whose unit may act on the decision in
// one of the roles.
func recipients(f *workflow.Facts, roles []workflow.Role, users []User) []int64 {
	var out []int64
	for _, u := range users {
		a := u.Actor()
		for _, r := range roles {
			if workflow.MayActAs(r, f, a) {
				out = append(out, u.ID)
				break
			}
		}
	}
	return out
}

// notify adds one notification (once per user, kind, decision and ref).
func (db *DB) notify(ctx context.Context, tx *sqlx.Tx, userID, decisionID int64, kind, ref, zh, en string) error {
	_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO notifications (user_id, decision_id, kind, ref, zh, en, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, kind, decision_id, ref) DO NOTHING`),
		userID, decisionID, kind, ref, clip(zh, 500), clip(en, 500), ts(db.Now()))
	return err
}

// RefreshDeadlines rebuilds the deadline index of every decision (the
// background job runs it at start and when the rule pack or the calendar
// changed), in batches of short transactions.
func (db *DB) RefreshDeadlines(ctx context.Context) (int, error) {
	if err := db.refreshConfig(ctx, db.r); err != nil {
		return 0, err
	}
	var ids []int64
	if err := db.r.SelectContext(ctx, &ids, `SELECT id FROM decisions ORDER BY id`); err != nil {
		return 0, err
	}
	for start := 0; start < len(ids); start += 200 {
		end := min(start+200, len(ids))
		err := db.tx(ctx, func(tx *sqlx.Tx) error {
			for _, id := range ids[start:end] {
				f, err := db.factsOf(ctx, tx, id)
				if err != nil {
					return err
				}
				if err := db.indexDeadlines(ctx, tx, f); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return start, err
		}
	}
	return len(ids), nil
}

// keyDeadlineIndex names what the deadline index was last rebuilt for: the
// configuration version and the build of the program that rebuilt it.
const keyDeadlineIndex = "deadline_index_built_for"

// RefreshDeadlinesFor rebuilds the deadline index unless it was last
// rebuilt, whole, for the configuration now in force by the same build of
// the program (build: an identity of the executable, such as its hash).
// Every act keeps the index of its decision current, so only a change of
// the rules — the rule pack or the calendar (the configuration version) or
// the code that computes deadlines (the build) — makes it stale; a plain
// restart of the same program on a large database then skips hours of
// work. An empty build always rebuilds. It reports how many decisions were
// indexed, whether it rebuilt, and the configuration version it saw.
func (db *DB) RefreshDeadlinesFor(ctx context.Context, build string) (n int, rebuilt bool, version string, err error) {
	v, err := db.ConfigVersion(ctx)
	if err != nil {
		return 0, false, "", err
	}
	mark := v + " " + build
	if build != "" {
		done, err := setting(ctx, db.r, keyDeadlineIndex)
		if err != nil {
			return 0, false, v, err
		}
		if done == mark {
			return 0, false, v, nil
		}
	}
	if n, err = db.RefreshDeadlines(ctx); err != nil {
		return n, true, v, err
	}
	// The version read before the rebuild: a change during it leaves an
	// older mark, and the next round rebuilds again.
	err = db.tx(ctx, func(tx *sqlx.Tx) error { return putSetting(ctx, tx, keyDeadlineIndex, mark) })
	return n, true, v, err
}

// ConfigVersion names the configuration in force (it changes with every
// change of the rule packs or the calendar).
func (db *DB) ConfigVersion(ctx context.Context) (string, error) {
	return setting(ctx, db.r, keyConfigVersion)
}

// ---- work queues ----

// QueueTab is one tab of the work queue.
type QueueTab string

// The tabs of the work queue.
const (
	TabTodo QueueTab = "todo" // 待办: awaiting an act of this person
	TabMine QueueTab = "mine" // 我发起的: proposals this person recorded
)

// QueueFilter narrows a work queue; nil fields are not filtered on.
type QueueFilter struct {
	Text   *string    // in the title
	UnitID *int64     // the organ or the undertaking unit
	State  *string    // the stage
	Since  *time.Time // recorded (todo, mine) or acted (done) at or after
	Until  *time.Time // … before
	Page
}

// QueueItem is a decision of a work queue with its nearest open deadline.
type QueueItem struct {
	workflow.Decision
	Deadlines []workflow.Deadline // open deadlines, overdue first, then soonest
}

// Overdue reports whether any of the item's deadlines has passed.
func (q QueueItem) Overdue() bool { return workflow.Overdue(q.Deadlines) }

// todoSQL is the condition that a decision (alias d) awaits an act of the
// actor: for some role they hold, their unit acts in that role on it
// (workflow.RoleScope) and that role holds its state (workflow.Holdings).
func todoSQL(actor workflow.Actor, units map[int64]workflow.Unit) (string, []any) {
	var or []string
	var args []any
	for _, r := range actor.Roles {
		rs := workflow.RoleScope(r, actor, units)
		if rs.Empty() {
			continue
		}
		var states []string
		var sargs []any
		for _, h := range workflow.Holdings {
			if h.Role != r {
				continue
			}
			if len(h.LastOf) == 0 {
				states, sargs = append(states, "d.state = ?"), append(sargs, string(h.State))
				continue
			}
			op := "="
			if h.Not {
				op = "<>"
			}
			cond := "(d.state = ? AND COALESCE((SELECT lr.event FROM records lr WHERE lr.decision_id = d.id AND lr.event IN (" +
				marks(len(h.LastOf)) + ") ORDER BY lr.id DESC LIMIT 1), '') " + op + " ?)"
			sargs = append(sargs, string(h.State))
			for _, e := range h.LastOf {
				sargs = append(sargs, e)
			}
			states, sargs = append(states, cond), append(sargs, h.Is)
		}
		if len(states) == 0 {
			continue
		}
		sc, scArgs := scopeSQL(rs, "d")
		or = append(or, "("+sc+" AND ("+strings.Join(states, " OR ")+"))")
		args = append(append(args, scArgs...), sargs...)
	}
	if len(or) == 0 {
		return "1=0", nil
	}
	return "(" + strings.Join(or, " OR ") + ")", args
}

// Queue lists one tab of the actor's work queue (todo or mine), overdue
// first, then by the nearest deadline, then newest; and the total.
func (db *DB) Queue(ctx context.Context, actor workflow.Actor, tab QueueTab, f QueueFilter) ([]QueueItem, int, error) {
	scope, units, err := db.scopeOf(ctx, db.r, actor)
	if err != nil {
		return nil, 0, err
	}
	sc, args := scopeSQL(scope, "d")
	where := []string{sc}
	switch tab {
	case TabTodo:
		c, a := todoSQL(actor, units)
		where, args = append(where, c), append(args, a...)
	case TabMine:
		where, args = append(where, "d.created_by = ?"), append(args, actor.UserID)
	default:
		return nil, 0, fmt.Errorf("unknown queue tab %q", tab)
	}
	where, args = decisionFilterSQL(where, args, f.Text, f.UnitID, f.State, f.Since, f.Until, "d.created_at")
	cond := " WHERE " + strings.Join(where, " AND ")
	var total int
	if err := db.r.GetContext(ctx, &total, db.r.Rebind(`SELECT COUNT(*) FROM decisions d`+cond), args...); err != nil {
		return nil, 0, err
	}
	limit, offset := f.Norm()
	today := workflow.FormatDate(workflow.DateOf(db.Now()))
	var rows []decisionRow
	q := `SELECT ` + prefixCols("d.", decisionCols) + ` FROM decisions d
		LEFT JOIN (SELECT decision_id, MIN(due_on) AS due_on, MIN(overdue_on) AS overdue_on FROM deadline_index GROUP BY decision_id) dl
		ON dl.decision_id = d.id` + cond + fmt.Sprintf(` ORDER BY CASE WHEN dl.overdue_on <= ? THEN 0 ELSE 1 END,
		CASE WHEN dl.due_on IS NULL THEN 1 ELSE 0 END, dl.due_on, d.id DESC LIMIT %d OFFSET %d`, limit, offset)
	if err := db.r.SelectContext(ctx, &rows, db.r.Rebind(q), append(args, today)...); err != nil {
		return nil, 0, err
	}
	items := make([]QueueItem, len(rows))
	ids := make([]int64, len(rows))
	for i := range rows {
		items[i].Decision, ids[i] = rows[i].decision(), rows[i].ID
	}
	dls, err := db.indexedDeadlines(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	for i := range items {
		items[i].Deadlines = dls[items[i].ID]
	}
	return items, total, nil
}

// decisionFilterSQL adds the search form's conditions on decisions (alias d).
func decisionFilterSQL(where []string, args []any, text *string, unit *int64, state *string, since, until *time.Time, timeCol string) ([]string, []any) {
	if text != nil && strings.TrimSpace(*text) != "" {
		where, args = append(where, "d.title LIKE ?"), append(args, "%"+likeEscape(strings.TrimSpace(*text))+"%")
	}
	if unit != nil {
		where, args = append(where, "(d.organ_id = ? OR d.undertaking_unit_id = ?)"), append(args, *unit, *unit)
	}
	if state != nil {
		where, args = append(where, "d.state = ?"), append(args, *state)
	}
	if since != nil {
		where, args = append(where, timeCol+" >= ?"), append(args, ts(*since))
	}
	if until != nil {
		where, args = append(where, timeCol+" < ?"), append(args, ts(*until))
	}
	return where, args
}

// indexedDeadlines reads the deadline index of the decisions, each list
// overdue first, then soonest, with today's overdue marks.
func (db *DB) indexedDeadlines(ctx context.Context, ids []int64) (map[int64][]workflow.Deadline, error) {
	out := map[int64][]workflow.Deadline{}
	if len(ids) == 0 {
		return out, nil
	}
	args := anys(ids)
	var rows []struct {
		DecisionID int64  `db:"decision_id"`
		Kind       string `db:"kind"`
		DueOn      string `db:"due_on"`
		OverdueOn  string `db:"overdue_on"`
	}
	if err := db.r.SelectContext(ctx, &rows, db.r.Rebind(`SELECT decision_id, kind, due_on, overdue_on FROM deadline_index
		WHERE decision_id IN (`+marks(len(ids))+`) ORDER BY due_on, kind`), args...); err != nil {
		return nil, err
	}
	today := workflow.FormatDate(workflow.DateOf(db.Now()))
	for _, r := range rows {
		d := DeadlineOf(r.Kind, r.DueOn)
		d.Overdue = r.OverdueOn <= today
		out[r.DecisionID] = append(out[r.DecisionID], d)
	}
	for id := range out {
		sort.SliceStable(out[id], func(i, j int) bool { return out[id][i].Overdue && !out[id][j].Overdue })
	}
	return out, nil
}

// anys makes ids the arguments of an IN (…) list.
func anys(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// deadlineKinds label the kinds of deadline (workflow.Deadlines).
var deadlineKinds = map[string]workflow.Deadline{
	workflow.DlCommentClosing:   {ZH: "公开征求意见截止", EN: "public comment period closes", Article: "Art. 15"},
	workflow.DlHearingMaterials: {ZH: "听证会材料送达期限", EN: "hearing materials must be delivered", Article: "Art. 16"},
	workflow.DlReviewDue:        {ZH: "合法性审查期限", EN: "legality review due", Article: "Art. 26"},
	workflow.DlReviewerService:  {ZH: "审查意见办理时限", EN: "reviewer service level", Article: "Art. 28"},
	workflow.DlExecutionReport:  {ZH: "执行情况报告", EN: "execution report due", Article: "Art. 34; QH (九)"},
	workflow.DlExecutionLimit:   {ZH: "执行时限", EN: "execution time limit", Article: "QH (九)"},
	workflow.DlArchiveTransfer:  {ZH: "决策记录和材料归档", EN: "archive the records and materials", Article: "Art. 33"},
	workflow.DlLapse:            {ZH: "暂缓期满失效", EN: "postponement lapses"},
	workflow.DlStuck:            {ZH: "久拖不决提示", EN: "decision has not moved", Article: "Art. 38 ¶2"},
}

// DeadlineOf is a deadline of a kind due on a day, with its labels.
func DeadlineOf(kind, dueOn string) workflow.Deadline {
	d := deadlineKinds[kind]
	if d.ZH == "" {
		d.ZH, d.EN = kind, kind
	}
	d.Kind, d.DueOn = kind, dueOn
	d.Due, _ = workflow.ParseDate(dueOn)
	return d
}

// DoneItem is one act the person took (已办).
type DoneItem struct {
	Seq        int64  `db:"seq"`
	At         string `db:"at"`
	Event      string `db:"event"`
	From       string `db:"from_state"`
	To         string `db:"to_state"`
	DecisionID int64  `db:"decision_id"`
	Title      string `db:"title"`
	State      string `db:"state"`
}

// Done lists the acts the actor took on decisions they may see, newest
// first, and the total.
func (db *DB) Done(ctx context.Context, actor workflow.Actor, f QueueFilter) ([]DoneItem, int, error) {
	scope, _, err := db.scopeOf(ctx, db.r, actor)
	if err != nil {
		return nil, 0, err
	}
	sc, args := scopeSQL(scope, "d")
	where := []string{sc, "a.actor_id = ?"}
	args = append(args, actor.UserID)
	where, args = decisionFilterSQL(where, args, f.Text, f.UnitID, f.State, f.Since, f.Until, "a.at")
	from := ` FROM audit_events a JOIN decisions d ON d.id = a.decision_id WHERE ` + strings.Join(where, " AND ")
	var total int
	if err := db.r.GetContext(ctx, &total, db.r.Rebind(`SELECT COUNT(*)`+from), args...); err != nil {
		return nil, 0, err
	}
	limit, offset := f.Norm()
	out := []DoneItem{}
	err = db.r.SelectContext(ctx, &out, db.r.Rebind(`SELECT a.seq, a.at, a.event, a.from_state, a.to_state, a.decision_id, d.title, d.state`+from+
		fmt.Sprintf(` ORDER BY a.seq DESC LIMIT %d OFFSET %d`, limit, offset)), args...)
	return out, total, err
}

// StageCounts counts the decisions the actor may see by state.
func (db *DB) StageCounts(ctx context.Context, actor workflow.Actor) (map[workflow.State]int, error) {
	scope, _, err := db.scopeOf(ctx, db.r, actor)
	if err != nil {
		return nil, err
	}
	sc, args := scopeSQL(scope, "d")
	var rows []struct {
		State string `db:"state"`
		N     int    `db:"n"`
	}
	if err := db.r.SelectContext(ctx, &rows, db.r.Rebind(`SELECT d.state, COUNT(*) AS n FROM decisions d WHERE `+sc+` GROUP BY d.state`), args...); err != nil {
		return nil, err
	}
	out := map[workflow.State]int{}
	for _, r := range rows {
		out[workflow.State(r.State)] = r.N
	}
	return out, nil
}

// ---- the leaders' dashboard ----

// OverdueItem is an overdue deadline of a decision the actor may see.
type OverdueItem struct {
	DecisionID int64
	Title      string
	State      workflow.State
	workflow.Deadline
}

// OverdueDeadlines lists the overdue deadlines of the decisions the actor
// may see (久拖不决 included, kind stuck_decision), oldest first.
func (db *DB) OverdueDeadlines(ctx context.Context, actor workflow.Actor, limit int) ([]OverdueItem, int, error) {
	scope, _, err := db.scopeOf(ctx, db.r, actor)
	if err != nil {
		return nil, 0, err
	}
	sc, args := scopeSQL(scope, "d")
	today := workflow.FormatDate(workflow.DateOf(db.Now()))
	from := ` FROM deadline_index x JOIN decisions d ON d.id = x.decision_id WHERE ` + sc + ` AND x.overdue_on <= ?`
	args = append(args, today)
	var total int
	if err := db.r.GetContext(ctx, &total, db.r.Rebind(`SELECT COUNT(*)`+from), args...); err != nil {
		return nil, 0, err
	}
	var rows []struct {
		ID    int64  `db:"id"`
		Title string `db:"title"`
		State string `db:"state"`
		Kind  string `db:"kind"`
		DueOn string `db:"due_on"`
	}
	if err := db.r.SelectContext(ctx, &rows, db.r.Rebind(`SELECT d.id, d.title, d.state, x.kind, x.due_on`+from+
		fmt.Sprintf(` ORDER BY x.due_on, d.id LIMIT %d`, limit)), args...); err != nil {
		return nil, 0, err
	}
	out := make([]OverdueItem, len(rows))
	for i, r := range rows {
		d := DeadlineOf(r.Kind, r.DueOn)
		d.Overdue = true
		out[i] = OverdueItem{DecisionID: r.ID, Title: r.Title, State: workflow.State(r.State), Deadline: d}
	}
	return out, total, nil
}

// LegalityOutcomes counts the legality opinions on the decisions the actor
// may see by outcome.
func (db *DB) LegalityOutcomes(ctx context.Context, actor workflow.Actor) (map[string]int, error) {
	scope, _, err := db.scopeOf(ctx, db.r, actor)
	if err != nil {
		return nil, err
	}
	sc, args := scopeSQL(scope, "d")
	var rows []struct {
		Outcome string `db:"outcome"`
		N       int    `db:"n"`
	}
	if err := db.r.SelectContext(ctx, &rows, db.r.Rebind(`SELECT o.outcome, COUNT(*) AS n FROM legality_opinions o JOIN decisions d ON d.id = o.decision_id
		WHERE `+sc+` GROUP BY o.outcome`), args...); err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Outcome] = r.N
	}
	return out, nil
}

// ---- notifications ----

// Notification is one in-app notice.
type Notification struct {
	ID         int64   `db:"id"`
	DecisionID int64   `db:"decision_id"`
	Kind       string  `db:"kind"`
	ZH         string  `db:"zh"`
	EN         string  `db:"en"`
	CreatedAt  string  `db:"created_at"`
	ReadAt     *string `db:"read_at"`
}

// Notifications lists a person's notifications, newest first, the total
// and the number unread.
func (db *DB) Notifications(ctx context.Context, userID int64, p Page) ([]Notification, int, error) {
	var total int
	if err := db.r.GetContext(ctx, &total, db.r.Rebind(`SELECT COUNT(*) FROM notifications WHERE user_id = ?`), userID); err != nil {
		return nil, 0, err
	}
	limit, offset := p.Norm()
	out := []Notification{}
	err := db.r.SelectContext(ctx, &out, db.r.Rebind(`SELECT id, decision_id, kind, zh, en, created_at, read_at FROM notifications
		WHERE user_id = ? ORDER BY id DESC`+fmt.Sprintf(` LIMIT %d OFFSET %d`, limit, offset)), userID)
	return out, total, err
}

// Unread counts a person's unread notifications (the bell).
func (db *DB) Unread(ctx context.Context, userID int64) (int, error) {
	var n int
	err := db.r.GetContext(ctx, &n, db.r.Rebind(`SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`), userID)
	return n, err
}

// MarkRead marks a person's notifications read: the one with id, or all
// when id is 0. Not an audited act.
func (db *DB) MarkRead(ctx context.Context, userID, id int64) error {
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		q, args := `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, []any{ts(db.Now()), userID}
		if id != 0 {
			q, args = q+` AND id = ?`, append(args, id)
		}
		_, err := tx.ExecContext(ctx, tx.Rebind(q), args...)
		return err
	})
}

// NotificationEmail is the address a person's notifications are e-mailed
// to ("" for none).
func (db *DB) NotificationEmail(ctx context.Context, userID int64) (string, error) {
	var e string
	err := db.r.GetContext(ctx, &e, db.r.Rebind(`SELECT email FROM notification_settings WHERE user_id = ?`), userID)
	if isNoRows(err) {
		return "", nil
	}
	return e, err
}

// SetNotificationEmail sets the address one's own notifications are
// e-mailed to ("" stops e-mail). It redirects information, so it is a
// security event. Errors: validation_failed.
func (db *DB) SetNotificationEmail(ctx context.Context, actor workflow.Actor, email string) error {
	email = strings.TrimSpace(email)
	if email != "" {
		a, err := mail.ParseAddress(email)
		if err != nil || a.Address != email || len(email) > 254 {
			return invalidField("email", "电子邮件地址格式不正确", "not a valid e-mail address")
		}
	}
	u, err := db.UserByID(ctx, actor.UserID)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		var next int64
		if err := tx.GetContext(ctx, &next, `SELECT COALESCE(MAX(id), 0) + 1 FROM notifications`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO notification_settings (user_id, email, from_id, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, from_id = excluded.from_id, updated_at = excluded.updated_at`),
			actor.UserID, email, next, ts(db.Now())); err != nil {
			return err
		}
		return db.appendSecurity(ctx, tx, u, workflow.EvSetNotificationEmail, map[string]any{"user_id": u.ID, "email": email, "address": actor.Addr})
	})
}

// Mail is a notification to e-mail.
type Mail struct {
	ID    int64  `db:"id"`
	Email string `db:"email"`
	ZH    string `db:"zh"`
	EN    string `db:"en"`
}

// PendingMail lists notifications not yet e-mailed to people who gave an
// address (only those made after the address was set).
func (db *DB) PendingMail(ctx context.Context, limit int) ([]Mail, error) {
	out := []Mail{}
	err := db.r.SelectContext(ctx, &out, db.r.Rebind(`SELECT n.id, s.email, n.zh, n.en FROM notifications n
		JOIN notification_settings s ON s.user_id = n.user_id
		WHERE n.emailed_at IS NULL AND s.email <> '' AND n.id >= s.from_id ORDER BY n.id`+fmt.Sprintf(` LIMIT %d`, limit)))
	return out, err
}

// MarkEmailed records that a notification was e-mailed.
func (db *DB) MarkEmailed(ctx context.Context, id int64) error {
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE notifications SET emailed_at = ? WHERE id = ?`), ts(db.Now()), id)
		return err
	})
}

// DueNotices notifies the holders of decisions whose deadline falls within
// the next `workdays` working days (due_soon) or has passed (overdue), once
// per deadline; it returns how many notifications were made.
func (db *DB) DueNotices(ctx context.Context, workdays int) (int, error) {
	if err := db.refreshConfig(ctx, db.r); err != nil {
		return 0, err
	}
	today := workflow.DateOf(db.Now())
	horizon := today.AddDate(0, 0, workdays+7)
	if cal := db.Calendar(); cal != nil {
		if h, err := cal.AddWorkdays(today, workdays); err == nil {
			horizon = h
		}
	}
	var rows []struct {
		DecisionID int64  `db:"decision_id"`
		Kind       string `db:"kind"`
		DueOn      string `db:"due_on"`
		OverdueOn  string `db:"overdue_on"`
	}
	// Only deadlines whose notice has not been made yet; the reading is
	// done on the readers, the one write transaction is short.
	day := workflow.FormatDate(today)
	if err := db.r.SelectContext(ctx, &rows, db.r.Rebind(`SELECT x.decision_id, x.kind, x.due_on, x.overdue_on FROM deadline_index x
		WHERE x.due_on <= ? AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.decision_id = x.decision_id
		AND n.kind = CASE WHEN x.overdue_on <= ? THEN 'overdue' ELSE 'due_soon' END AND n.ref = x.kind || '@' || x.due_on)
		ORDER BY x.decision_id, x.kind`), workflow.FormatDate(horizon), day); err != nil {
		return 0, err
	}
	if len(rows) == 0 {
		return 0, nil
	}
	users, err := enabledUsers(ctx, db.r)
	if err != nil {
		return 0, err
	}
	type notice struct {
		user, decision    int64
		kind, ref, zh, en string
	}
	var notices []notice
	facts := map[int64]*workflow.Facts{}
	for _, r := range rows {
		f, ok := facts[r.DecisionID]
		if !ok {
			if f, err = db.factsOf(ctx, db.r, r.DecisionID); err != nil {
				return 0, err
			}
			facts[r.DecisionID] = f
		}
		d := DeadlineOf(r.Kind, r.DueOn)
		kind, zh, en := "due_soon", fmt.Sprintf("「%s」的%s将于%s到期", f.Decision.Title, d.ZH, ChineseDate(d.Due)),
			fmt.Sprintf("“%s”: %s on %s", f.Decision.Title, d.EN, r.DueOn)
		if r.OverdueOn <= day {
			kind, zh, en = "overdue", fmt.Sprintf("「%s」的%s已于%s到期，现已逾期", f.Decision.Title, d.ZH, ChineseDate(d.Due)),
				fmt.Sprintf("“%s”: %s was due on %s and is overdue", f.Decision.Title, d.EN, r.DueOn)
		}
		for _, u := range recipients(f, workflow.Holders(f.Decision.State, f.Records), users) {
			notices = append(notices, notice{u, r.DecisionID, kind, r.Kind + "@" + r.DueOn, zh, en})
		}
	}
	made := 0
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		for _, n := range notices {
			res, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO notifications (user_id, decision_id, kind, ref, zh, en, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, kind, decision_id, ref) DO NOTHING`),
				n.user, n.decision, n.kind, n.ref, clip(n.zh, 500), clip(n.en, 500), ts(db.Now()))
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k > 0 {
				made++
			}
		}
		return nil
	})
	return made, err
}

// ChineseDate writes a date the Chinese way, without leading zeros:
// 2026年5月8日 (GB/T 9704).
func ChineseDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

// ---- the office's reminder (催办), an audited act ----

// RemindResult is the outcome of a reminder.
type RemindResult struct {
	AuditSeq   int64
	Recipients int
}

// Remind sends the office's reminder about a decision to its undertaking
// unit: an audit event of the decision with version 0 (it changes neither
// its state nor its version, and is no stage record) and a notification to each of the unit's undertaking staff.
// Errors: forbidden (not the office of the decision's organ), not_found,
// invalid_transition (an ended decision, or none undertakes it),
// validation_failed (message).
func (db *DB) Remind(ctx context.Context, actor workflow.Actor, decisionID int64, message string) (*RemindResult, error) {
	if !actor.Has(workflow.RoleOffice) {
		return nil, &workflow.Error{Code: workflow.CodeForbidden, Rule: "role_required",
			ZH: "只有办公厅（室）可以催办", EN: "only the general office sends reminders"}
	}
	message = strings.TrimSpace(message)
	switch {
	case message == "":
		return nil, invalidField("message", "请填写催办内容", "write what the reminder says")
	case len([]rune(message)) > 500:
		return nil, invalidField("message", "催办内容不超过500字", "at most 500 characters")
	}
	var res RemindResult
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		row, _, _, err := db.visibleDecision(ctx, tx, actor, decisionID, db.d.forUpdate)
		if err != nil {
			return err
		}
		f, err := db.facts(ctx, tx, row, db.Now())
		if err != nil {
			return err
		}
		if !workflow.MayActAs(workflow.RoleOffice, f, actor) {
			return &workflow.Error{Code: workflow.CodeForbidden, Rule: "unit_not_organ",
				ZH: "您不属于本决策的决策机关，不能催办", EN: "you do not belong to this decision's organ"}
		}
		sd, _ := workflow.StateByCode(f.Decision.State)
		if sd.Terminal || f.Decision.UndertakingUnitID == nil {
			return &workflow.Error{Code: workflow.CodeInvalidTransition,
				ZH: "该决策已办结或尚无承办单位，无需催办", EN: "the decision has ended or has no undertaking unit; there is nobody to remind"}
		}
		users, err := db.holdersOf(ctx, tx, f, []workflow.Role{workflow.RoleUndertaking})
		if err != nil {
			return err
		}
		ev := &AuditEvent{DecisionID: &f.Decision.ID, OrganID: &f.Decision.OrganID, ActorID: actor.UserID, ActorName: actor.Name,
			Role: string(workflow.RoleOffice), Event: workflow.EvRemind, From: string(f.Decision.State), To: string(f.Decision.State),
			// Version 0: the reminder is no act of the procedure; the
			// decision's versioned acts (and verify's count of them) go on
			// without it.
			Version: 0}
		if err := db.appendAudit(ctx, tx, ev, db.Now(), map[string]any{"message": message, "recipients": len(users)}); err != nil {
			return err
		}
		for _, u := range users {
			if err := db.notify(ctx, tx, u, f.Decision.ID, "reminder", strconv.FormatInt(ev.Seq, 10),
				fmt.Sprintf("%s催办「%s」：%s", actor.Name, f.Decision.Title, message),
				fmt.Sprintf("%s sends a reminder about “%s”: %s", actor.Name, f.Decision.Title, message)); err != nil {
				return err
			}
		}
		res = RemindResult{AuditSeq: ev.Seq, Recipients: len(users)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// DecisionTitles names the decisions of audit events the actor has read
// (the ids come from their scoped trail; the auditor reads every trail).
func (db *DB) DecisionTitles(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	args := anys(ids)
	var rows []struct {
		ID    int64  `db:"id"`
		Title string `db:"title"`
	}
	if err := db.r.SelectContext(ctx, &rows, db.r.Rebind(`SELECT id, title FROM decisions WHERE id IN (`+marks(len(ids))+`)`), args...); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ID] = r.Title
	}
	return out, nil
}
