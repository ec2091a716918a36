package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sort"

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

// problem is one thing found wrong.
type problem struct {
	seq    int64
	table  string
	id     int64
	reason string
}

type problems []problem

func (ps *problems) add(seq int64, table string, id int64, format string, args ...any) {
	*ps = append(*ps, problem{seq: seq, table: table, id: id, reason: fmt.Sprintf(format, args...)})
}

// first is the problem with the smallest seq (the earliest in the chain),
// in the order the checks found them among equals.
func (ps problems) first() *problem {
	if len(ps) == 0 {
		return nil
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].seq < ps[j].seq })
	return &ps[0]
}

func (db *DB) verifyTables(ctx context.Context, evs map[int64]*chainEvent, tail int64) (*problem, error) {
	var ps problems
	cut := func(table string, id, seq int64) {
		ps.add(seq, table, id, "%s row %d refers to audit seq %d, which does not exist: the chain ends at seq %d (its tail was cut?)", table, id, seq, tail)
	}
	byDecision := map[int64][]*chainEvent{}
	spawnedBy := map[int64]bool{}
	for seq := int64(1); seq <= tail; seq++ {
		e := evs[seq]
		if e.decisionID != nil && e.version > 0 {
			byDecision[*e.decisionID] = append(byDecision[*e.decisionID], e)
		}
		if e.spawned != 0 {
			spawnedBy[e.spawned] = true
		}
	}

	// Decisions.
	var drows []decisionRow
	if err := db.r.SelectContext(ctx, &drows, `SELECT `+decisionCols+` FROM decisions ORDER BY id`); err != nil {
		return nil, err
	}
	for i := range drows {
		r := &drows[i]
		list := byDecision[r.ID]
		if len(list) == 0 {
			if r.Version == 0 && r.ParentID != nil && spawnedBy[r.ID] {
				continue // a decision spawned before it had its own creation event
			}
			ps.add(tail+1, "decisions", r.ID, "decision %d is at version %d but has no audit event: the chain ends at seq %d (its tail was cut?)", r.ID, r.Version, tail)
			continue
		}
		broken := false
		for j, e := range list {
			if e.version != int64(j+1) {
				ps.add(e.seq, "decisions", r.ID, "the audit events of decision %d skip from version %d to %d", r.ID, j, e.version)
				broken = true
				break
			}
		}
		if broken {
			continue
		}
		last := list[len(list)-1]
		switch {
		case r.Version > last.version:
			// Either the row was changed (its last change is then no later
			// than the chain's end: the seq after its last event is named),
			// or the chain's tail was cut (the row was last changed after
			// the chain's last event: the first seq gone is named).
			seq := last.seq + 1
			if te := evs[tail]; te != nil && r.UpdatedAt > te.at {
				seq = tail + 1
			}
			ps.add(seq, "decisions", r.ID, "decision %d is at version %d, past its audit (the last event, seq %d, is version %d): the tail was cut or the row was changed",
				r.ID, r.Version, last.seq, last.version)
		case r.Version < last.version:
			ps.add(last.seq, "decisions", r.ID, "decision %d is at version %d, but its audit event seq %d is version %d", r.ID, r.Version, last.seq, last.version)
		case r.State != last.to:
			ps.add(last.seq, "decisions", r.ID, "decision %d is in state %s, but its last audit event (seq %d) left it in %s", r.ID, r.State, last.seq, last.to)
		case last.content != nil && last.content["decision"] != "" && last.content["decision"] != r.hash():
			ps.add(last.seq, "decisions", r.ID, "decision %d does not match the content its last audit event (seq %d) bound", r.ID, last.seq)
		}
	}

	// Stage records.
	var recs []struct {
		ID int64 `db:"id"`
		recordContent
	}
	if err := db.r.SelectContext(ctx, &recs, `SELECT id, decision_id, audit_seq, event, from_state, to_state, actor_id, data, draft_hash, at FROM records ORDER BY id`); err != nil {
		return nil, err
	}
	wrote := map[string]map[int64]int{"records": {}, "drafts": {}, "legality_opinions": {}}
	recSeq := map[int64]int64{}
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
		r := &recs[i]
		recSeq[r.ID] = r.AuditSeq
		if r.Event == "revise_draft" {
			var d struct {
				No  int    `json:"draft_no"`
				Sha string `json:"sha256"`
			}
			_ = json.Unmarshal([]byte(r.Data), &d)
			draftOf[draftRef{r.DecisionID, d.No}] = draftSeen{d.Sha, r.AuditSeq}
		}
		e := evs[r.AuditSeq]
		if e == nil {
			cut("records", r.ID, r.AuditSeq)
			continue
		}
		wrote["records"][r.AuditSeq]++
		switch {
		case e.decisionID == nil || *e.decisionID != r.DecisionID || e.event != r.Event || e.from != r.From || e.to != r.To || e.actorID != r.ActorID || e.at != r.At:
			ps.add(r.AuditSeq, "records", r.ID, "stage record %d does not match its audit event seq %d (decision, event, states, actor or time differ)", r.ID, r.AuditSeq)
		case e.content != nil && e.content["record"] != r.hash():
			ps.add(r.AuditSeq, "records", r.ID, "stage record %d does not match the content its audit event seq %d bound", r.ID, r.AuditSeq)
		case e.content == nil && e.data != r.Data:
			ps.add(r.AuditSeq, "records", r.ID, "stage record %d's data differs from its audit event seq %d", r.ID, r.AuditSeq)
		}
	}

	// Drafts.
	var drafts []struct {
		ID int64 `db:"id"`
		draftContent
	}
	if err := db.r.SelectContext(ctx, &drafts, `SELECT id, decision_id, no, sha256, text, note, author_id, at, audit_seq FROM drafts ORDER BY id`); err != nil {
		return nil, err
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
			if err := db.r.GetContext(ctx, &n, db.r.Rebind(`SELECT COUNT(*) FROM attachments WHERE decision_id = ? AND hash = ? AND audit_seq = ?`),
				d.DecisionID, d.SHA256, seq); err != nil {
				return nil, err
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
		e := evs[seq]
		if e == nil {
			cut("drafts", d.ID, seq)
			continue
		}
		wrote["drafts"][seq]++
		if e.content["draft"] != d.hash() {
			ps.add(seq, "drafts", d.ID, "draft %d does not match the content its audit event seq %d bound", d.ID, seq)
		}
	}

	// Documents: each stored content still hashes to its key; each
	// attachment's act is on the chain and is of the same decision.
	if err := db.verifyDocuments(ctx, &ps); err != nil {
		return nil, err
	}
	var atts []struct {
		ID         int64 `db:"id"`
		DecisionID int64 `db:"decision_id"`
		AuditSeq   int64 `db:"audit_seq"`
	}
	if err := db.r.SelectContext(ctx, &atts, `SELECT id, decision_id, audit_seq FROM attachments ORDER BY id`); err != nil {
		return nil, err
	}
	for _, a := range atts {
		e := evs[a.AuditSeq]
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
	if err := db.r.SelectContext(ctx, &ops, `SELECT id, decision_id, record_id, draft_hash, outcome, risk_statement, kind, at, audit_seq FROM legality_opinions ORDER BY id`); err != nil {
		return nil, err
	}
	recByID := map[int64]int{}
	for i := range recs {
		recByID[recs[i].ID] = i
	}
	for i := range ops {
		o := &ops[i]
		if o.AuditSeq == nil {
			// Written before content hashes: it agrees with its record.
			j, ok := recByID[o.RecordID]
			var rd struct {
				Outcome string `json:"outcome"`
			}
			if ok {
				_ = json.Unmarshal([]byte(recs[j].Data), &rd)
			}
			if !ok || recs[j].DecisionID != o.DecisionID || recs[j].DraftHash != o.DraftHash || rd.Outcome != o.Outcome {
				ps.add(recSeq[o.RecordID], "legality_opinions", o.ID, "legality opinion %d does not agree with its stage record %d", o.ID, o.RecordID)
			}
			continue
		}
		seq := *o.AuditSeq
		e := evs[seq]
		if e == nil {
			cut("legality_opinions", o.ID, seq)
			continue
		}
		wrote["legality_opinions"][seq]++
		switch {
		case recSeq[o.RecordID] != seq:
			ps.add(seq, "legality_opinions", o.ID, "legality opinion %d names record %d, which was not written by its audit event seq %d", o.ID, o.RecordID, seq)
		case e.content["opinion"] != o.hash():
			ps.add(seq, "legality_opinions", o.ID, "legality opinion %d does not match the content its audit event seq %d bound", o.ID, seq)
		}
	}

	// The public's comments and the drafter's handling of them.
	wrote["comments"], wrote["comment_handling"] = map[int64]int{}, map[int64]int{}
	if err := db.verifyComments(ctx, evs, &ps, wrote, cut); err != nil {
		return nil, err
	}

	// Every event that wrote a row still has exactly that row (an act of
	// handling, all the rows it bound: verifyComments compares them).
	keys := [][2]string{{"record", "records"}, {"draft", "drafts"}, {"opinion", "legality_opinions"}, {"comment", "comments"},
		{"comment_handling", "comment_handling"}}
	for seq := int64(1); seq <= tail; seq++ {
		e := evs[seq]
		for _, kt := range keys {
			k, table := kt[0], kt[1]
			if e.content == nil || e.content[k] == "" {
				continue
			}
			switch n := wrote[table][seq]; {
			case n == 0:
				ps.add(seq, table, 0, "audit event seq %d (%s) wrote a %s row that is missing", seq, e.event, table)
			case n > 1 && table != "comment_handling":
				ps.add(seq, table, 0, "audit event seq %d (%s) wrote one %s row, but %d name it", seq, e.event, table, n)
			}
		}
	}
	return ps.first(), nil
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

// verifyComments checks each comment against the comment_received event
// that wrote it, and each act of handling's rows, in order, against the
// comments_handled event that bound them. Rows are streamed: a comment's
// text may be long and the comments many.
func (db *DB) verifyComments(ctx context.Context, evs map[int64]*chainEvent, ps *problems, wrote map[string]map[int64]int,
	cut func(table string, id, seq int64)) error {
	rows, err := db.r.QueryxContext(ctx, `SELECT id, decision_id, round_id, receipt, draft_no, draft_hash, text, name, contact, addr_hash, at, audit_seq
		FROM comments ORDER BY id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var c struct {
			ID int64 `db:"id"`
			commentContent
		}
		if err := rows.StructScan(&c); err != nil {
			rows.Close()
			return err
		}
		e := evs[c.AuditSeq]
		if e == nil {
			cut("comments", c.ID, c.AuditSeq)
			continue
		}
		wrote["comments"][c.AuditSeq]++
		if e.event != workflow.EvCommentReceived || e.content["comment"] != c.hash() {
			ps.add(c.AuditSeq, "comments", c.ID, "comment %d does not match the content its audit event seq %d bound", c.ID, c.AuditSeq)
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	hrows, err := db.r.QueryxContext(ctx, `SELECT id, comment_id, decision_id, kind, opinion, reason, duplicate_of, actor_id, at, audit_seq
		FROM comment_handling ORDER BY audit_seq, id`)
	if err != nil {
		return err
	}
	defer hrows.Close()
	var seq, first int64
	var hashes []string
	check := func() {
		if len(hashes) == 0 {
			return
		}
		e := evs[seq]
		switch {
		case e == nil:
			cut("comment_handling", first, seq)
		case e.event != workflow.EvCommentsHandled || e.content["comment_handling"] != handlingBatchHash(hashes):
			ps.add(seq, "comment_handling", first, "the comment handling rows of audit event seq %d (from row %d) do not match the content it bound", seq, first)
		}
		hashes = hashes[:0]
	}
	for hrows.Next() {
		var h struct {
			ID int64 `db:"id"`
			handlingContent
		}
		if err := hrows.StructScan(&h); err != nil {
			return err
		}
		if h.AuditSeq != seq {
			check()
			seq, first = h.AuditSeq, h.ID
		}
		hashes = append(hashes, h.hash())
		if evs[h.AuditSeq] != nil {
			wrote["comment_handling"][h.AuditSeq]++
		}
	}
	if err := hrows.Err(); err != nil {
		return err
	}
	check()
	return nil
}
