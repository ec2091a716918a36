package store

import (
	"context"
	"database/sql"
	"sort"
	"sync"

	"decisiond/workflow"
)

// What the store tells an operator's monitoring (handlers/metrics turns it
// into Prometheus metrics at scrape time; the store imports no metrics
// library).

// ActCount is how many acts of one event ended with one outcome: "ok" or
// the refusal's code.
type ActCount struct {
	Event   string
	Outcome string
	N       uint64
}

type actKey struct{ event, outcome string }

// actCounter counts acts by event and outcome since the process started.
type actCounter struct {
	mu sync.Mutex
	n  map[actKey]uint64
}

// OutcomeOK is the outcome of an act that was done.
const OutcomeOK = "ok"

// observe counts one act. An event name the procedure does not know is
// counted as "unknown", so a client cannot grow the set of labels.
func (c *actCounter) observe(p *workflow.Procedure, event string, err error) {
	if _, ok := p.Event(event); !ok && event != "create" && event != workflow.EvCommentReceived {
		event = "unknown"
	}
	outcome := OutcomeOK
	if err != nil {
		outcome = workflow.ErrorCode(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[actKey]uint64{}
	}
	c.n[actKey{event, outcome}]++
}

// ActCounts lists the acts of this process by event and outcome.
func (db *DB) ActCounts() []ActCount {
	db.acts.mu.Lock()
	out := make([]ActCount, 0, len(db.acts.n))
	for k, n := range db.acts.n {
		out = append(out, ActCount{Event: k.event, Outcome: k.outcome, N: n})
	}
	db.acts.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Event != out[j].Event {
			return out[i].Event < out[j].Event
		}
		return out[i].Outcome < out[j].Outcome
	})
	return out
}

// ChainHead is the last link of the audit chain (seq 0 and no hash when
// the chain is empty).
func (db *DB) ChainHead(ctx context.Context) (seq int64, hash string, err error) {
	var head struct {
		Seq  int64  `db:"seq"`
		Hash string `db:"hash"`
	}
	err = db.r.GetContext(ctx, &head, `SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1`)
	if isNoRows(err) {
		return 0, "", nil
	}
	return head.Seq, head.Hash, err
}

// PoolStats are the connection pools' statistics by name ("writer" and
// "reader" on SQLite; one "pool" on PostgreSQL).
func (db *DB) PoolStats() map[string]sql.DBStats {
	if db.r == db.w {
		return map[string]sql.DBStats{"pool": db.w.Stats()}
	}
	return map[string]sql.DBStats{"writer": db.w.Stats(), "reader": db.r.Stats()}
}
