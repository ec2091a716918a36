package store

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"decisiond/store/crypt"

	"github.com/jmoiron/sqlx"
)

// Signed checkpoints: at an interval and at each publication the engine
// signs the chain head (sequence, hash, time, and the chain's first hash)
// with a deployment key that lives outside the database, keeps the
// checkpoint in a table of its own (never an event of the chain) and
// appends it to a journal outside the database (optionally posting it to a
// witness). Whoever rewrites the chain end to end, re-hashing every event,
// or cuts its tail, cannot forge the signatures in the journal: verify
// compares the chain with them.

// Checkpoint is one signed statement of the chain head.
type Checkpoint struct {
	Seq       int64  `json:"seq" db:"seq"`
	Hash      string `json:"hash" db:"hash"`
	FirstHash string `json:"first_hash" db:"first_hash"`
	At        string `json:"at" db:"at"`
	Reason    string `json:"reason" db:"reason"`
	SigAlg    string `json:"sig_alg" db:"sig_alg"`
	KeyID     string `json:"key_id" db:"key_id"`
	PublicKey string `json:"public_key" db:"public_key"`
	Signature string `json:"signature" db:"signature"` // base64
}

// Message is the byte string a checkpoint's signature covers.
func (c *Checkpoint) Message() []byte {
	b, _ := json.Marshal(map[string]any{"seq": c.Seq, "hash": c.Hash, "first_hash": c.FirstHash, "at": c.At,
		"reason": c.Reason, "sig_alg": c.SigAlg, "key_id": c.KeyID})
	return append([]byte("decisiond-checkpoint\n"), b...)
}

// VerifySignature checks the checkpoint's signature with its public key, or
// with pinned (a PEM public key) when given.
func (c *Checkpoint) VerifySignature(pinned []byte) error {
	pub := []byte(c.PublicKey)
	if len(pinned) > 0 {
		if crypt.KeyIDOf(pinned) != c.KeyID {
			return fmt.Errorf("signed with key %s, not the deployment's key %s", c.KeyID, crypt.KeyIDOf(pinned))
		}
		pub = pinned
	} else if crypt.KeyIDOf(pub) != c.KeyID {
		return errors.New("the public key does not match the key id")
	}
	sig, err := base64.StdEncoding.DecodeString(c.Signature)
	if err != nil {
		return errors.New("the signature is not base64")
	}
	return crypt.Verify(c.SigAlg, pub, c.Message(), sig)
}

// checkpointer is the signing side of the store.
type checkpointer struct {
	mu      sync.Mutex // one checkpoint at a time, journal lines whole
	lastSeq int64
}

// Checkpoint signs the chain head now (reason: "interval", "publish",
// "start" …). Without a signing key nothing is signed and it returns nil.
// An unchanged head since the last checkpoint of this process is not
// signed again.
func (db *DB) Checkpoint(ctx context.Context, reason string) (*Checkpoint, error) {
	s := db.opts.Signer
	if s == nil || db.readOnly {
		return nil, nil
	}
	db.cp.mu.Lock()
	defer db.cp.mu.Unlock()
	var head, first struct {
		Seq  int64  `db:"seq"`
		Hash string `db:"hash"`
	}
	if err := db.r.GetContext(ctx, &head, `SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1`); err != nil {
		if isNoRows(err) {
			return nil, nil
		}
		return nil, err
	}
	if head.Seq == db.cp.lastSeq {
		return nil, nil
	}
	if err := db.r.GetContext(ctx, &first, `SELECT seq, hash FROM audit_events ORDER BY seq LIMIT 1`); err != nil {
		return nil, err
	}
	pub, err := s.PublicPEM()
	if err != nil {
		return nil, err
	}
	c := &Checkpoint{Seq: head.Seq, Hash: head.Hash, FirstHash: first.Hash, At: ts(db.Now()), Reason: reason,
		SigAlg: s.Alg(), KeyID: s.KeyID(), PublicKey: string(pub)}
	sig, err := s.Sign(c.Message())
	if err != nil {
		return nil, err
	}
	c.Signature = base64.StdEncoding.EncodeToString(sig)
	if err := db.tx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.NamedExecContext(ctx, `INSERT INTO checkpoints (seq, hash, first_hash, at, reason, sig_alg, key_id, public_key, signature)
			VALUES (:seq, :hash, :first_hash, :at, :reason, :sig_alg, :key_id, :public_key, :signature)`, c)
		return err
	}); err != nil {
		return nil, err
	}
	db.cp.lastSeq = head.Seq
	if p := db.opts.CheckpointJournal; p != "" {
		if err := appendJournal(p, c); err != nil {
			return c, fmt.Errorf("checkpoint journal %s: %w", p, err)
		}
	}
	if u := db.opts.CheckpointWitness; u != "" {
		go postWitness(u, c)
	}
	return c, nil
}

// appendJournal appends one checkpoint as a line of JSON and syncs it.
func appendJournal(path string, c *Checkpoint) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(c)
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// postWitness sends a checkpoint to an external witness (best effort: the
// journal is the record; a witness that is down is logged).
func postWitness(url string, c *Checkpoint) {
	b, _ := json.Marshal(c)
	cl := &http.Client{Timeout: 10 * time.Second}
	res, err := cl.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		slog.Warn("checkpoint witness unreachable", "url", url, "err", err)
		return
	}
	res.Body.Close()
	if res.StatusCode >= 300 {
		slog.Warn("checkpoint witness refused", "url", url, "status", res.StatusCode)
	}
}

// ReadJournal reads the checkpoints of a journal file.
func ReadJournal(r io.Reader) ([]Checkpoint, error) {
	var out []Checkpoint
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var c Checkpoint
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, fmt.Errorf("journal line %d: %w", line, err)
		}
		out = append(out, c)
	}
	return out, sc.Err()
}

// CheckpointReport is the result of comparing the chain with checkpoints.
type CheckpointReport struct {
	Journal     string `json:"journal,omitempty"`
	Checkpoints int    `json:"checkpoints"`
	OK          bool   `json:"ok"`
	Warning     string `json:"warning,omitempty"`
	// FirstBad names the first checkpoint that does not hold.
	FirstBad *Checkpoint `json:"first_bad,omitempty"`
	Reason   string      `json:"reason,omitempty"`
}

// VerifyCheckpoints compares the chain with the signed checkpoints of a
// journal: each signature verifies (with pinned, a PEM public key, when
// given); the chain's first hash is the one signed; the chain reaches each
// checkpointed sequence (else its tail was cut) with the signed hash there
// (else it was rewritten). A missing journal is a warning unless required.
// Reads only.
func (db *DB) VerifyCheckpoints(ctx context.Context, journal string, required bool, pinned []byte) (*CheckpointReport, error) {
	rep := &CheckpointReport{Journal: journal, OK: true}
	f, err := os.Open(journal)
	if errors.Is(err, os.ErrNotExist) && !required {
		rep.Warning = "没有检查点日志 / no checkpoint journal at " + journal
		return rep, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cps, err := ReadJournal(f)
	if err != nil {
		return nil, err
	}
	rep.Checkpoints = len(cps)
	var first string
	if err := db.r.GetContext(ctx, &first, `SELECT hash FROM audit_events ORDER BY seq LIMIT 1`); err != nil && !isNoRows(err) {
		return nil, err
	}
	var last int64
	if err := db.r.GetContext(ctx, &last, `SELECT COALESCE(MAX(seq), 0) FROM audit_events`); err != nil {
		return nil, err
	}
	fail := func(c Checkpoint, reason string) (*CheckpointReport, error) {
		rep.OK, rep.FirstBad, rep.Reason = false, &c, reason
		return rep, nil
	}
	for _, c := range cps {
		if err := c.VerifySignature(pinned); err != nil {
			return fail(c, fmt.Sprintf("checkpoint at seq %d: the signature does not verify (%v)", c.Seq, err))
		}
		if c.FirstHash != first {
			return fail(c, fmt.Sprintf("checkpoint at seq %d: the chain's first hash differs from the one signed (the chain was replaced)", c.Seq))
		}
		if c.Seq > last {
			return fail(c, fmt.Sprintf("checkpoint at seq %d: the chain ends at seq %d, before the checkpoint (its tail was cut)", c.Seq, last))
		}
		var h string
		if err := db.r.GetContext(ctx, &h, db.r.Rebind(`SELECT hash FROM audit_events WHERE seq = ?`), c.Seq); err != nil {
			if isNoRows(err) {
				return fail(c, fmt.Sprintf("checkpoint at seq %d: the event is missing from the chain", c.Seq))
			}
			return nil, err
		}
		if h != c.Hash {
			return fail(c, fmt.Sprintf("checkpoint at seq %d: the chain's hash there differs from the signed one (the chain was rewritten)", c.Seq))
		}
	}
	return rep, nil
}

// CheckpointJournal is the journal checkpoints are appended to ("" when
// none is configured).
func (db *DB) CheckpointJournal() string { return db.opts.CheckpointJournal }

// LatestCheckpoint returns the newest checkpoint in the database, if any.
func (db *DB) LatestCheckpoint(ctx context.Context) (*Checkpoint, error) {
	var c Checkpoint
	err := db.r.GetContext(ctx, &c, `SELECT seq, hash, first_hash, at, reason, sig_alg, key_id, public_key, signature FROM checkpoints ORDER BY id DESC LIMIT 1`)
	if isNoRows(err) {
		return nil, nil
	}
	return &c, err
}

// RunCheckpoints signs the chain head every interval until ctx ends (the
// serve command runs it); a head that has not moved is not signed again.
func (db *DB) RunCheckpoints(ctx context.Context, every time.Duration) {
	if db.opts.Signer == nil || every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := db.Checkpoint(ctx, "interval"); err != nil {
				slog.Error("checkpoint", "err", err)
			}
		}
	}
}
