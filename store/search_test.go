package store_test

import (
	"slices"
	"strings"
	"testing"

	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// TestTitleSearchAgreesWithContains: a title search gives exactly the
// decisions whose title contains the text (ASCII case folded) among those
// the person may see, newest first, with the right total and pages — on
// SQLite through the trigram index of titles for three characters or more
// (migration 00043), by each of its paths, and LIKE below that; on
// PostgreSQL through LIKE; and the index follows a title that changes.
func TestTitleSearchAgreesWithContains(t *testing.T) {
	titles := []string{
		"关于调整西宁市公共交通票价的决策",
		"西宁市公共交通线网优化方案",
		"GDP 核算办法",
		"gdp统计口径调整",
		`含"引号"的标题：交通`,
		"城市 公共 交通 规划",
		"教育事业发展规划",
		"西宁市教育收费标准",
	}
	needles := []string{"交通", "公共交通", "西宁市公共交通", "gdp", "GDP 核", "Gdp统计", `"引号"`, `含"`, "公共 交通", "教育", "规划",
		"票价的决策", "不存在的文字", "交", "西宁市", "%交通", "_统计", "  教育事业  ", "统计口径调整了",
		// FTS5 query syntax is text inside the phrase, never an operator.
		"交通*", "NEAR(交通", `^公共"`, "公共 OR 教育", "-教育-"}
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := b.Open(t)
			fx := storetest.Base(t, db)
			ctx := t.Context()
			for i, title := range titles {
				steps := seeds.FareSteps[:0]
				if i%2 == 0 {
					steps = seeds.FareSteps[:1] // launched: the undertaking unit's drafter sees it
				}
				if _, err := fx.Run(ctx, db, title, seeds.FareFlags, steps); err != nil {
					t.Fatal(err)
				}
			}
			check := func(who string, state *string) {
				t.Helper()
				a := fx.Actors[who]
				all, _, err := db.Decisions(ctx, a, store.DecisionFilter{State: state, Page: store.Page{PerPage: 200}})
				if err != nil {
					t.Fatal(err)
				}
				for _, n := range needles {
					var want []int64
					for _, d := range all {
						if strings.Contains(strings.ToLower(d.Title), strings.ToLower(strings.Trim(strings.NewReplacer("%", "", "_", "").Replace(n), " "))) {
							want = append(want, d.ID)
						}
					}
					got, total, err := db.Decisions(ctx, a, store.DecisionFilter{State: state, Text: &n, Page: store.Page{PerPage: 200}})
					if err != nil {
						t.Fatalf("%s %q: %v", who, n, err)
					}
					var ids []int64
					for _, d := range got {
						ids = append(ids, d.ID)
					}
					if b.Name == "postgres" {
						// PostgreSQL's LIKE folds no case.
						want = want[:0]
						for _, d := range all {
							if strings.Contains(d.Title, strings.Trim(strings.NewReplacer("%", "", "_", "").Replace(n), " ")) {
								want = append(want, d.ID)
							}
						}
					}
					if !slices.Equal(ids, want) || total != len(want) {
						t.Errorf("%s, state %v, %q: got %v (total %d), want %v", who, state, n, ids, total, want)
					}
					if len(want) >= 2 {
						p2, total2, err := db.Decisions(ctx, a, store.DecisionFilter{State: state, Text: &n, Page: store.Page{Page: 2, PerPage: 1}})
						if err != nil || len(p2) != 1 || p2[0].ID != want[1] || total2 != len(want) {
							t.Errorf("%s %q page 2 of 1: %v (total %d, %v), want %d", who, n, p2, total2, err, want[1])
						}
					}
				}
			}
			launched := string(workflow.StPublicParticipation)
			if d, _, _ := db.Decisions(ctx, store.System, store.DecisionFilter{State: &launched}); len(d) == 0 {
				d, _, _ := db.Decisions(ctx, store.System, store.DecisionFilter{})
				launched = string(d[0].State)
			}
			// Every path: candidates counted by id and the page from the
			// index; counted by LIKE, page from the index; counted by
			// LIKE, page led by the scope.
			for _, paths := range [][2]int{{20000, 10}, {0, 10}, {0, 0}} {
				restore := store.TitleSearchPathsForTest(paths[0], paths[1])
				for _, who := range []string{"office", "drafter"} {
					check(who, nil)
					check(who, &launched)
				}
				restore()
			}
			got, _, _ := db.Decisions(ctx, fx.Actors["office"], store.DecisionFilter{Text: ptr("教育事业")})
			if len(got) != 1 {
				t.Fatalf("the test's own title not found: %v", got)
			}
			if _, err := db.ExecRaw(ctx, `UPDATE decisions SET title = 'ABC 新标题' WHERE id = ?`, got[0].ID); err != nil {
				t.Fatal(err)
			}
			for n, want := range map[string]int{"教育事业": 0, "ABC 新标": 1, "新标题": 1} {
				if got, total, err := db.Decisions(ctx, fx.Actors["office"], store.DecisionFilter{Text: &n}); err != nil || len(got) != want || total != want {
					t.Errorf("after the title changed, %q: %d found (total %d, %v), want %d", n, len(got), total, err, want)
				}
			}
		})
	}
}
