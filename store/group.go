package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/jmoiron/sqlx"
)

// Group commit: one appender takes every act waiting at the moment, applies
// them in order in one transaction — a savepoint per act, so a refused act
// does not sink its neighbours — extends the hash chain in that order,
// commits once, then answers each caller. No act is acknowledged before its
// commit is durable; the guards and the workflow do not change. It is the
// store's default; Options.NoGroupCommit turns it off (one transaction per
// act) for comparison.

// maxBatch bounds the acts of one commit.
const maxBatch = 256

// groupReq is one act waiting for the appender.
type groupReq struct {
	ctx  context.Context
	fn   func(tx *sqlx.Tx) error
	done chan groupDone
}

type groupDone struct {
	err   error
	panic any // a panic inside the act (or the commit), re-raised in the caller
}

// appender is the group-commit loop of a store.
type appender struct {
	reqs chan *groupReq
	once sync.Once
	quit chan struct{}
	wg   sync.WaitGroup

	groups, acts atomic.Int64 // transactions committed, and the acts in them
}

// GroupCommits reports how many group transactions committed and how many
// acts (applied or refused) they carried.
func (db *DB) GroupCommits() (groups, acts int64) {
	return db.app.groups.Load(), db.app.acts.Load()
}

// inGroup runs fn in the next group transaction and waits for its commit.
// A panic inside fn (or in the commit of its group) is re-raised here, in
// the caller's goroutine, after the group was rolled back.
func (db *DB) inGroup(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	if db.readOnly {
		return errReadOnly
	}
	if db.opts.NoGroupCommit {
		return db.tx(ctx, fn)
	}
	db.app.once.Do(db.startAppender)
	req := &groupReq{ctx: ctx, fn: fn, done: make(chan groupDone, 1)}
	select {
	case db.app.reqs <- req:
	case <-db.app.quit:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, the act is applied and committed (or refused) whatever
	// the caller does meanwhile; its answer waits in the buffered channel.
	var d groupDone
	select {
	case d = <-req.done:
	case <-db.app.quit:
		db.app.wg.Wait() // the appender finished its last group
		select {
		case d = <-req.done:
		default:
			return errClosed
		}
	}
	if d.panic != nil {
		panic(d.panic)
	}
	return d.err
}

var errClosed = errors.New("the store is closed")

func (db *DB) startAppender() {
	db.app.reqs = make(chan *groupReq, maxBatch)
	db.app.wg.Add(1)
	go func() {
		defer db.app.wg.Done()
		for {
			var first *groupReq
			select {
			case first = <-db.app.reqs:
			case <-db.app.quit:
				return
			}
			batch := []*groupReq{first}
		drain:
			for len(batch) < maxBatch {
				select {
				case r := <-db.app.reqs:
					batch = append(batch, r)
				default:
					break drain
				}
			}
			db.commitGroup(batch)
		}
	}()
}

// stopAppender ends the loop (Close); queued callers get errClosed.
func (db *DB) stopAppender() {
	select {
	case <-db.app.quit:
	default:
		close(db.app.quit)
	}
	db.app.wg.Wait()
	if db.app.reqs == nil {
		return
	}
	for {
		select {
		case r := <-db.app.reqs:
			r.done <- groupDone{err: errClosed}
		default:
			return
		}
	}
}

// commitGroup applies a batch in one transaction, a savepoint per act.
func (db *DB) commitGroup(batch []*groupReq) {
	results := make([]groupDone, len(batch))
	finish := func(all groupDone) {
		for i, r := range batch {
			d := results[i]
			if d.err == nil && d.panic == nil {
				d = all
			}
			r.done <- d
		}
	}
	defer func() {
		if v := recover(); v != nil { // the commit hook (a test) or the driver panicked: nothing was committed
			for i := range results {
				if results[i].err == nil {
					results[i] = groupDone{panic: v}
				}
			}
			finish(groupDone{panic: v})
		}
	}()
	tx, err := db.w.BeginTxx(context.Background(), nil)
	if err != nil {
		finish(groupDone{err: storageError(fmt.Errorf("begin: %w", err))})
		return
	}
	memo := db.memos.open(tx)
	defer db.memos.close(tx)
	defer func() { _ = tx.Rollback() }()
	applied := 0
	for i, r := range batch {
		if r.ctx.Err() != nil {
			results[i] = groupDone{err: r.ctx.Err()} // the caller left before its act began
			continue
		}
		sp := fmt.Sprintf("act_%d", i)
		if _, err := tx.Exec("SAVEPOINT " + sp); err != nil {
			finish(groupDone{err: storageError(err)})
			return
		}
		saved := *memo
		results[i] = runAct(r, tx)
		results[i].err = storageError(results[i].err) // a full or read-only disk is a clear refusal
		if results[i].err != nil || results[i].panic != nil {
			*memo = saved // the act's append, if any, is undone with it
			if _, err := tx.Exec("ROLLBACK TO SAVEPOINT " + sp); err != nil {
				finish(groupDone{err: err})
				return
			}
		} else {
			applied++
		}
		if _, err := tx.Exec("RELEASE SAVEPOINT " + sp); err != nil {
			finish(groupDone{err: err})
			return
		}
	}
	if applied > 0 && db.opts.BeforeCommit != nil {
		db.opts.BeforeCommit()
	}
	if err := tx.Commit(); err != nil {
		finish(groupDone{err: storageError(fmt.Errorf("commit: %w", err))})
		return
	}
	db.app.groups.Add(1)
	db.app.acts.Add(int64(len(batch)))
	finish(groupDone{})
}

// runAct runs one act inside its savepoint; a panic in it is kept for its
// caller and undoes only that act.
func runAct(r *groupReq, tx *sqlx.Tx) (d groupDone) {
	defer func() {
		if v := recover(); v != nil {
			d = groupDone{panic: v}
		}
	}()
	return groupDone{err: r.fn(tx)}
}
