package api_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"decisiond/handlers"
	"decisiond/handlers/handlerstest"
	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"

	"github.com/xuri/excelize/v2"
)

// TestStatistics_AnnualReport: the figures of the annual rule-of-law report
// (法治政府建设年度报告) for the demo organ's year — decisions launched,
// completed, withdrawn, declined; participation by method; expert reviews;
// risk assessments by grade; legality opinions by outcome and review time
// in working days; stuck decisions — as JSON, CSV (UTF-8 with BOM) and
// XLSX; the organ's office and leaders see their own organ, the auditor
// every organ, others nothing; downloads are audited exports.
func TestStatistics_AnnualReport(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			clock := &workflow.FixedClock{T: storetest.Now}
			opts := storetest.Options(t, "qinghai")
			opts.Clock = clock
			db, _ := b.OpenWith(t, opts)
			e := handlerstest.StartDeps(t, handlers.Deps{DB: db, Auth: store.AuthPolicy{AllowDemo: true},
				Limits: handlers.Limits{SignIn: 1000, Failing: 1000, Expensive: 1000}})
			ctx, fx := t.Context(), e.Fx
			steps := append(append([]seeds.Step{}, seeds.FareSteps...), seeds.FareComplete)
			if _, err := fx.Run(ctx, db, seeds.FareTitle, seeds.FareFlags, steps); err != nil {
				t.Fatal(err)
			}
			if _, err := fx.Run(ctx, db, "撤回的事项", map[string]any{"category": "other_major"}, []seeds.Step{seeds.FareSteps[0],
				{Who: "office", Event: workflow.EvWithdraw, Data: func(*seeds.Env) map[string]any { return map[string]any{"reason": "情况变化"} }}}); err != nil {
				t.Fatal(err)
			}
			if _, err := fx.Run(ctx, db, "不予启动的事项", map[string]any{"category": "other_major"}, []seeds.Step{
				{Who: "office", Event: workflow.EvDecline, Data: func(*seeds.Env) map[string]any { return map[string]any{"reason": "不属于重大行政决策"} }}}); err != nil {
				t.Fatal(err)
			}
			if _, err := fx.Run(ctx, db, "搁置的事项", map[string]any{"category": "other_major"}, nil); err != nil {
				t.Fatal(err)
			}
			other, err := db.CreateUnit(ctx, store.System, store.NewUnit{Name: "海东市人民政府", Kind: "organ"})
			if err != nil {
				t.Fatal(err)
			}
			clock.T = clock.T.AddDate(0, 0, 200) // the proposal has not moved for 200 days (Qinghai: 180)

			r := e.Do(t, "GET", "/api/v1/statistics?year=2026", tokenOf(t, "leader"), nil)
			if r.Status != http.StatusOK {
				t.Fatalf("leader: %s", r)
			}
			st := decode[store.Statistics](t, r)
			if st.Year != 2026 || len(st.Organs) != 1 {
				t.Fatalf("leader's report: %+v", st)
			}
			o := st.Organs[0]
			want := map[string]int{"proposed": o.Proposed, "launched": o.Launched, "declined": o.Declined, "approved": o.Approved, "published": o.Published,
				"completed": o.Completed, "withdrawn": o.Withdrawn, "rejected": o.Rejected, "participation_started": o.ParticipationStarted,
				"online_comment": o.ParticipationMethods["online_comment"], "symposium": o.ParticipationMethods["symposium"], "hearing": o.ParticipationMethods["hearing"],
				"expert_reviews": o.ExpertReviews, "risk.low": o.RiskAssessments["low"], "risk.high": o.RiskAssessments["high"],
				"opinion.legal": o.LegalityOpinions["legal"], "opinion.illegal": o.LegalityOpinions["illegal"], "review.count": o.ReviewTime.Count,
				"review.max": o.ReviewTime.Max, "review.over": o.ReviewTime.OverServiceLevel, "stuck": o.Stuck}
			// The fare's review: submitted 2026-10-26, opinion given 2026-11-05:
			// 8 working days (27–30 Oct, 2–5 Nov), one over Qinghai's 7.
			for k, v := range map[string]int{"proposed": 4, "launched": 2, "declined": 1, "approved": 1, "published": 1, "completed": 1, "withdrawn": 1,
				"rejected": 0, "participation_started": 1, "online_comment": 1, "symposium": 1, "hearing": 0, "expert_reviews": 1, "risk.low": 1,
				"risk.high": 0, "opinion.legal": 1, "opinion.illegal": 0, "review.count": 1, "review.max": 8, "review.over": 1, "stuck": 1} {
				if want[k] != v {
					t.Errorf("%s = %d, want %d", k, want[k], v)
				}
			}
			if o.ReviewTime.Average != 8 || len(o.StuckDecisions) != 1 || o.StuckDecisions[0].Title != "搁置的事项" {
				t.Errorf("review time %+v, stuck %+v", o.ReviewTime, o.StuckDecisions)
			}
			if r := decode[store.Statistics](t, e.Do(t, "GET", "/api/v1/statistics?year=2025", tokenOf(t, "office"), nil)); r.Organs[0].Launched != 0 {
				t.Errorf("2025 holds none of 2026's acts: %+v", r.Organs[0])
			}

			// Scope: the auditor sees every organ; others are refused.
			if all := decode[store.Statistics](t, e.Do(t, "GET", "/api/v1/statistics?year=2026", tokenOf(t, "auditor"), nil)); len(all.Organs) != 2 {
				t.Errorf("auditor: %d organs, want 2", len(all.Organs))
			}
			problem(t, e.Do(t, "GET", "/api/v1/statistics", tokenOf(t, "drafter"), nil), http.StatusForbidden, workflow.CodeForbidden)
			problem(t, e.Do(t, "GET", "/api/v1/statistics?organ="+itoa(other.ID), tokenOf(t, "leader"), nil), http.StatusForbidden, workflow.CodeForbidden)
			problem(t, e.Do(t, "GET", "/api/v1/statistics?organ=999999", tokenOf(t, "auditor"), nil), http.StatusNotFound, workflow.CodeNotFound)
			for _, q := range []string{"year=abc", "year=1999", "format=pdf", "organ=x"} {
				problem(t, e.Do(t, "GET", "/api/v1/statistics?"+q, tokenOf(t, "leader"), nil), http.StatusBadRequest, workflow.CodeValidationFailed)
			}

			// CSV: UTF-8 with BOM, one row per indicator.
			r = e.Do(t, "GET", "/api/v1/statistics?year=2026&format=csv", tokenOf(t, "office"), nil)
			if r.Status != http.StatusOK || !bytes.HasPrefix(r.Body, []byte("\ufeff")) || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
				t.Fatalf("csv: %s", r)
			}
			cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.Body, []byte("\ufeff"))))
			cr.FieldsPerRecord = -1
			rows, err := cr.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if got := cell(rows, "launched"); got != "2" {
				t.Errorf("csv launched = %q", got)
			}
			if got := cell(rows, "participation_method.online_comment"); got != "1" {
				t.Errorf("csv online_comment = %q", got)
			}
			if !strings.Contains(string(r.Body), "启动决策程序") || !strings.Contains(string(r.Body), "搁置的事项") {
				t.Error("csv: Chinese labels and the stuck decision")
			}

			// XLSX: the same figures in a workbook.
			r = e.Do(t, "GET", "/api/v1/statistics?year=2026&format=xlsx", tokenOf(t, "auditor"), nil)
			if r.Status != http.StatusOK {
				t.Fatalf("xlsx: %s", r)
			}
			f, err := excelize.OpenReader(bytes.NewReader(r.Body))
			if err != nil {
				t.Fatal(err)
			}
			xrows, err := f.GetRows("统计 Statistics")
			if err != nil {
				t.Fatal(err)
			}
			if got := cell(xrows, "completed"); got != "1" {
				t.Errorf("xlsx completed = %q", got)
			}
			stuck, _ := f.GetRows("久拖不决 Stuck")
			if len(stuck) != 2 {
				t.Errorf("xlsx stuck sheet rows: %d", len(stuck))
			}
			f.Close()

			// Both downloads are exports on the record.
			audit := string(e.Do(t, "GET", "/api/v1/audit?per_page=200", tokenOf(t, "auditor"), nil).Body)
			if strings.Count(audit, `"what":"statistics"`) != 2 {
				t.Error("each download must be recorded as an export")
			}
			e.Verify(t)
		})
	}
}

// cell is the value column of the indicator row with code, in the first organ.
func cell(rows [][]string, code string) string {
	for _, r := range rows {
		if len(r) == 7 && r[3] == code {
			return r[6]
		}
	}
	return ""
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
