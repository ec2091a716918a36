package store_test

import (
	"sync"
	"testing"

	"decisiond/store"
	"decisiond/store/storetest"
)

// TestReaderPoolKeepsItsConnections: under concurrent reads the readers'
// pool keeps its connections open. database/sql keeps only two idle by
// default, so under 16 clients the others were closed after each use and
// opened again — on SQLite the file opened and the whole schema parsed, on
// PostgreSQL a new backend — with their prepared statements lost: a tenth
// of the server's CPU.
func TestReaderPoolKeepsItsConnections(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := b.Open(t)
			fx := storetest.Base(t, db)
			ctx := t.Context()
			office := fx.Actors["office"]
			for range 3 {
				var wg sync.WaitGroup
				for range 16 {
					wg.Go(func() {
						for range 20 {
							if _, _, err := db.Decisions(ctx, office, store.DecisionFilter{}); err != nil {
								t.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
			}
			st := db.ReaderPoolStatsForTest()
			if st.MaxIdleClosed > 0 {
				t.Fatalf("the pool closed %d connections it had no room to keep idle (open %d, max %d)", st.MaxIdleClosed, st.OpenConnections, st.MaxOpenConnections)
			}
			if st.OpenConnections < 2 {
				t.Fatalf("only %d connections open after 16 concurrent readers: the test proves nothing", st.OpenConnections)
			}
		})
	}
}
