package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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

// scan reads one row of auditCols, without reflection (verify reads
// millions).
func (e *AuditEvent) scan(rows *sql.Rows) error {
	var d, o sql.NullInt64
	var data []byte
	if err := rows.Scan(&e.Seq, &e.At, &d, &o, &e.ActorID, &e.ActorName, &e.Role, &e.Event, &e.From, &e.To, &e.Version, &data,
		&e.Alg, &e.PrevHash, &e.Hash); err != nil {
		return err
	}
	if d.Valid {
		e.DecisionID = &d.Int64
	}
	if o.Valid {
		e.OrganID = &o.Int64
	}
	e.Data = data
	return nil
}

// auditCols are the columns of AuditEvent.
const auditCols = `seq, at, decision_id, organ_id, actor_id, actor_name, role, event, from_state, to_state, version, data, alg, prev_hash, hash`

// canonical is the exact byte string the hash covers: every column but the
// hash, as JSON with sorted keys.
func (e *AuditEvent) canonical() ([]byte, error) {
	return e.appendCanonical(make([]byte, 0, 512+len(e.Data))), nil
}

// appendCanonical writes the hashed form of the event: a JSON object with
// its keys in sorted order, byte for byte what json.Marshal gives a map of
// them (TestCanonicalEventBytesUnchanged holds the two equal). Written by hand because verify hashes millions.
// Events written before organs were recorded have no organ_id; their hash
// is unchanged.
func (e *AuditEvent) appendCanonical(b []byte) []byte {
	data := []byte(e.Data)
	if len(data) == 0 {
		data = []byte("{}")
	}
	b = append(b, `{"actor":`...)
	b = appendJSONString(b, e.ActorName)
	b = append(b, `,"actor_id":`...)
	b = strconv.AppendInt(b, e.ActorID, 10)
	b = append(b, `,"alg":`...)
	b = appendJSONString(b, e.Alg)
	b = append(b, `,"at":`...)
	b = appendJSONString(b, e.At)
	b = append(b, `,"data":`...)
	b = appendRawJSON(b, data)
	b = append(b, `,"decision_id":`...)
	if e.DecisionID == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, *e.DecisionID, 10)
	}
	b = append(b, `,"event":`...)
	b = appendJSONString(b, e.Event)
	b = append(b, `,"from":`...)
	b = appendJSONString(b, e.From)
	if e.OrganID != nil {
		b = append(b, `,"organ_id":`...)
		b = strconv.AppendInt(b, *e.OrganID, 10)
	}
	b = append(b, `,"prev_hash":`...)
	b = appendJSONString(b, e.PrevHash)
	b = append(b, `,"role":`...)
	b = appendJSONString(b, e.Role)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, e.Seq, 10)
	b = append(b, `,"to":`...)
	b = appendJSONString(b, e.To)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, e.Version, 10)
	return append(b, '}')
}

// appendRawJSON appends a JSON value as json.Marshal embeds a
// json.RawMessage: compacted, with <, >, &, U+2028 and U+2029 escaped in
// strings. Stored data is already so; the slow path is for data that is not.
func appendRawJSON(b, data []byte) []byte {
	if plainJSON(data) {
		return append(b, data...) // what Compact and HTMLEscape would leave as it is
	}
	var c bytes.Buffer
	if err := json.Compact(&c, data); err != nil {
		return append(b, data...) // not JSON: hashes to something verify will not match
	}
	var h bytes.Buffer
	json.HTMLEscape(&h, c.Bytes())
	return append(b, h.Bytes()...)
}

// plainJSON reports that data holds no character json.HTMLEscape would
// escape (<, >, &, U+2028, U+2029) and no white space outside strings (what
// json.Compact would remove): one pass over the bytes, where a test for
// "any of these runes" decoded every rune of the (mostly Chinese) text and
// was a quarter of the chain's verification.
func plainJSON(data []byte) bool {
	in, esc := false, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if !jsonSpecial[c] && !esc {
			continue // the common case: one table look-up a byte
		}
		switch {
		case c == '<' || c == '>' || c == '&':
			return false
		case c == 0xE2 && i+2 < len(data) && data[i+1] == 0x80 && (data[i+2] == 0xA8 || data[i+2] == 0xA9):
			return false
		case esc:
			esc = false
		case in && c == '\\':
			esc = true
		case c == '"':
			in = !in
		case !in && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			return false
		}
	}
	return true
}

// jsonSpecial marks the bytes plainJSON must look at.
var jsonSpecial = func() (t [256]bool) {
	for _, c := range []byte("<>&\xe2\\\" \t\n\r") {
		t[c] = true
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// appendJSONString is encoding/json's string encoding with HTML escaping
// (the default of json.Marshal).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
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
	head, err := db.chainHead(ctx, tx)
	if err != nil {
		return err
	}
	e.Seq, e.PrevHash, e.Alg, e.At = head.Seq+1, head.Hash, crypt.HashAlgOf(db.opts.Crypto), ts(now)
	if e.Data, err = canonicalData(data); err != nil {
		return err
	}
	if e.Hash, err = e.computeHash(); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, tx.Rebind(`INSERT INTO audit_events
		(seq, at, decision_id, organ_id, actor_id, actor_name, role, event, from_state, to_state, version, data, alg, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), e.Seq, e.At, e.DecisionID, e.OrganID, e.ActorID, e.ActorName, e.Role, e.Event,
		e.From, e.To, e.Version, e.Data, e.Alg, e.PrevHash, e.Hash)
	if err != nil {
		return fmt.Errorf("append audit event: %w", err)
	}
	if m := db.memo(tx); m != nil {
		m.head = &chainHead{Seq: e.Seq, Hash: e.Hash}
	}
	return nil
}

// chainHead locks the chain for the transaction and reads its head — once
// per transaction: later appends in it continue from the memo.
func (db *DB) chainHead(ctx context.Context, tx *sqlx.Tx) (chainHead, error) {
	m := db.memo(tx)
	if m != nil && m.head != nil {
		return *m.head, nil
	}
	if db.d.lockAudit != "" {
		if _, err := tx.ExecContext(ctx, db.d.lockAudit); err != nil {
			return chainHead{}, fmt.Errorf("lock audit chain: %w", err)
		}
	}
	var head chainHead
	err := tx.GetContext(ctx, &head, `SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1`)
	switch {
	case isNoRows(err):
		head.Hash = genesis
	case err != nil:
		return chainHead{}, fmt.Errorf("read audit head: %w", err)
	}
	return head, nil
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
	return db.VerifyWith(ctx, VerifyOptions{})
}

// VerifyOptions tune a verification.
type VerifyOptions struct {
	// Workers is how many cores it may use (default: all). The server's
	// background verification takes one, leaving the rest to requests.
	Workers int
}

func (o VerifyOptions) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return max(1, runtime.GOMAXPROCS(0))
}

// VerifyWith is Verify with options.
func (db *DB) VerifyWith(ctx context.Context, o VerifyOptions) (*VerifyResult, error) {
	res, tailAt, err := db.verifyChain(ctx, o.workers())
	if err != nil || !res.OK {
		if res != nil {
			return db.withAnchors(ctx, res)
		}
		return nil, err
	}
	if db.afterChainWalk != nil {
		db.afterChainWalk()
	}
	p, err := db.verifyTables(ctx, res.Events, tailAt, o.workers())
	if err != nil {
		return nil, err
	}
	if p != nil {
		res.OK, res.FirstBadSeq, res.Table, res.RowID, res.Reason = false, p.seq, p.table, p.id, p.reason
	}
	return db.withAnchors(ctx, res)
}

// VerifyChain walks the audit chain alone (no table checks, no anchors): the
// part of Verify whose cost grows with every act, measured on its own by the
// benchmark.
func (db *DB) VerifyChain(ctx context.Context) (*VerifyResult, error) {
	res, _, err := db.verifyChain(ctx, VerifyOptions{}.workers())
	return res, err
}

// verifyChain walks the audit chain in order. The seqs are cut into chunks
// of 256; one worker per core reads every n-th chunk on its own connection
// and hashes its events, and the links are checked chunk after chunk, in
// sequence. It keeps no event past its chunk, and returns when the last one
// was written.
func (db *DB) verifyChain(ctx context.Context, nworkers int) (*VerifyResult, string, error) {
	type item struct {
		e    AuditEvent
		hash string
		err  error
	}
	type chunk struct {
		items []item
		err   error
	}
	const size = 256
	var top int64
	if err := db.r.GetContext(ctx, &top, `SELECT COALESCE(MAX(seq), 0) FROM audit_events`); err != nil {
		return nil, "", err
	}
	chunks := top/size + 1
	workers := int64(nworkers)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	outs := make([]chan chunk, workers)
	for w := range workers {
		outs[w] = make(chan chunk, 2)
		go func() {
			defer close(outs[w])
			buf := make([]byte, 0, 4096)
			for c := w; c < chunks; c += workers {
				var ck chunk
				ck.err = func() error {
					rows, err := db.r.QueryContext(ctx, db.r.Rebind(`SELECT `+auditCols+` FROM audit_events WHERE seq > ? AND seq <= ? ORDER BY seq`), c*size, (c+1)*size)
					if err != nil {
						return err
					}
					defer rows.Close()
					for rows.Next() {
						var it item
						if err := it.e.scan(rows); err != nil {
							return err
						}
						buf = it.e.appendCanonical(buf[:0])
						it.hash, it.err = crypt.Sum(it.e.Alg, []byte(it.e.PrevHash), buf)
						ck.items = append(ck.items, it)
					}
					return rows.Err()
				}()
				select {
				case outs[w] <- ck:
				case <-ctx.Done():
					return
				}
				if ck.err != nil {
					return
				}
			}
		}()
	}
	res := &VerifyResult{OK: true}
	prev, want := genesis, int64(1)
	var bad, lastAt string
	for c := int64(0); c < chunks && bad == ""; c++ {
		ck, ok := <-outs[c%workers]
		if !ok {
			return nil, "", ctx.Err()
		}
		if ck.err != nil {
			return nil, "", ck.err
		}
		for i := range ck.items {
			it := &ck.items[i]
			switch {
			case it.e.Seq != want:
				bad = fmt.Sprintf("seq gap: expected %d, found %d", want, it.e.Seq)
			case it.e.PrevHash != prev:
				bad = "prev_hash does not match the previous event's hash"
			case it.err != nil:
				bad = it.err.Error()
			case it.hash != it.e.Hash:
				bad = "hash does not match the event's content"
			}
			if bad != "" {
				break
			}
			lastAt = it.e.At
			res.Events++
			prev, want = it.e.Hash, it.e.Seq+1
		}
	}
	if bad == "" && want <= top {
		bad = fmt.Sprintf("seq gap: expected %d, found a later seq", want)
	}
	if bad != "" {
		return &VerifyResult{OK: false, Events: res.Events, FirstBadSeq: want, Table: "audit_events", RowID: want, Reason: bad, Head: prev}, "", nil
	}
	if res.Events > 0 {
		res.Head = prev
	}
	return res, lastAt, nil
}
