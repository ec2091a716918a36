package store

import (
	"context"
	"sync"

	"github.com/jmoiron/sqlx"
)

// txMemo is what one write transaction has already read and may trust for
// the rest of it: the statements an act would otherwise repeat when a
// group of acts shares one transaction.
//
//   - configChecked: the configuration version row was read in this
//     transaction and the caches match it. On SQLite the transaction holds
//     the only write lock (BEGIN IMMEDIATE), so no other process changes the
//     configuration before it ends; on PostgreSQL a change another instance
//     commits meanwhile counts from the next transaction, as if it had
//     committed just after this one.
//   - head: the chain head after this transaction's last append. The chain
//     is locked for the transaction on its first append (the advisory lock
//     on PostgreSQL, the write lock on SQLite), so nobody else extends it.
//   - hooks: the active webhooks (the outbox's subscriptions), read once.
//   - heads: the display names of organs' heads (the meeting record's
//     head, Art. 30), and users: the enabled users (whose queue an act
//     enters). An act changes no user; a transaction that does (the
//     administration's) reads them after its change or not at all.
//
// A savepoint rolled back restores the memo as it was before the act
// (commitGroup), so a refused act's append does not move the head.
type txMemo struct {
	configChecked bool
	head          *chainHead
	hooks         []Webhook
	hooksLoaded   bool
	heads         map[int64]string
	users         []User
	usersLoaded   bool
}

// txWebhooks are the active webhook subscriptions, read once per
// transaction.
func (db *DB) txWebhooks(ctx context.Context, tx *sqlx.Tx) ([]Webhook, error) {
	m := db.memo(tx)
	if m != nil && m.hooksLoaded {
		return m.hooks, nil
	}
	hooks, err := activeWebhooks(ctx, tx)
	if err == nil && m != nil {
		m.hooks, m.hooksLoaded = hooks, true
	}
	return hooks, err
}

// txEnabledUsers are the enabled users, read once per transaction.
func (db *DB) txEnabledUsers(ctx context.Context, q sqlx.QueryerContext) ([]User, error) {
	m := db.memo(q)
	if m != nil && m.usersLoaded {
		return m.users, nil
	}
	us, err := enabledUsers(ctx, q)
	if err == nil && m != nil {
		m.users, m.usersLoaded = us, true
	}
	return us, err
}

// txDisplayName is a user's display name ("" for no such user), read once
// per transaction.
func (db *DB) txDisplayName(ctx context.Context, q sqlx.QueryerContext, user int64) (string, error) {
	m := db.memo(q)
	if m != nil {
		if name, ok := m.heads[user]; ok {
			return name, nil
		}
	}
	var name string
	if err := sqlx.GetContext(ctx, q, &name, sqlx.Rebind(bindOf(q), `SELECT display_name FROM users WHERE id = ?`), user); err != nil && !isNoRows(err) {
		return "", err
	}
	if m != nil {
		if m.heads == nil {
			m.heads = map[int64]string{}
		}
		m.heads[user] = name
	}
	return name, nil
}

type chainHead struct {
	Seq  int64  `db:"seq"`
	Hash string `db:"hash"`
}

// txMemos maps the store's open write transactions to their memos.
type txMemos struct{ m sync.Map }

func (t *txMemos) open(tx *sqlx.Tx) *txMemo {
	m := &txMemo{}
	t.m.Store(tx, m)
	return m
}

func (t *txMemos) close(tx *sqlx.Tx) { t.m.Delete(tx) }

// memo is the memo of q when q is one of the store's write transactions
// (nil otherwise: a read, or a transaction opened elsewhere).
func (db *DB) memo(q any) *txMemo {
	tx, ok := q.(*sqlx.Tx)
	if !ok {
		return nil
	}
	if m, ok := db.memos.m.Load(tx); ok {
		return m.(*txMemo)
	}
	return nil
}
