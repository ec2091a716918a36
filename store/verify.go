package store

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"

	"decisiond/store/crypt"
	"decisiond/workflow"
)

// Verify vouches for the whole database, not only the audit table. Every
// act writes its rows and one audit event whose data carries the rows'
// content hashes (content.go); the event is hashed into the chain. So:
//
//   - a decision's state and version equal what its last audit event says,
//     its versions 1..n each have their event, and the row matches the
//     content hash that event bound;
//   - every stage record, draft and legality opinion matches the event that
//     wrote it (the event it names by audit_seq), and every event that
//     wrote one still has it;
//   - a row that refers to an event past the chain's end, or a decision
//     whose version runs past its audit, tells that the chain's tail was
//     cut.
//
// Events written before content hashes existed (migration 00005) carry
// none: for them the checks that need a hash are skipped, and the rows are
// compared with what the event itself holds instead (a record's columns and
// data; a draft against the revise_draft record that names it; an opinion
// against its record). A decision opened by a major adjustment before the
// adjusted decision had its own creation event (version 0, no event) is
// accepted when its parent's adjust act names it.

// chainEvent is what verifyTables needs of one audit event.
type chainEvent struct {
	seq        int64
	decisionID *int64
	event      string
	from, to   string
	actorID    int64
	at         string
	version    int64
	content    map[string]string // nil for events written before content hashes
	data       string            // kept only when content is nil
	spawned    int64             // spawned_decision_id of an adjust act
}

func newChainEvent(e *AuditEvent) *chainEvent {
	c := &chainEvent{seq: e.Seq, decisionID: e.DecisionID, event: e.Event, from: e.From, to: e.To, actorID: e.ActorID, at: e.At, version: e.Version}
	var d struct {
		Content map[string]string `json:"content_hashes"`
		Spawned int64             `json:"spawned_decision_id"`
	}
	_ = json.Unmarshal(e.Data, &d)
	c.content, c.spawned = d.Content, d.Spawned
	if c.content == nil {
		c.data = string(e.Data)
	}
	return c
}

// problem is one thing found wrong. Of all found, verification names the
// earliest in the chain (smallest seq); among equals, the table checked
// first (phase), then the smallest row id.
type problem struct {
	seq    int64
	phase  int
	table  string
	id     int64
	reason string
}

// The order in which the tables are checked, for ties between problems.
const (
	phaseDecisions = iota
	phaseRecords
	phaseDrafts
	phaseDocuments
	phaseAttachments
	phaseOpinions
	phaseComments
	phaseHandling
	phaseMissing
)

var tablePhase = map[string]int{"decisions": phaseDecisions, "records": phaseRecords, "drafts": phaseDrafts, "documents": phaseDocuments,
	"attachments": phaseAttachments, "legality_opinions": phaseOpinions, "comments": phaseComments, "comment_handling": phaseHandling}

// problems keeps only the earliest problem: memory stays flat however much
// is wrong.
type problems struct{ best *problem }

func (ps *problems) add(seq int64, table string, id int64, format string, args ...any) {
	ps.addPhase(seq, tablePhase[table], table, id, format, args...)
}

func (ps *problems) addPhase(seq int64, phase int, table string, id int64, format string, args ...any) {
	p := &problem{seq: seq, phase: phase, table: table, id: id}
	if ps.best != nil && !p.before(ps.best) {
		return
	}
	p.reason = fmt.Sprintf(format, args...)
	ps.best = p
}

func (p *problem) before(q *problem) bool {
	if p.seq != q.seq {
		return p.seq < q.seq
	}
	if p.phase != q.phase {
		return p.phase < q.phase
	}
	return p.id < q.id
}

func (ps *problems) merge(o *problems) {
	if o.best != nil && (ps.best == nil || o.best.before(ps.best)) {
		ps.best = o.best
	}
}

// verifyBatch is how many decisions' rows are checked together: the
// memory verification needs is that of one batch per core, whatever the
// size of the database.
const verifyBatch = 64

// verifyTables checks the other tables against a chain already found whole
// up to seq tail (whose event was written at tailAt). It goes through the
// decisions in batches of ids, one batch per core at a time, each batch
// loading only its own events and rows.
func (db *DB) verifyTables(ctx context.Context, tail int64, tailAt string, workers int) (*problem, error) {
	var maxID int64
	for _, q := range []string{
		`SELECT COALESCE(MAX(id), 0) FROM decisions`,
		`SELECT COALESCE(MAX(decision_id), 0) FROM audit_events`,
		`SELECT COALESCE(MAX(decision_id), 0) FROM records`,
		`SELECT COALESCE(MAX(decision_id), 0) FROM drafts`,
		`SELECT COALESCE(MAX(decision_id), 0) FROM attachments`,
		`SELECT COALESCE(MAX(decision_id), 0) FROM legality_opinions`,
		`SELECT COALESCE(MAX(decision_id), 0) FROM comments`,
		`SELECT COALESCE(MAX(decision_id), 0) FROM comment_handling`,
	} {
		var n int64
		if err := db.r.GetContext(ctx, &n, q); err != nil {
			return nil, err
		}
		maxID = max(maxID, n)
	}

	var all problems
	var mu sync.Mutex
	var firstErr error
	next := make(chan int64)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lo := range next {
				var ps problems
				err := db.verifyDecisions(ctx, lo, lo+verifyBatch-1, tail, tailAt, &ps)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				all.merge(&ps)
				mu.Unlock()
			}
		}()
	}
	for lo := int64(0); lo <= maxID; lo += verifyBatch {
		mu.Lock()
		stop := firstErr != nil
		mu.Unlock()
		if stop {
			break
		}
		next <- lo
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}

	// Events of no decision write no rows; one that says it did is checked
	// here. Then the documents.
	if err := db.verifyUndecided(ctx, tail, &all); err != nil {
		return nil, err
	}
	if err := db.verifyDocuments(ctx, &all); err != nil {
		return nil, err
	}
	return all.best, nil
}

// verifyDecisions checks the decisions with ids lo..hi and their rows.
func (db *DB) verifyDecisions(ctx context.Context, lo, hi, tail int64, tailAt string, ps *problems) (err error) {
	r := db.r
	// Acts land while a verification runs. A row that refers to an event
	// past the walked tail which the chain now holds, or a decision whose
	// version has its event there, was written by an act after the walk:
	// the next verification vouches for it. Only a row with no such event
	// tells that the tail was cut (or the row was changed).
	var laterErr error
	later := func(q string, args ...any) bool {
		var n int
		if err := r.GetContext(ctx, &n, r.Rebind(`SELECT COUNT(*) FROM audit_events WHERE seq > ? AND `+q), append([]any{tail}, args...)...); err != nil {
			laterErr = cmp.Or(laterErr, err)
			return false
		}
		return n > 0
	}
	cut := func(table string, id, seq int64) {
		if seq > tail && later(`seq = ?`, seq) {
			return
		}
		ps.add(seq, table, id, "%s row %d refers to audit seq %d, which does not exist: the chain ends at seq %d (its tail was cut?)", table, id, seq, tail)
	}
	defer func() {
		if err == nil {
			err = laterErr
		}
	}()
	order, err := db.chainEvents(ctx, `WHERE decision_id BETWEEN ? AND ? AND seq <= ? ORDER BY seq`, lo, hi, tail)
	if err != nil {
		return err
	}
	evs := make(map[int64]*chainEvent, len(order))
	byDecision := map[int64][]*chainEvent{}
	for _, e := range order {
		evs[e.seq] = e
		if e.version > 0 {
			byDecision[*e.decisionID] = append(byDecision[*e.decisionID], e)
		}
	}
	// The public's comments on these decisions are acts of no decision:
	// their events are read in one query too.
	commentEvents, err := db.chainEvents(ctx, `WHERE seq IN (SELECT audit_seq FROM comments WHERE decision_id BETWEEN ? AND ?) AND seq <= ?`, lo, hi, tail)
	if err != nil {
		return err
	}
	for _, e := range commentEvents {
		evs[e.seq] = e
	}
	// event is the event at seq, or nil if the chain has none: a row of
	// these decisions that names an event of another decision (or of none)
	// is fetched alone.
	event := func(seq int64) (*chainEvent, error) {
		if e, ok := evs[seq]; ok {
			return e, nil
		}
		if seq < 1 || seq > tail {
			return nil, nil
		}
		one, err := db.chainEvents(ctx, `WHERE seq = ?`, seq)
		if err != nil || len(one) == 0 {
			return nil, err
		}
		evs[seq] = one[0]
		return one[0], nil
	}

	// Decisions.
	var drows []decisionRow
	if err := r.SelectContext(ctx, &drows, r.Rebind(`SELECT `+decisionCols+` FROM decisions WHERE id BETWEEN ? AND ? ORDER BY id`), lo, hi); err != nil {
		return err
	}
	hasRow := map[int64]bool{}
	for i := range drows {
		d := &drows[i]
		hasRow[d.ID] = true
		list := byDecision[d.ID]
		if len(list) == 0 {
			if d.Version == 0 && d.ParentID != nil {
				spawned, err := db.spawnedBy(ctx, *d.ParentID, d.ID, tail)
				if err != nil {
					return err
				}
				if spawned {
					continue // a decision spawned before it had its own creation event
				}
			}
			if later(`decision_id = ? AND version = ?`, d.ID, d.Version) {
				continue // created after the walk
			}
			ps.add(tail+1, "decisions", d.ID, "decision %d is at version %d but has no audit event: the chain ends at seq %d (its tail was cut?)", d.ID, d.Version, tail)
			continue
		}
		broken := false
		for j, e := range list {
			if e.version != int64(j+1) {
				ps.add(e.seq, "decisions", d.ID, "the audit events of decision %d skip from version %d to %d", d.ID, j, e.version)
				broken = true
				break
			}
		}
		if broken {
			continue
		}
		last := list[len(list)-1]
		switch {
		case d.Version > last.version && later(`decision_id = ? AND version = ?`, d.ID, d.Version):
			// Acted on after the walk.
		case d.Version > last.version:
			// Either the row was changed (its last change is then no later
			// than the chain's end: the seq after its last event is named),
			// or the chain's tail was cut (the row was last changed after
			// the chain's last event: the first seq gone is named).
			seq := last.seq + 1
			if tailAt != "" && d.UpdatedAt > tailAt {
				seq = tail + 1
			}
			ps.add(seq, "decisions", d.ID, "decision %d is at version %d, past its audit (the last event, seq %d, is version %d): the tail was cut or the row was changed",
				d.ID, d.Version, last.seq, last.version)
		case d.Version < last.version:
			ps.add(last.seq, "decisions", d.ID, "decision %d is at version %d, but its audit event seq %d is version %d", d.ID, d.Version, last.seq, last.version)
		case d.State != last.to:
			ps.add(last.seq, "decisions", d.ID, "decision %d is in state %s, but its last audit event (seq %d) left it in %s", d.ID, d.State, last.seq, last.to)
		case last.content != nil && last.content["decision"] != "" && last.content["decision"] != d.hash():
			ps.add(last.seq, "decisions", d.ID, "decision %d does not match the content its last audit event (seq %d) bound", d.ID, last.seq)
		}
	}
	for id, list := range byDecision {
		if !hasRow[id] {
			ps.add(list[len(list)-1].seq, "decisions", id, "decision %d has audit events (the last is seq %d) but no row in decisions", id, list[len(list)-1].seq)
		}
	}

	// Stage records.
	type recordRow struct {
		ID int64
		recordContent
	}
	var recs []recordRow
	rrows, err := r.QueryContext(ctx, r.Rebind(`SELECT id, decision_id, audit_seq, event, from_state, to_state, actor_id, data, draft_hash, at FROM records WHERE decision_id BETWEEN ? AND ? ORDER BY id`), lo, hi)
	if err != nil {
		return err
	}
	for rrows.Next() {
		var rc recordRow
		if err := rrows.Scan(&rc.ID, &rc.DecisionID, &rc.AuditSeq, &rc.Event, &rc.From, &rc.To, &rc.ActorID, &rc.Data, &rc.DraftHash, &rc.At); err != nil {
			rrows.Close()
			return err
		}
		recs = append(recs, rc)
	}
	if err := rrows.Close(); err != nil {
		return err
	}
	if err := rrows.Err(); err != nil {
		return err
	}
	hashBuf := make([]byte, 0, 4096)
	wrote := map[string]map[int64]int{"records": {}, "drafts": {}, "legality_opinions": {}}
	recByID := make(map[int64]int, len(recs))
	type draftRef struct {
		decision int64
		no       int
	}
	type draftSeen struct {
		sha string
		seq int64
	}
	draftOf := map[draftRef]draftSeen{}
	for i := range recs {
		rc := &recs[i]
		recByID[rc.ID] = i
		if rc.Event == "revise_draft" {
			var d struct {
				No  int    `json:"draft_no"`
				Sha string `json:"sha256"`
			}
			_ = json.Unmarshal([]byte(rc.Data), &d)
			draftOf[draftRef{rc.DecisionID, d.No}] = draftSeen{d.Sha, rc.AuditSeq}
		}
		e, err := event(rc.AuditSeq)
		if err != nil {
			return err
		}
		if e == nil {
			cut("records", rc.ID, rc.AuditSeq)
			continue
		}
		wrote["records"][rc.AuditSeq]++
		switch {
		case e.decisionID == nil || *e.decisionID != rc.DecisionID || e.event != rc.Event || e.from != rc.From || e.to != rc.To || e.actorID != rc.ActorID || e.at != rc.At:
			ps.add(rc.AuditSeq, "records", rc.ID, "stage record %d does not match its audit event seq %d (decision, event, states, actor or time differ)", rc.ID, rc.AuditSeq)
		case e.content != nil && e.content["record"] != rc.hashWith(hashBuf):
			ps.add(rc.AuditSeq, "records", rc.ID, "stage record %d does not match the content its audit event seq %d bound", rc.ID, rc.AuditSeq)
		case e.content == nil && e.data != rc.Data:
			ps.add(rc.AuditSeq, "records", rc.ID, "stage record %d's data differs from its audit event seq %d", rc.ID, rc.AuditSeq)
		}
	}

	// Drafts.
	var drafts []struct {
		ID int64 `db:"id"`
		draftContent
	}
	if err := r.SelectContext(ctx, &drafts, r.Rebind(`SELECT id, decision_id, no, sha256, text, note, author_id, at, audit_seq FROM drafts WHERE decision_id BETWEEN ? AND ? ORDER BY id`), lo, hi); err != nil {
		return err
	}
	for i := range drafts {
		d := &drafts[i]
		sum := sha256.Sum256([]byte(d.Text))
		seq := int64(0)
		if d.AuditSeq != nil {
			seq = *d.AuditSeq
		}
		if d.Text == "" && hex.EncodeToString(sum[:]) != d.SHA256 {
			// A file draft: its hash is a document the same act attached.
			var n int
			if err := r.GetContext(ctx, &n, r.Rebind(`SELECT COUNT(*) FROM attachments WHERE decision_id = ? AND hash = ? AND audit_seq = ?`),
				d.DecisionID, d.SHA256, seq); err != nil {
				return err
			}
			if n == 0 {
				ps.add(seq, "drafts", d.ID, "draft %d is a file draft whose document was not attached by its act", d.ID)
				continue
			}
		} else if hex.EncodeToString(sum[:]) != d.SHA256 {
			ps.add(seq, "drafts", d.ID, "draft %d's text does not hash to its sha256", d.ID)
			continue
		}
		if d.AuditSeq == nil {
			// Written before content hashes: its revise_draft record names it.
			if seen := draftOf[draftRef{d.DecisionID, d.No}]; seen.sha != d.SHA256 {
				ps.add(seen.seq, "drafts", d.ID, "draft %d (decision %d, no. %d) is not the draft its revise_draft record names", d.ID, d.DecisionID, d.No)
			}
			continue
		}
		e, err := event(seq)
		if err != nil {
			return err
		}
		if e == nil {
			cut("drafts", d.ID, seq)
			continue
		}
		wrote["drafts"][seq]++
		if e.content["draft"] != d.hash() {
			ps.add(seq, "drafts", d.ID, "draft %d does not match the content its audit event seq %d bound", d.ID, seq)
		}
	}
	drafts = nil

	// Attachments: each one's act is on the chain and is of the same
	// decision.
	var atts []struct {
		ID         int64 `db:"id"`
		DecisionID int64 `db:"decision_id"`
		AuditSeq   int64 `db:"audit_seq"`
	}
	if err := r.SelectContext(ctx, &atts, r.Rebind(`SELECT id, decision_id, audit_seq FROM attachments WHERE decision_id BETWEEN ? AND ? ORDER BY id`), lo, hi); err != nil {
		return err
	}
	for _, a := range atts {
		e, err := event(a.AuditSeq)
		if err != nil {
			return err
		}
		switch {
		case e == nil:
			cut("attachments", a.ID, a.AuditSeq)
		case e.decisionID == nil || *e.decisionID != a.DecisionID:
			ps.add(a.AuditSeq, "attachments", a.ID, "attachment %d names audit event seq %d of another decision", a.ID, a.AuditSeq)
		}
	}

	// Legality opinions and confirmations.
	var ops []struct {
		ID int64 `db:"id"`
		opinionContent
	}
	if err := r.SelectContext(ctx, &ops, r.Rebind(`SELECT id, decision_id, record_id, draft_hash, outcome, risk_statement, kind, at, audit_seq FROM legality_opinions WHERE decision_id BETWEEN ? AND ? ORDER BY id`), lo, hi); err != nil {
		return err
	}
	// record is the stage record an opinion names (of another decision's
	// batch, it is fetched alone).
	record := func(id int64) (*recordContent, error) {
		if j, ok := recByID[id]; ok {
			return &recs[j].recordContent, nil
		}
		var rc recordContent
		err := r.GetContext(ctx, &rc, r.Rebind(`SELECT decision_id, audit_seq, event, from_state, to_state, actor_id, data, draft_hash, at FROM records WHERE id = ?`), id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		return &rc, err
	}
	for i := range ops {
		o := &ops[i]
		rc, err := record(o.RecordID)
		if err != nil {
			return err
		}
		if o.AuditSeq == nil {
			// Written before content hashes: it agrees with its record.
			var rd struct {
				Outcome string `json:"outcome"`
			}
			seq := int64(0)
			if rc != nil {
				_ = json.Unmarshal([]byte(rc.Data), &rd)
				seq = rc.AuditSeq
			}
			if rc == nil || rc.DecisionID != o.DecisionID || rc.DraftHash != o.DraftHash || rd.Outcome != o.Outcome {
				ps.add(seq, "legality_opinions", o.ID, "legality opinion %d does not agree with its stage record %d", o.ID, o.RecordID)
			}
			continue
		}
		seq := *o.AuditSeq
		e, err := event(seq)
		if err != nil {
			return err
		}
		if e == nil {
			cut("legality_opinions", o.ID, seq)
			continue
		}
		wrote["legality_opinions"][seq]++
		switch {
		case rc == nil || rc.AuditSeq != seq:
			ps.add(seq, "legality_opinions", o.ID, "legality opinion %d names record %d, which was not written by its audit event seq %d", o.ID, o.RecordID, seq)
		case e.content["opinion"] != o.hash():
			ps.add(seq, "legality_opinions", o.ID, "legality opinion %d does not match the content its audit event seq %d bound", o.ID, seq)
		}
	}

	// The public's comments on these decisions and the drafter's handling
	// of them (a comment's own row is counted by verifyUndecided: its event
	// is of no decision).
	wrote["comment_handling"] = map[int64]int{}
	if err := db.verifyComments(ctx, lo, hi, event, ps, wrote, cut); err != nil {
		return err
	}

	// Every event of these decisions that wrote a row still has exactly
	// that row (an act of handling, all the rows it bound: verifyComments
	// compares them). A comment's event is of no decision: verifyUndecided
	// counts its row.
	for _, e := range order {
		checkWrote(e, wrote, ps)
	}
	return nil
}

// chainEvents reads what the table checks need of the events the clause
// selects (no hashes: the chain walk checked those).
func (db *DB) chainEvents(ctx context.Context, clause string, args ...any) ([]*chainEvent, error) {
	rows, err := db.r.QueryContext(ctx, db.r.Rebind(`SELECT seq, decision_id, event, from_state, to_state, actor_id, at, version, data FROM audit_events `+clause), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*chainEvent
	for rows.Next() {
		var e AuditEvent
		var d sql.NullInt64
		if err := rows.Scan(&e.Seq, &d, &e.Event, &e.From, &e.To, &e.ActorID, &e.At, &e.Version, &e.Data); err != nil {
			return nil, err
		}
		if d.Valid {
			e.DecisionID = &d.Int64
		}
		out = append(out, newChainEvent(&e))
	}
	return out, rows.Err()
}

var wroteKeys = [][2]string{{"record", "records"}, {"draft", "drafts"}, {"opinion", "legality_opinions"}, {"comment", "comments"},
	{"comment_handling", "comment_handling"}}

func checkWrote(e *chainEvent, wrote map[string]map[int64]int, ps *problems) {
	if e.content == nil {
		return
	}
	for _, kt := range wroteKeys {
		k, table := kt[0], kt[1]
		if e.content[k] == "" {
			continue
		}
		switch n := wrote[table][e.seq]; {
		case n == 0:
			ps.addPhase(e.seq, phaseMissing, table, 0, "audit event seq %d (%s) wrote a %s row that is missing", e.seq, e.event, table)
		case n > 1 && table != "comment_handling":
			ps.addPhase(e.seq, phaseMissing, table, 0, "audit event seq %d (%s) wrote one %s row, but %d name it", e.seq, e.event, table, n)
		}
	}
}

// spawnedBy tells whether decision parent's adjust act (on the chain up to
// tail) opened decision id.
func (db *DB) spawnedBy(ctx context.Context, parent, id, tail int64) (bool, error) {
	var datas []string
	if err := db.r.SelectContext(ctx, &datas, db.r.Rebind(`SELECT data FROM audit_events WHERE decision_id = ? AND event = 'adjust' AND seq <= ?`), parent, tail); err != nil {
		return false, err
	}
	for _, d := range datas {
		var v struct {
			Spawned int64 `json:"spawned_decision_id"`
		}
		if json.Unmarshal([]byte(d), &v) == nil && v.Spawned == id {
			return true, nil
		}
	}
	return false, nil
}

// verifyUndecided checks the events of no decision: a comment's event still
// has its comment, and none other writes a stage record, draft or opinion,
// so one whose content says it did names a row that must exist. The events
// are read a page at a time (the counts are not nested in the read: a
// read-only verification has one connection); each one that wrote a row
// costs one indexed count.
func (db *DB) verifyUndecided(ctx context.Context, tail int64, ps *problems) error {
	const page = 1000
	for after := int64(0); ; {
		var list []AuditEvent
		if err := db.r.SelectContext(ctx, &list, db.r.Rebind(fmt.Sprintf(`SELECT seq, event, data FROM audit_events
			WHERE decision_id IS NULL AND seq > ? AND seq <= ? ORDER BY seq LIMIT %d`, page)), after, tail); err != nil {
			return err
		}
		for i := range list {
			e := newChainEvent(&list[i])
			if e.content == nil {
				continue
			}
			wrote := map[string]map[int64]int{}
			for _, kt := range wroteKeys {
				if e.content[kt[0]] == "" {
					continue
				}
				var n int
				if err := db.r.GetContext(ctx, &n, db.r.Rebind(`SELECT COUNT(*) FROM `+kt[1]+` WHERE audit_seq = ?`), e.seq); err != nil {
					return err
				}
				wrote[kt[1]] = map[int64]int{e.seq: n}
			}
			checkWrote(e, wrote, ps)
		}
		if len(list) < page {
			return nil
		}
		after = list[len(list)-1].Seq
	}
}

// verifyDocuments checks that every stored document still hashes to its
// key (one at a time: contents may be large).
func (db *DB) verifyDocuments(ctx context.Context, ps *problems) error {
	rows, err := db.r.QueryxContext(ctx, `SELECT hash, alg, content FROM documents ORDER BY created_at, hash`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var d struct {
			Hash    string `db:"hash"`
			Alg     string `db:"alg"`
			Content []byte `db:"content"`
		}
		if err := rows.StructScan(&d); err != nil {
			return err
		}
		content := d.Content
		if content == nil && db.opts.DocumentsDir != "" {
			if content, err = os.ReadFile(blobPath(db.opts.DocumentsDir, d.Hash)); err != nil {
				ps.add(0, "documents", 0, "document %s: its file is missing from the documents folder", d.Hash)
				continue
			}
		}
		if content == nil {
			continue // kept in a folder this verification was not given
		}
		if h, err := crypt.Sum(d.Alg, content); err != nil || h != d.Hash {
			ps.add(0, "documents", 0, "document %s: its content no longer hashes to its key (%s)", d.Hash, d.Alg)
		}
	}
	return rows.Err()
}

// verifyComments checks each comment on the decisions lo..hi against the
// comment_received event that wrote it (its attachment's hash and name
// included) and that the document of its attachment is stored, and each
// act of handling's rows, in order, against the comments_handled event
// that bound them.
func (db *DB) verifyComments(ctx context.Context, lo, hi int64, event func(int64) (*chainEvent, error), ps *problems,
	wrote map[string]map[int64]int, cut func(table string, id, seq int64)) error {
	var comments []struct {
		ID int64 `db:"id"`
		commentContent
		Stored bool `db:"stored"`
	}
	if err := db.r.SelectContext(ctx, &comments, db.r.Rebind(`SELECT c.id, c.decision_id, c.round_id, c.receipt, c.draft_no, c.draft_hash, c.text, c.name,
		c.contact, c.addr_hash, c.at, c.audit_seq, c.attachment_hash, c.attachment_name, d.hash IS NOT NULL AS stored
		FROM comments c LEFT JOIN documents d ON d.hash = c.attachment_hash WHERE c.decision_id BETWEEN ? AND ? ORDER BY c.id`), lo, hi); err != nil {
		return err
	}
	for i := range comments {
		c := &comments[i]
		e, err := event(c.AuditSeq)
		if err != nil {
			return err
		}
		if e == nil {
			cut("comments", c.ID, c.AuditSeq)
			continue
		}
		switch {
		case e.event != workflow.EvCommentReceived || e.content["comment"] != c.hash():
			ps.add(c.AuditSeq, "comments", c.ID, "comment %d does not match the content its audit event seq %d bound", c.ID, c.AuditSeq)
		case c.AttachmentHash != "" && !c.Stored:
			ps.add(c.AuditSeq, "comments", c.ID, "comment %d's attachment %q (document %s) is missing from documents", c.ID, c.AttachmentName, c.AttachmentHash)
		}
	}
	var hs []struct {
		ID int64 `db:"id"`
		handlingContent
	}
	if err := db.r.SelectContext(ctx, &hs, db.r.Rebind(`SELECT id, comment_id, decision_id, kind, opinion, reason, duplicate_of, actor_id, at, audit_seq
		FROM comment_handling WHERE decision_id BETWEEN ? AND ? ORDER BY audit_seq, id`), lo, hi); err != nil {
		return err
	}
	var seq, first int64
	var hashes []string
	check := func() error {
		if len(hashes) == 0 {
			return nil
		}
		e, err := event(seq)
		if err != nil {
			return err
		}
		switch {
		case e == nil:
			cut("comment_handling", first, seq)
		case e.event != workflow.EvCommentsHandled || e.content["comment_handling"] != handlingBatchHash(hashes):
			ps.add(seq, "comment_handling", first, "the comment handling rows of audit event seq %d (from row %d) do not match the content it bound", seq, first)
		}
		hashes = hashes[:0]
		return nil
	}
	for i := range hs {
		h := &hs[i]
		if h.AuditSeq != seq {
			if err := check(); err != nil {
				return err
			}
			seq, first = h.AuditSeq, h.ID
		}
		hashes = append(hashes, h.hash())
		if e, err := event(h.AuditSeq); err != nil {
			return err
		} else if e != nil {
			wrote["comment_handling"][h.AuditSeq]++
		}
	}
	return check()
}
