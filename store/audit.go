package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"decisiond/store/crypt"
	"decisiond/workflow"

	"github.com/jmoiron/sqlx"
	"github.com/jmoiron/sqlx/types"
)

// HashAlg names the hash of new audit events in the default (intl)
// deployment; under 国密 (Options.Crypto = "gm") new events hash with SM3.
// Naming the algorithm per event lets a deployment move to SM3 (GB/T 39786)
// without breaking old links.
const HashAlg = crypt.SHA256

// contentKey is workflow.ContentKey.
const contentKey = workflow.ContentKey

// genesis is the prev_hash of the first event.
var genesis = strings.Repeat("0", 64)

// AuditEvent is one link of the audit chain.
type AuditEvent struct {
	Seq        int64          `json:"seq" db:"seq"`
	At         string         `json:"at" db:"at"`
	DecisionID *int64         `json:"decision_id" db:"decision_id"`
	OrganID    *int64         `json:"organ_id,omitempty" db:"organ_id"`
	ActorID    int64          `json:"actor_id" db:"actor_id"`
	ActorName  string         `json:"actor" db:"actor_name"`
	Role       string         `json:"role" db:"role"`
	Event      string         `json:"event" db:"event"`
	From       string         `json:"from_state" db:"from_state"`
	To         string         `json:"to_state" db:"to_state"`
	Version    int64          `json:"version" db:"version"`
	Data       types.JSONText `json:"data" db:"data"`
	Alg        string         `json:"alg" db:"alg"`
	PrevHash   string         `json:"prev_hash" db:"prev_hash"`
	Hash       string         `json:"hash" db:"hash"`
}

// auditCols are the columns of AuditEvent.
const auditCols = `seq, at, decision_id, organ_id, actor_id, actor_name, role, event, from_state, to_state, version, data, alg, prev_hash, hash`

// canonical is the exact byte string the hash covers: every column but the
// hash, as JSON with sorted keys.
func (e *AuditEvent) canonical() ([]byte, error) {
	data := json.RawMessage(e.Data)
	if len(data) == 0 {
		data = json.RawMessage("{}")
	}
	m := map[string]any{
		"seq": e.Seq, "at": e.At, "decision_id": e.DecisionID, "actor_id": e.ActorID, "actor": e.ActorName,
		"role": e.Role, "event": e.Event, "from": e.From, "to": e.To, "version": e.Version,
		"data": data, "alg": e.Alg, "prev_hash": e.PrevHash,
	}
	if e.OrganID != nil {
		// Events written before organs were recorded have none; their hash
		// is unchanged.
		m["organ_id"] = *e.OrganID
	}
	return json.Marshal(m)
}

func (e *AuditEvent) computeHash() (string, error) {
	c, err := e.canonical()
	if err != nil {
		return "", err
	}
	return crypt.Sum(e.Alg, []byte(e.PrevHash), c)
}

// canonicalData renders data as compact JSON with sorted keys.
func canonicalData(v any) (types.JSONText, error) {
	if v == nil {
		return types.JSONText("{}"), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// appendAudit links one event to the head of the chain inside tx.
func (db *DB) appendAudit(ctx context.Context, tx *sqlx.Tx, e *AuditEvent, now time.Time, data any) error {
	if db.d.lockAudit != "" {
		if _, err := tx.ExecContext(ctx, db.d.lockAudit); err != nil {
			return fmt.Errorf("lock audit chain: %w", err)
		}
	}
	var head struct {
		Seq  int64  `db:"seq"`
		Hash string `db:"hash"`
	}
	err := tx.GetContext(ctx, &head, `SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1`)
	switch {
	case isNoRows(err):
		head.Hash = genesis
	case err != nil:
		return fmt.Errorf("read audit head: %w", err)
	}
	e.Seq, e.PrevHash, e.Alg, e.At = head.Seq+1, head.Hash, crypt.HashAlgOf(db.opts.Crypto), ts(now)
	if e.Data, err = canonicalData(data); err != nil {
		return err
	}
	if e.Hash, err = e.computeHash(); err != nil {
		return err
	}
	_, err = tx.NamedExecContext(ctx, `INSERT INTO audit_events
		(seq, at, decision_id, organ_id, actor_id, actor_name, role, event, from_state, to_state, version, data, alg, prev_hash, hash)
		VALUES (:seq, :at, :decision_id, :organ_id, :actor_id, :actor_name, :role, :event, :from_state, :to_state, :version, :data, :alg, :prev_hash, :hash)`, e)
	if err != nil {
		return fmt.Errorf("append audit event: %w", err)
	}
	return nil
}

// appendAct appends the audit event of an act on a decision and, in the
// same transaction, its webhook deliveries (the outbox): they exist
// exactly when the act commits.
func (db *DB) appendAct(ctx context.Context, tx *sqlx.Tx, e *AuditEvent, now time.Time, data any) error {
	if err := db.appendAudit(ctx, tx, e, now, data); err != nil {
		return err
	}
	return db.enqueueWebhooks(ctx, tx, e)
}

// VerifyResult is the outcome of Verify: the chain walked, and every
// decision, stage record, draft and legality opinion checked against the
// audit event that wrote it. When something is wrong, FirstBadSeq, Table,
// RowID and Reason name the first thing found (the smallest audit seq
// concerned).
type VerifyResult struct {
	OK          bool   `json:"ok"`
	Events      int64  `json:"events"`
	Head        string `json:"head,omitempty"`
	FirstBadSeq int64  `json:"first_bad_seq,omitempty"`
	Table       string `json:"table,omitempty"`
	RowID       int64  `json:"row_id,omitempty"`
	Reason      string `json:"reason,omitempty"`
	// Anchors is the number of published catalogue anchors checked;
	// BrokenAnchors names each one that no longer holds (anchors.go).
	Anchors       int             `json:"anchors"`
	BrokenAnchors []AnchorProblem `json:"broken_anchors,omitempty"`
}

// Verify walks the whole chain in order and names the first broken link —
// a recomputed hash that differs, a prev_hash that is not the previous
// hash, or a gap in seq — then checks the other tables against the chain
// (verifyTables) and every catalogue anchor (VerifyAnchors), naming each
// broken one. It only reads.
func (db *DB) Verify(ctx context.Context) (*VerifyResult, error) {
	rows, err := db.r.QueryxContext(ctx, `SELECT `+auditCols+` FROM audit_events ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	res := &VerifyResult{OK: true}
	prev, want := genesis, int64(1)
	evs := map[int64]*chainEvent{}
	for rows.Next() {
		var e AuditEvent
		if err := rows.StructScan(&e); err != nil {
			return nil, err
		}
		bad := ""
		switch {
		case e.Seq != want:
			bad = fmt.Sprintf("seq gap: expected %d, found %d", want, e.Seq)
		case e.PrevHash != prev:
			bad = "prev_hash does not match the previous event's hash"
		default:
			h, err := e.computeHash()
			if err != nil {
				bad = err.Error()
			} else if h != e.Hash {
				bad = "hash does not match the event's content"
			}
		}
		if bad != "" {
			rows.Close() // before the anchors' queries: a read-only store may hold one connection
			return db.withAnchors(ctx, &VerifyResult{OK: false, Events: res.Events, FirstBadSeq: want, Table: "audit_events", RowID: want, Reason: bad, Head: prev})
		}
		evs[e.Seq] = newChainEvent(&e)
		res.Events++
		prev, want = e.Hash, e.Seq+1
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if res.Events > 0 {
		res.Head = prev
	}
	p, err := db.verifyTables(ctx, evs, res.Events)
	if err != nil {
		return nil, err
	}
	if p != nil {
		res.OK, res.FirstBadSeq, res.Table, res.RowID, res.Reason = false, p.seq, p.table, p.id, p.reason
	}
	return db.withAnchors(ctx, res)
}
