package store_test

import (
	"slices"
	"testing"

	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// TestQueueMatchesHoldings: the work queue's SQL and the Holdings table
// applied in Go (workflow.Holders with the unit rule of each role) agree,
// for every demo user and decisions in many stages, on both databases —
// the one rule written twice, as scopes are.
func TestQueueMatchesHoldings(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := b.Open(t)
			fx := storetest.Base(t, db)
			ctx := t.Context()
			var ids []int64
			for i := range len(seeds.FareSteps) + 1 { // every stop of the walk
				r, err := fx.Run(ctx, db, seeds.FareTitle, seeds.FareFlags, seeds.FareSteps[:i])
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, r.Decision.ID)
			}
			for _, name := range []string{"office", "drafter", "reviewer", "leader", "executor", "auditor"} {
				a := fx.Actors[name]
				items, total, err := db.Queue(ctx, a, store.TabTodo, store.QueueFilter{Page: store.Page{PerPage: 200}})
				if err != nil {
					t.Fatal(err)
				}
				var got, want []int64
				for _, it := range items {
					got = append(got, it.ID)
				}
				for _, id := range ids {
					d, err := db.Decision(ctx, store.System, id)
					if err != nil {
						t.Fatal(err)
					}
					rs, err := db.Records(ctx, store.System, id)
					if err != nil {
						t.Fatal(err)
					}
					units, err := db.UnitMap(ctx)
					if err != nil {
						t.Fatal(err)
					}
					exec := []int64{}
					if slices.ContainsFunc(rs, func(r workflow.Record) bool { return r.Event == workflow.EvApprove }) {
						exec = []int64{fx.Units["西宁市交通运输局"]}
					}
					f := &workflow.Facts{Decision: *d, Records: rs, Units: units, ExecutionUnitIDs: exec}
					for _, r := range workflow.Holders(d.State, rs) {
						if workflow.MayActAs(r, f, a) {
							want = append(want, id)
							break
						}
					}
				}
				slices.Sort(got)
				slices.Sort(want)
				if len(want) == 0 && name != "leader" && name != "auditor" {
					t.Errorf("%s: nothing awaits them; the test proves nothing", name)
				}
				if !slices.Equal(got, want) || total != len(want) {
					t.Errorf("%s: queue %v (total %d), holdings say %v", name, got, total, want)
				}
			}
		})
	}
}

// TestDeadlineIndexRebuiltOnlyWhenStale: the background rebuilds the whole
// deadline index at start only for a configuration or a build of the
// program it was not last rebuilt for (every act keeps its decision's
// index current), so a plain restart on a large database does not redo
// hours of work — and a new rule, unit or program still rebuilds it.
func TestDeadlineIndexRebuiltOnlyWhenStale(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := b.Open(t)
			fx := storetest.Base(t, db)
			ctx := t.Context()
			if _, err := fx.Run(ctx, db, seeds.FareTitle, seeds.FareFlags, seeds.FareSteps[:3]); err != nil {
				t.Fatal(err)
			}
			before, err := db.AllDeadlines(ctx, fx.Actors["office"], false)
			if err != nil || len(before) == 0 {
				t.Fatalf("no deadlines to index (%v)", err)
			}
			step := func(build string, want bool) {
				t.Helper()
				n, rebuilt, _, err := db.RefreshDeadlinesFor(ctx, build)
				if err != nil {
					t.Fatal(err)
				}
				if rebuilt != want || (rebuilt && n == 0) {
					t.Fatalf("build %q: rebuilt %v (%d decisions), want %v", build, rebuilt, n, want)
				}
			}
			step("build-a", true)  // never rebuilt for this build
			step("build-a", false) // a restart of the same program
			step("build-b", true)  // a new program
			step("build-b", false)
			if _, err := db.CreateUnit(ctx, store.System, store.NewUnit{Name: "海东市人民政府", Kind: "organ"}); err != nil {
				t.Fatal(err)
			}
			step("build-b", true) // the configuration changed
			step("build-b", false)
			step("", true) // no identity: always
			step("", true)
			after, err := db.AllDeadlines(ctx, fx.Actors["office"], false)
			if err != nil || len(after) != len(before) {
				t.Fatalf("deadlines %d after the rebuilds, %d before (%v)", len(after), len(before), err)
			}
		})
	}
}

// TestDeadlineCountsAgreeWithTheList: the metrics' counts of open and
// overdue deadlines, which the database counts from the deadline index,
// are those of the list across every decision — today, and a year on when
// they have all passed (Art. 38's stuck decisions included).
func TestDeadlineCountsAgreeWithTheList(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			clock := &workflow.FixedClock{T: storetest.Now}
			opts := storetest.Options(t, "qinghai")
			opts.Clock = clock
			db, _ := b.OpenWith(t, opts)
			fx := storetest.Base(t, db)
			ctx := t.Context()
			for i := range 5 {
				if _, err := fx.Run(ctx, db, seeds.FareTitle, seeds.FareFlags, seeds.FareSteps[:i*2]); err != nil {
					t.Fatal(err)
				}
			}
			for _, days := range []int{0, 400} {
				clock.T = storetest.Now.AddDate(0, 0, days)
				list, err := db.AllDeadlines(ctx, store.System, false)
				if err != nil {
					t.Fatal(err)
				}
				over := 0
				for _, d := range list {
					if d.Overdue {
						over++
					}
				}
				open, overdue, err := db.DeadlineCounts(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if open != len(list) || overdue != over || open == 0 || (days > 0 && overdue == 0) {
					t.Errorf("day +%d: counted %d open, %d overdue; the list has %d, %d overdue", days, open, overdue, len(list), over)
				}
			}
		})
	}
}
