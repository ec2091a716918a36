package store_test

import (
	"testing"
	"time"

	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// riskWaiver reaches risk_assessment for a decision in the given domain and
// tries to waive the assessment.
func riskWaiver(t *testing.T, db *store.DB, fx *seeds.Fixture, domain string) error {
	t.Helper()
	flags := map[string]any{"category": "public_policy", "domains": []string{domain}, "risk_relevant": false}
	res, err := fx.Run(ctx, db, "风险评估豁免测试："+domain, flags, stepsUntil(workflow.EvCompleteRiskAssessment))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Apply(ctx, res.Decision.ID, workflow.Act{Event: workflow.EvWaiveRiskAssessment, Data: raw(map[string]any{"reason": "已有专项评估"}), Actor: fx.Actors["drafter"]}, res.Decision.Version)
	return err
}

// TestRiskWaiver_QH8_RulePackSwitch: under the Qinghai pack a decision in
// 生态环境保护 cannot waive its risk assessment (QH (八)); under the national
// baseline the same decision can when it is not risk-relevant (Art. 22).
// Switching the pack is an audited act.
func TestRiskWaiver_QH8_RulePackSwitch(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := b.Open(t)
			fx := storetest.Base(t, db)
			if got := db.Rules().Code; got != "qinghai" {
				t.Fatalf("active pack %q", got)
			}
			mustCode(t, riskWaiver(t, db, fx, "生态环境保护"), workflow.CodeWaiverNotAllowed)

			err := db.ActivateRulePack(ctx, fx.Actors["office"], "national", "试行全国基准")
			mustCode(t, err, workflow.CodeForbidden)
			err = db.ActivateRulePack(ctx, fx.Actors["sysadmin"], "national", "")
			mustCode(t, err, workflow.CodeReasonRequired)
			err = db.ActivateRulePack(ctx, fx.Actors["sysadmin"], "guangdong", "x")
			mustCode(t, err, workflow.CodeNotFound)
			before, _ := db.Verify(ctx)
			if err := db.ActivateRulePack(ctx, fx.Actors["sysadmin"], "national", "对照测试"); err != nil {
				t.Fatal(err)
			}
			after, _ := db.Verify(ctx)
			if !after.OK || after.Events != before.Events+1 {
				t.Fatalf("pack change not audited: %+v", after)
			}
			if err := riskWaiver(t, db, fx, "生态环境保护"); err != nil {
				t.Fatalf("national baseline refused the waiver: %v", err)
			}
			evs, _, _ := db.Audit(ctx, store.System, store.AuditFilter{Page: store.Page{PerPage: 200}})
			found := false
			for _, e := range evs {
				found = found || (e.Event == "activate_rule_pack" && e.ActorID == fx.Actors["sysadmin"].UserID)
			}
			if !found {
				t.Fatal("no activate_rule_pack audit event by the admin")
			}
		})
	}
}

// TestPutRulePack: a pack may be stricter than the national rules, never
// weaker (Art. 15, 16, 26), and the change is audited.
func TestPutRulePack(t *testing.T) {
	db, _ := storetest.OpenSQLite(t, "qinghai")
	fx := storetest.Base(t, db)
	p := db.Rules()
	p.CommentPeriodDays = 20
	mustCode(t, db.PutRulePack(ctx, fx.Actors["sysadmin"], p, "缩短"), workflow.CodeValidationFailed)
	p.CommentPeriodDays = 45
	mustCode(t, db.PutRulePack(ctx, fx.Actors["drafter"], p, "延长"), workflow.CodeForbidden)
	if err := db.PutRulePack(ctx, fx.Actors["sysadmin"], p, "本省延长征求意见期限"); err != nil {
		t.Fatal(err)
	}
	if db.Rules().CommentPeriodDays != 45 {
		t.Fatalf("active pack not updated: %d", db.Rules().CommentPeriodDays)
	}
	// The stricter period now applies to acts (Art. 15 as tightened).
	res, err := fx.Run(ctx, db, "征求意见期限测试", seeds.FareFlags, seeds.FareSteps[:2])
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Apply(ctx, res.Decision.ID, workflow.Act{Event: workflow.EvStartParticipation, Data: raw(map[string]any{"methods": []string{"online_comment"},
		"notice": map[string]any{"channels": []string{"网站"}, "opened_on": "2026-11-20", "closes_on": "2026-12-30"}}), Actor: fx.Actors["drafter"]}, res.Decision.Version)
	mustCode(t, err, workflow.CodeCommentPeriodTooShort)
}

// TestCalendarLoad_Art26: an administrator's correction of a year changes
// the working-day count at once (audited); a date beyond the loaded years
// is an explicit error, never a guess.
func TestCalendarLoad_Art26(t *testing.T) {
	db, _ := storetest.OpenSQLite(t, "qinghai")
	fx := storetest.Base(t, db)
	submit := func(submitted, due string) error {
		// The comment period closed before the submission (Art. 15, 26:
		// dates never run backwards).
		steps := append([]seeds.Step{}, stepsUntil(workflow.EvSubmitLegalityReview)...)
		for i, st := range steps {
			if st.Event == workflow.EvStartParticipation {
				steps[i].Data = func(*seeds.Env) map[string]any {
					return map[string]any{"methods": []string{"online_comment"},
						"notice": map[string]any{"channels": []string{"网站"}, "opened_on": "2026-08-01", "closes_on": "2026-09-01"}}
				}
			}
		}
		res, err := fx.Run(ctx, db, "送审期限"+submitted+due, seeds.FareFlags, steps)
		if err != nil {
			t.Fatal(err)
		}
		m := stepOf(workflow.EvSubmitLegalityReview).Payload(&fx.Env)
		m["submitted_on"], m["review_due_on"] = submitted, due
		_, err = db.Apply(ctx, res.Decision.ID, workflow.Act{Event: workflow.EvSubmitLegalityReview, Data: raw(m), Actor: fx.Actors["drafter"]}, res.Decision.Version)
		return err
	}
	mustCode(t, submit("2026-09-29", "2026-10-13"), workflow.CodeReviewTimeTooShort)
	if err := submit("2026-09-29", "2026-10-14"); err != nil {
		t.Fatalf("7th working day refused: %v", err)
	}
	// Correct 2026: suppose 10-09 were also a holiday — then 10-14 is too early.
	cy, _ := db.Calendar().Year(2026)
	cy.Holidays = append(cy.Holidays, "2026-10-09")
	cy.Source = "测试更正"
	mustCode(t, db.LoadCalendarYear(ctx, fx.Actors["office"], cy), workflow.CodeForbidden)
	if err := db.LoadCalendarYear(ctx, fx.Actors["sysadmin"], cy); err != nil {
		t.Fatal(err)
	}
	mustCode(t, submit("2026-09-29", "2026-10-14"), workflow.CodeReviewTimeTooShort)
	if err := submit("2026-09-29", "2026-10-15"); err != nil {
		t.Fatalf("after the correction the 7th working day is 10-15: %v", err)
	}
	bad := workflow.CalendarYear{Year: 2026, Holidays: []string{"2027-01-01"}, Source: "x"}
	mustCode(t, db.LoadCalendarYear(ctx, fx.Actors["sysadmin"], bad), workflow.CodeValidationFailed)
	years, err := db.CalendarYears(ctx)
	if err != nil {
		t.Fatal(err)
	}
	loaded := 0
	for _, y := range years {
		if y.Loaded {
			loaded++
		}
	}
	if loaded != 1 {
		t.Fatalf("%d years marked as loaded by an admin, want 1", loaded)
	}
}

func TestCalendarUnknownYear_Art26(t *testing.T) {
	opts := storetest.Options(t, "qinghai")
	cy, _ := opts.Calendar.Year(2026)
	cal, err := workflow.NewCalendar(cy) // only 2026 is known
	if err != nil {
		t.Fatal(err)
	}
	opts.Calendar = cal
	opts.Clock = &workflow.FixedClock{T: time.Date(2026, 12, 29, 2, 0, 0, 0, time.UTC)}
	db, err := store.Open(ctx, t.TempDir()+"/x.db", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fx := storetest.Base(t, db)
	res, err := fx.Run(ctx, db, "跨年送审", seeds.FareFlags, stepsUntil(workflow.EvSubmitLegalityReview))
	if err != nil {
		t.Fatal(err)
	}
	m := stepOf(workflow.EvSubmitLegalityReview).Payload(&fx.Env)
	m["submitted_on"], m["review_due_on"] = "2026-12-28", "2027-01-15"
	_, err = db.Apply(ctx, res.Decision.ID, workflow.Act{Event: workflow.EvSubmitLegalityReview, Data: raw(m), Actor: fx.Actors["drafter"]}, res.Decision.Version)
	mustCode(t, err, workflow.CodeCalendarYearUnknown)
}

// TestDeadlinesOverdue: a comment period that closed without the
// participation being completed is overdue; a decision that has not moved
// for longer than the pack allows is listed as 久拖不决 (Art. 38).
func TestDeadlinesOverdue(t *testing.T) {
	clock := &workflow.FixedClock{T: storetest.Now}
	opts := storetest.Options(t, "qinghai")
	opts.Clock = clock
	db, err := store.Open(ctx, t.TempDir()+"/x.db", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fx := storetest.Base(t, db)
	open, err := fx.Run(ctx, db, "意见征集中", seeds.FareFlags, seeds.FareSteps[:3]) // closes_on is 45 days ago
	if err != nil {
		t.Fatal(err)
	}
	idle, err := fx.Run(ctx, db, "久未推进", map[string]any{"category": "other_major"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := db.Deadlines(ctx, store.System, open.Decision.ID)
	if err != nil || len(ds) == 0 || ds[0].Kind != workflow.DlCommentClosing || !ds[0].Overdue {
		t.Fatalf("deadlines of the open participation: %+v %v", ds, err)
	}
	all, err := db.AllDeadlines(ctx, store.System, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range all {
		if d.DecisionID == idle.Decision.ID {
			t.Fatalf("a fresh proposal is not stuck: %+v", d)
		}
	}
	clock.T = clock.T.AddDate(0, 0, db.Rules().StuckDecisionDays+1)
	all, err = db.AllDeadlines(ctx, store.System, true)
	if err != nil {
		t.Fatal(err)
	}
	stuck := false
	for _, d := range all {
		if !d.Overdue {
			t.Fatalf("overdue=true listed a deadline that is not overdue: %+v", d)
		}
		stuck = stuck || (d.DecisionID == idle.Decision.ID && d.Kind == workflow.DlStuck)
	}
	if !stuck {
		t.Fatalf("the idle proposal is not listed as stuck after %d days: %+v", db.Rules().StuckDecisionDays+1, all)
	}
}
