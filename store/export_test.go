package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Test-only tools for the tamper tests: an attacker with the database file
// (or the database owner) who drops the triggers and rewrites rows.

// TamperForTest runs one statement with the immutability triggers of the
// audit chain and the catalogue out of the way.
func (db *DB) TamperForTest(ctx context.Context, stmt string, args ...any) error {
	var off []string
	if db.d.name == "sqlite" {
		off = []string{`DROP TRIGGER IF EXISTS audit_events_no_update`, `DROP TRIGGER IF EXISTS catalogue_entries_frozen_update`,
			`DROP TRIGGER IF EXISTS catalogue_versions_frozen`}
	} else {
		off = []string{`ALTER TABLE audit_events DISABLE TRIGGER USER`, `ALTER TABLE catalogue_entries DISABLE TRIGGER USER`,
			`ALTER TABLE catalogue_versions DISABLE TRIGGER USER`}
	}
	for _, s := range off {
		if _, err := db.w.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	_, err := db.w.ExecContext(ctx, db.w.Rebind(stmt), args...)
	return err
}

// RehashChainForTest recomputes every hash from seq on, as an attacker who
// rewrote an event would, so that the chain itself verifies again.
func (db *DB) RehashChainForTest(ctx context.Context, from int64) error {
	var evs []AuditEvent
	if err := db.w.SelectContext(ctx, &evs, db.w.Rebind(`SELECT `+auditCols+` FROM audit_events WHERE seq >= ? - 1 ORDER BY seq`), from); err != nil {
		return err
	}
	prev := genesis
	for i := range evs {
		e := &evs[i]
		if e.Seq < from {
			prev = e.Hash
			continue
		}
		e.PrevHash = prev
		h, err := e.computeHash()
		if err != nil {
			return err
		}
		if err := db.TamperForTest(ctx, `UPDATE audit_events SET prev_hash = ?, hash = ? WHERE seq = ?`, prev, h, e.Seq); err != nil {
			return err
		}
		prev = h
	}
	return nil
}

// AfterChainWalkForTest runs fn between verification's walk of the chain
// and its checks of the tables: acts that land meanwhile, as on a busy
// server.
func (db *DB) AfterChainWalkForTest(fn func()) { db.afterChainWalk = fn }

// ReaderPoolStatsForTest is the readers' connection pool's statistics.
func (db *DB) ReaderPoolStatsForTest() sql.DBStats { return db.r.Stats() }

// TitleSearchPathsForTest sets how a title search chooses between counting
// candidates by id and scanning with LIKE (byID), and between reading a
// page from the trigram index and from the scope (dense), so that a test
// with a few decisions takes every path; it returns the restore.
func TitleSearchPathsForTest(byID, dense int) func() {
	b, d := titleCandidatesByID, titleDense
	titleCandidatesByID, titleDense = byID, dense
	return func() { titleCandidatesByID, titleDense = b, d }
}
