package store_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// openConsultation loads the demo organ into db and a decision in public
// participation whose period runs from 5 days before the clock to 30 days
// after it.
func openConsultation(t testing.TB, db *store.DB) (*seeds.Fixture, int64) {
	t.Helper()
	fx := storetest.Base(t, db)
	steps := []seeds.Step{
		{Who: "office", Event: workflow.EvLaunch, Data: func(s *seeds.Env) map[string]any {
			return map[string]any{"undertaking_unit_id": s.Units["西宁市交通运输局"], "launch_ref": "市政府第12次常务会议纪要"}
		}},
		{Who: "drafter", Event: workflow.EvReviseDraft, Data: func(s *seeds.Env) map[string]any {
			return map[string]any{"text": "西宁市中小学校课后服务管理办法（征求意见稿）第一条……", "note": "初稿"}
		}},
		{Who: "drafter", Event: workflow.EvStartParticipation, Data: func(s *seeds.Env) map[string]any {
			return map[string]any{"methods": []string{"online_comment"}, "notice": map[string]any{"channels": []string{"市政府网站"},
				"opened_on": workflow.FormatDate(s.Today.AddDate(0, 0, -5)), "closes_on": workflow.FormatDate(s.Today.AddDate(0, 0, 30)),
				"explanation": "为规范课后服务，起草本办法。"}}
		}},
	}
	res, err := fx.Run(context.Background(), db, "西宁市中小学校课后服务管理办法", map[string]any{"category": "public_policy"}, steps)
	if err != nil {
		t.Fatal(err)
	}
	return fx, res.Decision.ID
}

// TestComments_NothingAcknowledgedIsLost: many submitters at once through
// the group commit; every comment answered with a receipt is there
// afterwards — after the store is closed and opened again — with its
// audit event, and the chain and every table verify.
func TestComments_NothingAcknowledgedIsLost(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			opts := storetest.Options(t, "qinghai")
			db, dsn := b.OpenWith(t, opts)
			_, id := openConsultation(t, db)
			const submitters, each = 24, 15
			var mu sync.Mutex
			receipts := map[string]string{}
			var wg sync.WaitGroup
			errs := make(chan error, submitters*each)
			for s := range submitters {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range each {
						text := fmt.Sprintf("提交人%d的第%d条意见", s, i)
						rc, err := db.SubmitComment(ctx, id, workflow.NewComment{Text: text}, fmt.Sprintf("198.51.100.%d", s))
						if err != nil {
							errs <- err
							continue
						}
						mu.Lock()
						receipts[rc.Receipt] = text
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Errorf("submit: %v", err)
			}
			if len(receipts) != submitters*each {
				t.Fatalf("%d distinct receipts for %d comments", len(receipts), submitters*each)
			}
			db.Close()
			again, err := store.Open(ctx, dsn, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer again.Close()
			for no, text := range receipts {
				r, err := again.ReceiptOf(ctx, no)
				if err != nil || r.Text != text || r.DecisionID != id {
					t.Fatalf("receipt %s acknowledged but not found after reopening: %+v %v", no, r, err)
				}
			}
			res, err := again.Verify(ctx)
			if err != nil || !res.OK {
				t.Fatalf("verify: %+v %v", res, err)
			}
		})
	}
}

// TestComments_AuditAndVerify: a comment is an act of the anonymous public
// in the chain (no decision id, the decision's organ, actor 0 匿名公众),
// binding the row's content hash and never the address; the rows cannot be
// changed or deleted (triggers on both databases); and verify names a
// comment or a handling row altered behind the triggers' back.
func TestComments_AuditAndVerify(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			db, _ := b.Open(t)
			fx, id := openConsultation(t, db)
			rc, err := db.SubmitComment(ctx, id, workflow.NewComment{Text: "建议增加艺术类课程", Name: "张三", Contact: "13800000000"}, "203.0.113.7")
			if err != nil {
				t.Fatal(err)
			}
			evs, _, err := db.Audit(ctx, store.System, store.AuditFilter{Event: ptr(workflow.EvCommentReceived)})
			if err != nil || len(evs) != 1 {
				t.Fatalf("one comment_received event: %d %v", len(evs), err)
			}
			ev := evs[0]
			if ev.DecisionID != nil || ev.OrganID == nil || *ev.OrganID != fx.Units[seeds.DemoOrgan] || ev.ActorID != 0 || ev.ActorName != store.PublicActorName ||
				ev.Version != 0 || !strings.Contains(string(ev.Data), rc.Receipt) || !strings.Contains(string(ev.Data), `"comment":`) {
				t.Errorf("the comment's audit event: %+v %s", ev, ev.Data)
			}
			if strings.Contains(string(ev.Data), "203.0.113.7") || strings.Contains(string(ev.Data), "张三") || strings.Contains(string(ev.Data), "13800000000") {
				t.Errorf("the audit data holds the address, the name or the contact: %s", ev.Data)
			}
			list, err := db.Comments(ctx, fx.Actors["drafter"], id, store.CommentFilter{})
			if err != nil || len(list.Items) != 1 {
				t.Fatalf("list: %+v %v", list, err)
			}
			cm := list.Items[0]
			if _, err := db.HandleComments(ctx, fx.Actors["drafter"], id, []int64{cm.ID}, workflow.Handling{Kind: workflow.HandleGroup, Opinion: "增加艺术类课程"}); err != nil {
				t.Fatal(err)
			}
			if res, err := db.Verify(ctx); err != nil || !res.OK {
				t.Fatalf("verify: %+v %v", res, err)
			}
			for _, q := range []string{`UPDATE comments SET text = 'changed'`, `DELETE FROM comments`,
				`UPDATE comment_handling SET opinion = 'changed'`, `DELETE FROM comment_handling`} {
				if _, err := db.ExecRaw(ctx, q); err == nil || !strings.Contains(err.Error(), "record_immutable") {
					t.Errorf("%s: want record_immutable, got %v", q, err)
				}
			}
			if b.Name != "sqlite" {
				return
			}
			for _, tc := range []struct{ drop, change, table string }{
				// The handling (a later event) first: verify names the earliest problem.
				{"comment_handling_no_update", `UPDATE comment_handling SET opinion = '改过的主要意见'`, "comment_handling"},
				{"comments_no_update", `UPDATE comments SET text = '改过的意见'`, "comments"},
			} {
				if _, err := db.ExecRaw(ctx, `DROP TRIGGER `+tc.drop); err != nil {
					t.Fatal(err)
				}
				if _, err := db.ExecRaw(ctx, tc.change); err != nil {
					t.Fatal(err)
				}
				res, err := db.Verify(ctx)
				if err != nil || res.OK || res.Table != tc.table {
					t.Fatalf("an altered %s row must be named: %+v %v", tc.table, res, err)
				}
			}
		})
	}
}

// TestComments_Handling: only the undertaking unit's staff handle the
// comments (403 otherwise), only comments of the current period (400),
// a grouping needs its opinion and a mark its reason (400), only while in
// public participation (409); the latest handling counts.
func TestComments_Handling(t *testing.T) {
	ctx := context.Background()
	db, _ := storetest.OpenSQLite(t, "qinghai")
	fx, id := openConsultation(t, db)
	var ids []int64
	for i := range 3 {
		if _, err := db.SubmitComment(ctx, id, workflow.NewComment{Text: fmt.Sprintf("意见%d", i)}, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
	}
	list, _ := db.Comments(ctx, fx.Actors["drafter"], id, store.CommentFilter{})
	for _, c := range list.Items {
		ids = append(ids, c.ID)
	}
	code := func(err error) string { return workflow.ErrorCode(err) }
	drafter := fx.Actors["drafter"]
	if _, err := db.HandleComments(ctx, fx.Actors["office"], id, ids, workflow.Handling{Kind: workflow.MarkOffTopic, Reason: "无关"}); code(err) != workflow.CodeForbidden {
		t.Errorf("the office: %v", err)
	}
	for name, h := range map[string]workflow.Handling{"a group without opinion": {Kind: workflow.HandleGroup},
		"a mark without reason": {Kind: workflow.MarkAbusive}, "an unknown kind": {Kind: "spam", Reason: "x"}} {
		if _, err := db.HandleComments(ctx, drafter, id, ids, h); code(err) != workflow.CodeValidationFailed {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := db.HandleComments(ctx, drafter, id, []int64{ids[0], 999999}, workflow.Handling{Kind: workflow.MarkOffTopic, Reason: "无关"}); code(err) != workflow.CodeValidationFailed {
		t.Errorf("an id that is not a comment: %v", err)
	}
	if _, err := db.HandleComments(ctx, drafter, id, []int64{ids[0]}, workflow.Handling{Kind: workflow.MarkDuplicate, Reason: "同上", DuplicateOf: &ids[0]}); code(err) != workflow.CodeValidationFailed {
		t.Errorf("a duplicate of itself: %v", err)
	}
	if _, err := db.HandleComments(ctx, drafter, id, ids[:2], workflow.Handling{Kind: workflow.HandleGroup, Opinion: "主要意见甲"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.HandleComments(ctx, drafter, id, ids[1:2], workflow.Handling{Kind: workflow.MarkDuplicate, Reason: "与前一条相同", DuplicateOf: &ids[0]}); err != nil {
		t.Fatal(err)
	}
	list, _ = db.Comments(ctx, drafter, id, store.CommentFilter{})
	if list.Counts.Open != 1 || list.Counts.Grouped != 1 || list.Counts.Marked[workflow.MarkDuplicate] != 1 || len(list.Opinions) != 1 ||
		len(list.Opinions[0].CommentIDs) != 1 || list.Opinions[0].CommentIDs[0] != ids[0] {
		t.Errorf("the latest handling counts: %+v", list)
	}
	open := store.CommentOpen
	only, _ := db.Comments(ctx, drafter, id, store.CommentFilter{Status: &open})
	if only.Total != 1 || only.Items[0].ID != ids[2] {
		t.Errorf("the open ones: %+v", only)
	}
	q := "意见2"
	found, _ := db.Comments(ctx, drafter, id, store.CommentFilter{Text: &q})
	if found.Total != 1 {
		t.Errorf("search: %+v", found)
	}
	if res, err := db.Verify(ctx); err != nil || !res.OK {
		t.Fatalf("verify: %+v %v", res, err)
	}
}

// TestComments_Statistics: the annual report counts the comments the
// organ's decisions received in the year, those an adoption report
// answered, and those marked, by mark; and the published participation
// reads the report item by item.
func TestComments_Statistics(t *testing.T) {
	ctx := context.Background()
	opts := storetest.Options(t, "qinghai")
	clock := opts.Clock.(*workflow.FixedClock)
	db, _ := storetest.Backends(t)[0].OpenWith(t, opts)
	fx, id := openConsultation(t, db)
	drafter := fx.Actors["drafter"]
	var ids []int64
	for i := range 4 {
		if _, err := db.SubmitComment(ctx, id, workflow.NewComment{Text: fmt.Sprintf("意见%d", i)}, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
	}
	list, _ := db.Comments(ctx, drafter, id, store.CommentFilter{})
	for i := len(list.Items) - 1; i >= 0; i-- {
		ids = append(ids, list.Items[i].ID)
	}
	for _, h := range []struct {
		ids []int64
		h   workflow.Handling
	}{{ids[:2], workflow.Handling{Kind: workflow.HandleGroup, Opinion: "主要意见"}},
		{ids[2:3], workflow.Handling{Kind: workflow.MarkOffTopic, Reason: "无关"}},
		{ids[3:4], workflow.Handling{Kind: workflow.MarkDuplicate, Reason: "重复", DuplicateOf: &ids[0]}}} {
		if _, err := db.HandleComments(ctx, drafter, id, h.ids, h.h); err != nil {
			t.Fatal(err)
		}
	}
	clock.T = clock.T.AddDate(0, 0, 31)
	d, _ := db.Decision(ctx, store.System, id)
	if _, err := db.Apply(ctx, id, workflow.Act{Event: workflow.EvCompleteParticipation, Actor: drafter, Data: seeds.Data(map[string]any{
		"adoption_report": []map[string]any{{"opinion": "主要意见", "adopted": true, "comments": ids[:2]}}})}, d.Version); err != nil {
		t.Fatal(err)
	}
	s, err := db.Statistics(ctx, store.System, 2026, nil)
	if err != nil || len(s.Organs) != 1 {
		t.Fatalf("statistics: %+v %v", s, err)
	}
	o := s.Organs[0]
	if o.CommentsReceived != 4 || o.CommentsAnswered != 2 || o.CommentsMarked[workflow.MarkOffTopic] != 1 || o.CommentsMarked[workflow.MarkDuplicate] != 1 ||
		o.CommentsMarked[workflow.MarkAbusive] != 0 {
		t.Errorf("comment statistics: %+v", o)
	}
	if s, _ := db.Statistics(ctx, store.System, 2025, nil); s.Organs[0].CommentsReceived != 0 {
		t.Errorf("2025 counts 2026's comments")
	}
}

// TestComments_InTheArchive (一事一档): a decision's archive package holds
// its comments and every handling of them in comments.json, listed in the
// signed manifest and the 卷内目录; the package verifies although the last
// event of the decision is a handling (version 0), and a changed comment
// in it is named.
func TestComments_InTheArchive(t *testing.T) {
	ctx := context.Background()
	db, _ := storetest.OpenSQLite(t, "qinghai")
	fx, id := openConsultation(t, db)
	if _, err := db.SubmitComment(ctx, id, workflow.NewComment{Text: "建议增加艺术类课程", Name: "张三"}, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	list, _ := db.Comments(ctx, fx.Actors["drafter"], id, store.CommentFilter{})
	if _, err := db.HandleComments(ctx, fx.Actors["drafter"], id, []int64{list.Items[0].ID}, workflow.Handling{Kind: workflow.HandleGroup, Opinion: "丰富课程"}); err != nil {
		t.Fatal(err)
	}
	pkg, _, err := db.ExportArchive(ctx, fx.Actors["office"], id)
	if err != nil {
		t.Fatal(err)
	}
	if rep := verifyPkg(t, pkg); !rep.OK {
		t.Fatalf("the package verifies: %+v", rep)
	}
	zr, _ := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	var comments, index []byte
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		switch f.Name {
		case store.CommentsFile:
			comments = b
		case "index.html":
			index = b
		}
	}
	if !strings.Contains(string(comments), "建议增加艺术类课程") || !strings.Contains(string(comments), "丰富课程") || !strings.Contains(string(index), "公众意见及处理情况（1条）") {
		t.Fatalf("comments.json / index: %s\n%s", comments, index)
	}
	// A changed comment in the package is named.
	changed := rezip(t, pkg, store.CommentsFile, func(b []byte) []byte { return bytes.Replace(b, []byte("艺术"), []byte("体育"), 1) })
	if rep := verifyPkg(t, changed); rep.OK || !strings.Contains(rep.Problem, store.CommentsFile) {
		t.Fatalf("a changed comment must be named: %+v", rep)
	}
}
