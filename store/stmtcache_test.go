package store

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
)

// TestStatementCache: the SQLite connections reuse prepared statements, and
// reuse never mixes two runs — the same query nested in its own loop gets
// its own statement, a statement evicted while its rows are open still
// reads them to the end, and a statement run again binds its new
// arguments.
func TestStatementCache(t *testing.T) {
	db, err := sql.Open(cachingDriverName, "file:"+filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE t (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		if _, err := db.Exec(`INSERT INTO t (x) VALUES (?)`, i); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	const q = `SELECT x FROM t WHERE x >= ? ORDER BY x`
	outer, err := tx.Query(q, 1)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for outer.Next() {
		var x int
		if err := outer.Scan(&x); err != nil {
			t.Fatal(err)
		}
		inner, err := tx.Query(q, x) // the same text while outer's rows are open
		if err != nil {
			t.Fatal(err)
		}
		var xs []int
		for inner.Next() {
			var y int
			inner.Scan(&y)
			xs = append(xs, y)
		}
		inner.Close()
		got = append(got, fmt.Sprint(x, xs))
		// Evict outer's statement while its rows are open.
		for i := range stmtCacheSize + 5 {
			var n int
			if err := tx.QueryRow(fmt.Sprintf(`SELECT %d`, i)).Scan(&n); err != nil || n != i {
				t.Fatalf("query %d: %v %d", i, err, n)
			}
		}
	}
	if err := outer.Close(); err != nil {
		t.Fatal(err)
	}
	if want := "[1 [1 2 3] 2 [2 3] 3 [3]]"; fmt.Sprint(got) != want {
		t.Fatalf("nested runs of one query: %v, want %s", got, want)
	}
	// Run again (cached): new arguments bind.
	for _, from := range []int{3, 2} {
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM t WHERE x >= ?`, from).Scan(&n); err != nil || n != 4-from {
			t.Fatalf("count from %d: %d %v", from, n, err)
		}
	}
}
