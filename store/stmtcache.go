package store

import (
	"container/list"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"sync"

	"github.com/jmoiron/sqlx"
	"modernc.org/sqlite"
)

// The SQLite driver parses every statement anew each time it is run; an act
// runs a dozen statements, and parsing them was a quarter of its cost. So
// the store's SQLite connections keep their prepared statements: each
// connection caches the last stmtCacheSize statements by their text, and
// runs them again bound to new arguments (the driver resets a statement
// when its rows are closed). A statement whose rows are still open — the
// same query nested in its own loop — is not shared: the nested run
// prepares its own. PostgreSQL needs none of this: pgx caches statements
// itself.

// stmtCacheSize bounds each connection's cache (queries with literal
// limits differ by their text; the least recently used is closed).
const stmtCacheSize = 128

// cachingDriverName is the database/sql driver name of the cached SQLite
// connections.
const cachingDriverName = "sqlite-stmtcache"

func init() {
	sql.Register(cachingDriverName, cachingDriver{})
	sqlx.BindDriver(cachingDriverName, sqlx.QUESTION)
}

type cachingDriver struct{}

func (cachingDriver) Open(name string) (driver.Conn, error) {
	c, err := (&sqlite.Driver{}).Open(name)
	if err != nil {
		return nil, err
	}
	return &cachingConn{Conn: c, lru: list.New(), byQuery: map[string]*list.Element{}}, nil
}

// sqliteConn is what the store uses of the driver's connection.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type cachingConn struct {
	driver.Conn
	mu      sync.Mutex // database/sql uses a connection from one goroutine at a time; rows may close from another
	lru     *list.List // of *cachedStmt, most recent first
	byQuery map[string]*list.Element
}

type cachedStmt struct {
	query   string
	stmt    driver.Stmt
	busy    bool // its rows are open
	evicted bool // dropped from the cache while busy: closed when its rows close
}

func (c *cachingConn) inner() sqliteConn { return c.Conn.(sqliteConn) }

// take returns the cached statement for query, prepared on first use and
// marked busy; nil when the cached one is busy (the caller then runs the
// query uncached).
func (c *cachingConn) take(ctx context.Context, query string) (*cachedStmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byQuery[query]; ok {
		cs := el.Value.(*cachedStmt)
		if cs.busy {
			return nil, nil
		}
		c.lru.MoveToFront(el)
		cs.busy = true
		return cs, nil
	}
	st, err := c.inner().PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	cs := &cachedStmt{query: query, stmt: st, busy: true}
	c.byQuery[query] = c.lru.PushFront(cs)
	for c.lru.Len() > stmtCacheSize {
		old := c.lru.Back()
		o := old.Value.(*cachedStmt)
		c.lru.Remove(old)
		delete(c.byQuery, o.query)
		if o.busy {
			o.evicted = true
		} else {
			o.stmt.Close()
		}
	}
	return cs, nil
}

// release marks a statement free again (closing it if it was evicted).
func (c *cachingConn) release(cs *cachedStmt) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cs.busy = false
	if cs.evicted {
		cs.stmt.Close()
	}
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs, err := c.take(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.inner().ExecContext(ctx, query, args)
	}
	defer c.release(cs)
	return cs.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, err := c.take(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.inner().QueryContext(ctx, query, args)
	}
	rows, err := cs.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		c.release(cs)
		return nil, err
	}
	return &cachedRows{Rows: rows, release: func() { c.release(cs) }}, nil
}

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.inner().PrepareContext(ctx, query)
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.inner().BeginTx(ctx, opts)
}

func (c *cachingConn) Ping(ctx context.Context) error { return c.inner().Ping(ctx) }

func (c *cachingConn) ResetSession(ctx context.Context) error { return c.inner().ResetSession(ctx) }

func (c *cachingConn) IsValid() bool { return c.inner().IsValid() }

func (c *cachingConn) Close() error {
	c.mu.Lock()
	var errs []error
	for el := c.lru.Front(); el != nil; el = el.Next() {
		errs = append(errs, el.Value.(*cachedStmt).stmt.Close())
	}
	c.lru.Init()
	clear(c.byQuery)
	c.mu.Unlock()
	return errors.Join(append(errs, c.Conn.Close())...)
}

// cachedRows frees its statement for the next run when closed.
type cachedRows struct {
	driver.Rows
	once    sync.Once
	release func()
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.once.Do(r.release)
	return err
}
