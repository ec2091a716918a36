package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/jmoiron/sqlx"
)

// MigrateDataReport tells what MigrateData copied.
type MigrateDataReport struct {
	Tables map[string]int `json:"tables"` // rows copied per table
	Events int64          `json:"events"`
	Head   string         `json:"head"`
}

// skipTables are not copied: the schema's own bookkeeping, and sessions
// (people sign in again on the new database).
var skipTables = map[string]bool{"goose_db_version": true, "sessions": true}

// MigrateData copies everything of a SQLite database (src, opened with
// OpenReadOnly) into a new, empty PostgreSQL database (target): every
// table, every row with its id, every hash as it is. The target is
// migrated first and must hold nothing; the copy is one transaction; the
// chain (and every table against it) is verified on the target, and its
// head must equal the source's, before success is reported.
func MigrateData(ctx context.Context, src *DB, target string, opts Options) (*MigrateDataReport, error) {
	if !IsPostgres(target) {
		return nil, errors.New("the target must be a PostgreSQL URL (postgres://…)")
	}
	sv, err := src.Verify(ctx)
	if err != nil {
		return nil, fmt.Errorf("verify the source: %w", err)
	}
	if !sv.OK {
		return nil, fmt.Errorf("the source does not verify (seq %d: %s); nothing copied", sv.FirstBadSeq, sv.Reason)
	}
	dst, err := connect(ctx, target, opts, false)
	if err != nil {
		return nil, err
	}
	if err := dst.Migrate(ctx); err != nil {
		dst.Close()
		return nil, err
	}
	tables, err := pgTables(ctx, dst.w)
	if err != nil {
		dst.Close()
		return nil, err
	}
	for _, t := range tables {
		var n int
		if err := dst.w.GetContext(ctx, &n, `SELECT COUNT(*) FROM `+t); err != nil {
			dst.Close()
			return nil, err
		}
		if n > 0 {
			dst.Close()
			return nil, fmt.Errorf("the target is not empty (table %s holds %d rows); migrate-data copies only into a new database", t, n)
		}
	}
	rep := &MigrateDataReport{Tables: map[string]int{}}
	err = func() error {
		tx, err := dst.w.BeginTxx(ctx, nil)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback() }()
		// The rows are copied as they are: the append-only triggers and the
		// foreign keys (themselves triggers) wait until the copy is whole;
		// the verification afterwards vouches for it.
		if _, err := tx.ExecContext(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			return fmt.Errorf("the copy needs the owner of the target schema (or a superuser): %w", err)
		}
		for _, t := range tables {
			n, err := copyTable(ctx, src, tx, t)
			if err != nil {
				return fmt.Errorf("copy %s: %w", t, err)
			}
			rep.Tables[t] = n
		}
		if err := resetIdentities(ctx, tx, tables); err != nil {
			return err
		}
		return tx.Commit()
	}()
	dst.Close()
	if err != nil {
		return nil, err
	}
	db, err := Open(ctx, target, opts)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	tv, err := db.Verify(ctx)
	if err != nil {
		return nil, err
	}
	if !tv.OK {
		return nil, fmt.Errorf("the copy does not verify on the target (seq %d, %s %d: %s)", tv.FirstBadSeq, tv.Table, tv.RowID, tv.Reason)
	}
	if tv.Head != sv.Head || tv.Events != sv.Events {
		return nil, fmt.Errorf("the target's chain (%d events, head %s) differs from the source's (%d, %s)", tv.Events, tv.Head, sv.Events, sv.Head)
	}
	rep.Events, rep.Head = tv.Events, tv.Head
	return rep, nil
}

// pgTables lists the tables of the target's schema.
func pgTables(ctx context.Context, q *sqlx.DB) ([]string, error) {
	var ts []string
	err := q.SelectContext(ctx, &ts, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
	out := ts[:0]
	for _, t := range ts {
		if !skipTables[t] {
			out = append(out, t)
		}
	}
	return out, err
}

// copyTable copies one table's rows, column by column as the target has
// them (SQLite's 0/1 booleans become PostgreSQL booleans).
func copyTable(ctx context.Context, src *DB, tx *sqlx.Tx, table string) (int, error) {
	var cols []struct {
		Name string `db:"column_name"`
		Type string `db:"data_type"`
	}
	if err := tx.SelectContext(ctx, &cols, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, table); err != nil {
		return 0, err
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	rows, err := src.r.QueryxContext(ctx, `SELECT `+strings.Join(names, ", ")+` FROM `+table)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	const batch = 200
	n := 0
	var pending [][]any
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		var b strings.Builder
		b.WriteString(`INSERT INTO ` + table + ` (` + strings.Join(names, ", ") + `) VALUES `)
		args := make([]any, 0, len(pending)*len(names))
		for i, r := range pending {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(")
			for j := range r {
				if j > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "$%d", len(args)+1)
				args = append(args, r[j])
			}
			b.WriteString(")")
		}
		pending = pending[:0]
		_, err := tx.ExecContext(ctx, b.String(), args...)
		return err
	}
	for rows.Next() {
		vals, err := rows.SliceScan()
		if err != nil {
			return n, err
		}
		for i, c := range cols {
			if c.Type == "boolean" {
				switch v := vals[i].(type) {
				case int64:
					vals[i] = v != 0
				}
			}
			if s, ok := vals[i].([]byte); ok && c.Type != "bytea" {
				vals[i] = string(s)
			}
		}
		pending = append(pending, vals)
		n++
		if len(pending) == batch {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, flush()
}

// resetIdentities moves each identity column's sequence past the copied ids.
func resetIdentities(ctx context.Context, tx *sqlx.Tx, tables []string) error {
	var ids []struct {
		Table  string `db:"table_name"`
		Column string `db:"column_name"`
	}
	if err := tx.SelectContext(ctx, &ids, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_identity = 'YES'`); err != nil {
		return err
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i].Table < ids[j].Table })
	for _, c := range ids {
		if skipTables[c.Table] {
			continue
		}
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', '%s'), COALESCE((SELECT MAX(%s) FROM %s), 0) + 1, false)`, c.Table, c.Column, c.Column, c.Table)
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("reset the ids of %s: %w", c.Table, err)
		}
	}
	return nil
}
