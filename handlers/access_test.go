package handlers_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"decisiond/handlers"
	"decisiond/handlers/assets"
	"decisiond/handlers/handlerstest"
	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	os.Exit(m.Run())
}

// The access matrix: every route of the table (API and pages) × every role
// and the anonymous public × a decision in scope, one outside every demo
// user's scope (another organ), and a non-disclosable one of the demo
// organ undertaken by another unit → the expected answer. The table below
// is the one source; a route without a row fails the test.

// who is a caller of the matrix: a demo user, or anonymous ("").
var who = []string{"", "office", "drafter", "reviewer", "leader", "executor", "sysadmin", "secadmin", "auditor"}

// kinds of decision a route with an id is tried on.
const (
	kIn     = "in"     // the fare decision of the demo organ, in execution: in every business user's scope
	kOut    = "out"    // a decision of another organ: in nobody's scope
	kSecret = "secret" // non-disclosable, demo organ, undertaken by 教育局: outside the drafter's and executor's scope
)

// Expected answers. OK means "past access control": 2xx/3xx, or a 400,
// 409 or 422 about the request itself.
type want int

const (
	OK     want = iota
	Unauth      // 401 (API) or 303 to /login (pages)
	Deny        // 403
	Hidden      // 404
)

func (w want) String() string { return [...]string{"OK", "401/login", "403", "404"}[w] }

// rule decides the expected answer for a caller and a decision kind.
type rule func(role, kind string) want

// signedIn: any signed-in person may; anonymous may not.
func signedIn(role, _ string) want {
	if role == "" {
		return Unauth
	}
	return OK
}

// only: the listed roles may; other signed-in people get 403.
func only(roles ...string) rule {
	return func(role, kind string) want {
		if role == "" {
			return Unauth
		}
		for _, r := range roles {
			if r == role {
				return OK
			}
		}
		return Deny
	}
}

// scoped: reads of one decision — in scope OK, out of scope 404 (as if it
// did not exist). extra roles read every decision's trail (the auditor).
func scoped(extra ...string) rule {
	return func(role, kind string) want {
		if role == "" {
			return Unauth
		}
		for _, r := range extra {
			if r == role {
				return OK
			}
		}
		if inScope(role, kind) {
			return OK
		}
		return Hidden
	}
}

// inScope is the access policy of PROCEDURE.md written out for the three
// decisions of the matrix.
func inScope(role, kind string) bool {
	switch role {
	case "office", "leader", "reviewer":
		return kind == kIn || kind == kSecret
	case "drafter", "executor":
		return kind == kIn
	}
	return false
}

// event: the withdraw act (office only): 403 to every other role, checked
// first; the office out of scope 404; in scope it passes access (and is
// refused by state or version).
func event(role, kind string) want {
	switch {
	case role == "":
		return Unauth
	case role != "office":
		return Deny
	case !inScope(role, kind):
		return Hidden
	}
	return OK
}

// create: proposals for one's own organ (office, leader, undertaking);
// another organ's is 403; the other roles may not propose at all.
func create(role, kind string) want {
	switch role {
	case "":
		return Unauth
	case "office", "leader", "drafter":
		if kind == kOut {
			return Deny
		}
		return OK
	}
	return Deny
}

// page: signed-in pages; anonymous goes to the sign-in page.
func page(role, _ string) want {
	if role == "" {
		return Unauth
	}
	return OK
}

func anyone(string, string) want { return OK }

type row struct {
	rule rule
	// path with :id and other parameters filled in (kind → path); nil:
	// the route's own path.
	path func(f *fixture, kind string) string
	body func(f *fixture, kind string) any
	// perKind: the route is tried on each decision kind.
	perKind bool
	// token: a route outside /api/ that takes a bearer token (/metrics).
	token bool
}

type fixture struct {
	catalogue int64 // the demo's published 2026 catalogue (version 1)
	docHash   string
	ids       map[string]int64
	organOut  int64
	spareUser int64
	spareTok  int64
	webhook   int64
	delivery  int64
	receipt   string // a comment's receipt on the demo's consultation
	// consultation is the demo's decision in public participation and
	// comment its comment with an attachment.
	consultation, comment int64
}

func decisionPath(suffix string) func(f *fixture, kind string) string {
	return func(f *fixture, kind string) string {
		return fmt.Sprintf("/api/v1/decisions/%d%s", f.ids[kind], suffix)
	}
}

// pagePath is a console page of the decision of the kind.
func pagePath(suffix string) func(f *fixture, kind string) string {
	return func(f *fixture, kind string) string {
		return fmt.Sprintf("/decisions/%d%s", f.ids[kind], suffix)
	}
}

func fixed(p string) func(*fixture, string) string { return func(*fixture, string) string { return p } }

// matrix is the one table: method + route → row.
func matrix() map[handlers.Route]row {
	withdraw := func(f *fixture, kind string) any {
		return map[string]any{"event": workflow.EvWithdraw, "expected_version": 1, "data": map[string]any{"reason": "测试"}}
	}
	userPath := func(suffix string) func(f *fixture, kind string) string {
		return func(f *fixture, _ string) string { return fmt.Sprintf("/api/v1/users/%d%s", f.spareUser, suffix) }
	}
	return map[handlers.Route]row{
		{"GET", "/healthz"}:              {rule: anyone},
		{"GET", "/readyz"}:               {rule: anyone},
		{"GET", assets.Prefix + "*file"}: {rule: anyone, path: func(*fixture, string) string { return assets.URL("app.css") }},
		{"GET", "/login"}:                {rule: anyone},
		{"POST", "/login"}:               {rule: anyone, body: func(*fixture, string) any { return url.Values{"name": {"nobody"}, "password": {"x"}} }},
		{"POST", "/logout"}:              {rule: anyone},
		{"POST", "/prefs"}:               {rule: anyone, body: func(*fixture, string) any { return url.Values{"lang": {"en"}} }},
		{"GET", "/"}:                     {rule: page},
		{"GET", "/password"}:             {rule: page},
		{"GET", "/metrics"}:              {rule: signedIn, token: true},
		{"POST", "/password"}:            {rule: page, body: func(*fixture, string) any { return url.Values{"old_password": {"wrong"}} }},

		// The console's pages.
		{"POST", "/session/extend"}:     {rule: page},
		{"GET", "/decisions/:id"}:       {rule: scoped(), perKind: true, path: pagePath("")},
		{"GET", "/decisions/:id/print"}: {rule: scoped(), perKind: true, path: pagePath("/print")},
		{"POST", "/decisions/:id/acts/:event"}: {rule: event, perKind: true, path: pagePath("/acts/" + workflow.EvWithdraw),
			body: func(*fixture, string) any { return url.Values{"expected_version": {"1"}, "reason": {"测试"}} }},
		{"POST", "/decisions/:id/remind"}: {rule: event, perKind: true, path: pagePath("/remind"),
			body: func(*fixture, string) any { return url.Values{"message": {"请加快办理"}} }},
		{"GET", "/audit"}:                {rule: page},
		{"GET", "/audit.csv"}:            {rule: page},
		{"GET", "/dashboard"}:            {rule: only("leader", "office")},
		{"GET", "/notifications"}:        {rule: page},
		{"POST", "/notifications/read"}:  {rule: page},
		{"POST", "/notifications/email"}: {rule: page, body: func(*fixture, string) any { return url.Values{"email": {""}} }},
		{"GET", "/procedure"}:            {rule: page},

		// The API description and its page: anyone (no token; they hold no data).
		{"GET", "/api/v1/openapi.json"}: {rule: anyone},
		{"GET", "/api/docs"}:            {rule: anyone},

		{"GET", "/api/v1/procedure"}:         {rule: signedIn},
		{"GET", "/api/v1/procedure/diagram"}: {rule: signedIn},
		{"GET", "/api/v1/units"}:             {rule: signedIn},
		{"GET", "/api/v1/domains"}:           {rule: signedIn},
		{"POST", "/api/v1/decisions"}: {rule: create, perKind: true, body: func(f *fixture, kind string) any {
			organ := f.ids["organ"]
			if kind == kOut {
				organ = f.organOut
			}
			return map[string]any{"title": "矩阵测试", "organ_id": organ, "category": "other_major"}
		}},
		{"GET", "/api/v1/decisions"}:               {rule: signedIn},
		{"GET", "/api/v1/decisions/:id"}:           {rule: scoped(), perKind: true, path: decisionPath("")},
		{"POST", "/api/v1/decisions/:id/events"}:   {rule: event, perKind: true, path: decisionPath("/events"), body: withdraw},
		{"GET", "/api/v1/decisions/:id/drafts"}:    {rule: scoped(), perKind: true, path: decisionPath("/drafts")},
		{"GET", "/api/v1/decisions/:id/records"}:   {rule: scoped(), perKind: true, path: decisionPath("/records")},
		{"GET", "/api/v1/decisions/:id/audit"}:     {rule: scoped("auditor"), perKind: true, path: decisionPath("/audit")},
		{"GET", "/api/v1/decisions/:id/deadlines"}: {rule: scoped(), perKind: true, path: decisionPath("/deadlines")},
		{"GET", "/api/v1/decisions/:id/documents"}: {rule: scoped(), perKind: true, path: decisionPath("/documents")},
		{"GET", "/api/v1/decisions/:id/documents/:hash"}: {rule: scoped(), perKind: true, path: func(f *fixture, kind string) string {
			return fmt.Sprintf("/api/v1/decisions/%d/documents/%s", f.ids[kind], f.docHash)
		}},
		{"GET", "/api/v1/decisions/:id/archive"}: {rule: scoped(), perKind: true, path: decisionPath("/archive")},
		{"GET", "/api/v1/catalogues"}:            {rule: signedIn},
		{"GET", "/api/v1/catalogues/:id"}:        {rule: catalogueRead, path: func(f *fixture, _ string) string { return fmt.Sprintf("/api/v1/catalogues/%d", f.catalogue) }},
		{"POST", "/api/v1/catalogues"}: {rule: only("office"), body: func(f *fixture, _ string) any {
			return map[string]any{"organ_id": f.ids["organ"], "year": 2027}
		}},
		{"POST", "/api/v1/catalogues/:id/events"}: {rule: only("office"), path: func(f *fixture, _ string) string { return fmt.Sprintf("/api/v1/catalogues/%d/events", f.catalogue) },
			body: func(*fixture, string) any {
				return map[string]any{"event": "approve", "expected_version": 1, "data": map[string]any{}}
			}},
		{"GET", "/api/v1/catalogue-reports/:year"}: {rule: only("office", "leader"), path: fixed("/api/v1/catalogue-reports/2026")},
		{"GET", "/public"}:                         {rule: anyone},
		{"GET", "/public/catalogues"}:              {rule: anyone},
		{"GET", "/public/catalogues/:year"}:        {rule: anyone, path: fixed("/public/catalogues/2026")},
		{"GET", "/public/catalogues/:year/:part"}:  {rule: anyone, path: fixed("/public/catalogues/2026/v1")},
		{"GET", "/public/decisions/:id"}: {rule: published, perKind: true, path: func(f *fixture, kind string) string {
			return fmt.Sprintf("/public/decisions/%d", f.ids[kind])
		}},
		// A consultation's page exists once its decision opened a comment
		// period and is not to be withheld: the fare decision's (closed, so a
		// post is 409); the other two never opened one (404).
		{"GET", "/public/consultations"}: {rule: anyone},
		{"GET", "/public/consultations/:id"}: {rule: published, perKind: true, path: func(f *fixture, kind string) string {
			return fmt.Sprintf("/public/consultations/%d", f.ids[kind])
		}},
		{"POST", "/public/consultations/:id/comments"}: {rule: published, perKind: true, path: func(f *fixture, kind string) string {
			return fmt.Sprintf("/public/consultations/%d/comments", f.ids[kind])
		}, body: func(*fixture, string) any { return url.Values{"text": {"矩阵测试意见"}} }},
		{"GET", "/public/receipts"}:        {rule: anyone},
		{"GET", "/public/receipts/:no"}:    {rule: anyone, path: func(f *fixture, _ string) string { return "/public/receipts/" + f.receipt }},
		{"GET", "/decisions/:id/comments"}: {rule: scoped(), perKind: true, path: pagePath("/comments")},
		{"POST", "/decisions/:id/comments/handling"}: {rule: undertakingAct, perKind: true, path: pagePath("/comments/handling"),
			body: func(*fixture, string) any {
				return url.Values{"c": {"1"}, "kind": {"off_topic"}, "reason": {"矩阵测试"}}
			}},
		{"GET", "/api/v1/decisions/:id/comments"}:                        {rule: scoped(), perKind: true, path: decisionPath("/comments")},
		{"GET", "/api/v1/decisions/:id/comments/:comment_id/attachment"}: {rule: commentAttachment, perKind: true, path: attachmentPath("/api/v1")},
		{"GET", "/decisions/:id/comments/:comment_id/attachment"}:        {rule: commentAttachment, perKind: true, path: attachmentPath("")},
		{"POST", "/api/v1/decisions/:id/comments/handling"}: {rule: undertakingAct, perKind: true, path: decisionPath("/comments/handling"),
			body: func(*fixture, string) any {
				return map[string]any{"comments": []int64{1}, "kind": "off_topic", "reason": "矩阵测试"}
			}},
		{"POST", "/api/v1/documents"}:   {rule: only("office", "drafter", "reviewer", "leader", "executor"), body: func(*fixture, string) any { return handlerstest.RawBody(samplePDF) }},
		{"GET", "/api/v1/audit"}:        {rule: signedIn},
		{"GET", "/api/v1/audit/verify"}: {rule: only("leader", "auditor")},
		{"GET", "/api/v1/deadlines"}:    {rule: signedIn},
		{"GET", "/api/v1/rules"}:        {rule: signedIn},
		{"PUT", "/api/v1/rules/active"}: {rule: only("sysadmin"), body: func(*fixture, string) any { return map[string]any{"code": "qinghai", "reason": "矩阵测试"} }},
		{"GET", "/api/v1/statistics"}:   {rule: only("office", "leader", "auditor"), path: fixed("/api/v1/statistics?year=2026")},
		{"PUT", "/api/v1/rules/packs/:code"}: {rule: only("sysadmin"), path: fixed("/api/v1/rules/packs/x"), body: func(*fixture, string) any {
			return map[string]any{"pack": map[string]any{"code": "x"}, "reason": "矩阵测试"}
		}},
		{"GET", "/api/v1/calendar"}:           {rule: signedIn},
		{"GET", "/api/v1/calendar/workdays"}:  {rule: signedIn, path: fixed("/api/v1/calendar/workdays?from=2026-11-02&n=7")},
		{"PUT", "/api/v1/calendar/:year"}:     {rule: only("sysadmin"), path: fixed("/api/v1/calendar/2026"), body: func(*fixture, string) any { return map[string]any{"year": 2026} }},
		{"GET", "/api/v1/me"}:                 {rule: signedIn},
		{"PUT", "/api/v1/me/password"}:        {rule: signedIn, body: func(*fixture, string) any { return map[string]any{"old_password": "wrong", "password": "x"} }},
		{"GET", "/api/v1/users"}:              {rule: only("sysadmin", "secadmin", "auditor")},
		{"POST", "/api/v1/users"}:             {rule: only("sysadmin"), body: func(*fixture, string) any { return map[string]any{"name": "", "display_name": "矩阵"} }},
		{"PUT", "/api/v1/users/:id/roles"}:    {rule: only("secadmin"), path: userPath("/roles"), body: func(*fixture, string) any { return map[string]any{"roles": []string{"executor"}} }},
		{"PUT", "/api/v1/users/:id/unit"}:     {rule: only("sysadmin"), path: userPath("/unit"), body: func(*fixture, string) any { return map[string]any{"unit": "教育局"} }},
		{"PUT", "/api/v1/users/:id/password"}: {rule: only("sysadmin"), path: userPath("/password"), body: func(*fixture, string) any { return map[string]any{"password": "short"} }},
		{"POST", "/api/v1/users/:id/disable"}: {rule: only("sysadmin"), path: userPath("/disable")},
		{"POST", "/api/v1/users/:id/enable"}:  {rule: only("sysadmin"), path: userPath("/enable")},
		{"POST", "/api/v1/users/:id/unlock"}:  {rule: only("secadmin"), path: userPath("/unlock")},
		{"GET", "/api/v1/tokens"}:             {rule: signedIn},
		{"POST", "/api/v1/tokens"}:            {rule: signedIn, body: func(*fixture, string) any { return map[string]any{"label": ""} }},
		{"DELETE", "/api/v1/tokens/:id"}:      {rule: scopedToken, path: func(f *fixture, _ string) string { return fmt.Sprintf("/api/v1/tokens/%d", f.spareTok) }},
		{"POST", "/api/v1/units"}:             {rule: only("sysadmin"), body: func(*fixture, string) any { return map[string]any{"name": "", "kind": "unit"} }},
		{"PUT", "/api/v1/organs/:id"}:         {rule: only("sysadmin"), path: func(f *fixture, _ string) string { return fmt.Sprintf("/api/v1/organs/%d", f.ids["organ"]) }, body: func(*fixture, string) any { return map[string]any{} }},
		{"GET", "/api/v1/webhooks"}:           {rule: only("sysadmin", "auditor")},
		{"POST", "/api/v1/webhooks"}:          {rule: only("sysadmin"), body: func(*fixture, string) any { return map[string]any{"url": "", "events": []string{}} }},
		{"PUT", "/api/v1/webhooks/:id"}: {rule: only("sysadmin"), path: func(f *fixture, _ string) string { return fmt.Sprintf("/api/v1/webhooks/%d", f.webhook) },
			body: func(*fixture, string) any { return map[string]any{"description": "矩阵测试"} }},
		{"GET", "/api/v1/webhook-deliveries"}: {rule: only("sysadmin", "auditor")},
		{"GET", "/api/v1/webhook-deliveries/:id"}: {rule: only("sysadmin", "auditor"), path: func(f *fixture, _ string) string {
			return fmt.Sprintf("/api/v1/webhook-deliveries/%d", f.delivery)
		}},
		{"POST", "/api/v1/webhook-deliveries/:id/replay"}: {rule: only("sysadmin"), path: func(f *fixture, _ string) string {
			return fmt.Sprintf("/api/v1/webhook-deliveries/%d/replay", f.delivery) // pending, not dead: 409 for the sysadmin
		}},
	}
}

// catalogueRead: a catalogue is read by the people of the procedure (the
// administrators of 三员分立 take no part: 404).
func catalogueRead(role, _ string) want {
	switch role {
	case "":
		return Unauth
	case "sysadmin", "secadmin", "auditor":
		return Hidden
	}
	return OK
}

// published: a published decision's public page is open to everyone; an
// unpublished or non-disclosable one is not found, for everyone.
func published(_ string, kind string) want {
	if kind == kIn {
		return OK
	}
	return Hidden
}

// undertakingAct: handling the public's comments (the undertaking unit):
// 403 to every other role, checked first; out of the drafter's scope 404;
// in scope it passes access (and is refused by the state: 409).
func undertakingAct(role, kind string) want {
	switch {
	case role == "":
		return Unauth
	case role != "drafter":
		return Deny
	case !inScope(role, kind):
		return Hidden
	}
	return OK
}

// attachmentPath is the download of the fixture's comment attachment:
// through the demo's consultation for kIn, through the decision of the
// kind (of which it is not a comment) otherwise.
func attachmentPath(prefix string) func(f *fixture, kind string) string {
	return func(f *fixture, kind string) string {
		d := f.ids[kind]
		if kind == kIn {
			d = f.consultation
		}
		return fmt.Sprintf("%s/decisions/%d/comments/%d/attachment", prefix, d, f.comment)
	}
}

// commentAttachment: a comment's attachment is read as the comments are
// (GET …/comments): the demo's consultation — in the demo organ,
// undertaken by the drafter's unit, still in participation so with no
// execution unit — by the office, the leader, the review body and the
// drafter; the executor and the administrators do not see it (404).
// Asked for through another decision, even a visible one, it is 404 for
// everyone.
func commentAttachment(role, kind string) want {
	switch {
	case role == "":
		return Unauth
	case kind != kIn:
		return Hidden
	case role == "office" || role == "leader" || role == "reviewer" || role == "drafter":
		return OK
	}
	return Hidden
}

// scopedToken: another person's token exists only for the security
// administrator (404 to everyone else).
func scopedToken(role, _ string) want {
	switch role {
	case "":
		return Unauth
	case "secadmin":
		return OK
	}
	return Hidden
}

// setup loads the three decisions of the matrix, another organ, and a
// spare user with a token that the administration routes act on.
func setup(t *testing.T, e *handlerstest.Env) *fixture {
	t.Helper()
	ctx := t.Context()
	db, fx := e.DB, e.Fx
	f := &fixture{ids: map[string]int64{"organ": fx.Units[seeds.DemoOrgan]}}
	// A subscription to every act (never sent: no worker runs here), so
	// that the acts below leave deliveries.
	hook, _, err := db.CreateWebhook(ctx, store.System, store.NewWebhook{URL: "http://127.0.0.1:9/hook", Events: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	f.webhook = hook.ID
	in, err := fx.Run(ctx, db, seeds.FareTitle, seeds.FareFlags, seeds.FareSteps)
	if err != nil {
		t.Fatal(err)
	}
	f.ids[kIn] = in.Decision.ID
	secret, err := fx.Run(ctx, db, "涉密事项（不予公开）", map[string]any{"category": "other_major", "non_disclosable": true},
		[]seeds.Step{{Who: "office", Event: workflow.EvLaunch, Data: func(s *seeds.Env) map[string]any {
			return map[string]any{"undertaking_unit_id": s.Units["西宁市教育局"], "launch_ref": "会议纪要"}
		}}})
	if err != nil {
		t.Fatal(err)
	}
	f.ids[kSecret] = secret.Decision.ID
	other, err := db.CreateUnit(ctx, store.System, store.NewUnit{Name: "海东市人民政府", Kind: "organ"})
	if err != nil {
		t.Fatal(err)
	}
	f.organOut = other.ID
	clerk, err := db.CreateUser(ctx, store.System, store.NewUser{Name: "haidong", Roles: []string{"office"}, UnitID: &other.ID})
	if err != nil {
		t.Fatal(err)
	}
	out, err := db.CreateDecision(ctx, seeds.Data(map[string]any{"title": "海东市事项", "organ_id": other.ID, "category": "other_major"}), clerk.Actor())
	if err != nil {
		t.Fatal(err)
	}
	f.ids[kOut] = out.Decision.ID
	// One document attached to each of the three decisions.
	doc, _, err := db.PutDocument(ctx, fx.Actors["office"], "纪要.pdf", samplePDF)
	if err != nil {
		t.Fatal(err)
	}
	f.docHash = doc.Hash
	attach := func(d *store.Result, who workflow.Actor, event string, data map[string]any) {
		t.Helper()
		data["documents"] = []map[string]any{{"hash": doc.Hash, "title": "会议纪要"}}
		if _, err := db.Apply(ctx, d.Decision.ID, workflow.Act{Event: event, Data: seeds.Data(data), Actor: who}, d.Decision.Version); err != nil {
			t.Fatal(err)
		}
	}
	attach(in, fx.Actors["executor"], workflow.EvReportExecution, map[string]any{"period": "第二季度", "progress": "按计划推进"})
	attach(secret, fx.Actors["office"], workflow.EvAmendFlags, map[string]any{"category": "other_major", "non_disclosable": true, "reason": "附纪要"})
	attach(out, clerk.Actor(), workflow.EvAmendFlags, map[string]any{"category": "other_major", "reason": "附纪要"})
	unit := fx.Units["西宁市财政局"]
	spare, err := db.CreateUser(ctx, store.System, store.NewUser{Name: "spare", Roles: []string{"executor"}, UnitID: &unit})
	if err != nil {
		t.Fatal(err)
	}
	f.spareUser = spare.ID
	_, tok, err := db.CreateToken(ctx, store.System, store.NewToken{UserID: spare.ID, Label: "矩阵"})
	if err != nil {
		t.Fatal(err)
	}
	f.spareTok = tok.ID
	ds, _, err := db.Deliveries(ctx, store.System, store.DeliveryFilter{})
	if err != nil || len(ds) == 0 {
		t.Fatalf("deliveries: %v, %d", err, len(ds))
	}
	f.delivery = ds[0].ID
	f.consultation = e.Demo.Decisions["西宁市中小学校课后服务管理办法"]
	rc, err := db.SubmitComment(ctx, f.consultation, workflow.NewComment{Text: "矩阵测试意见",
		Attachment: &workflow.CommentFile{Name: "矩阵测试附件.pdf", Content: samplePDF}}, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	f.receipt = rc.Receipt
	l, err := db.Comments(ctx, fx.Actors["office"], f.consultation, store.CommentFilter{})
	if err != nil || len(l.Items) != 1 || l.Items[0].Attachment == nil {
		t.Fatalf("the matrix's comment: %+v %v", l, err)
	}
	f.comment = l.Items[0].ID
	return f
}

// samplePDF is the smallest file that sniffs as a PDF.
var samplePDF = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

// TestAccessMatrix runs the matrix on both databases.
func TestAccessMatrix(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := handlerstest.NewWith(t, b.Open, handlerstest.Options{Demo: true}) // the demo, catalogue included
			db := e.DB
			f := setup(t, e)
			f.catalogue = e.Demo.Versions[0]
			table := matrix()
			routes := handlers.Routes(handlers.Deps{DB: db})
			seen := map[handlers.Route]bool{}
			for _, rt := range routes {
				seen[rt] = true
				if _, ok := table[rt]; !ok {
					t.Errorf("route %s %s has no row in the access matrix", rt.Method, rt.Path)
				}
			}
			for rt := range table {
				if !seen[rt] {
					t.Errorf("the access matrix has a row for %s %s, which is not a route", rt.Method, rt.Path)
				}
			}
			// Each caller's browser, signed in once (pages) — anonymous has none.
			browsers := map[string]*http.Client{}
			for _, w := range who[1:] {
				br := e.Browser(t)
				if r := e.SignIn(t, br, w, seeds.DemoPassword); r.Status != http.StatusSeeOther {
					t.Fatalf("sign in %s: %s", w, r)
				}
				browsers[w] = br
			}
			checked := 0
			for _, rt := range routes {
				r, ok := table[rt]
				if !ok {
					continue
				}
				kinds := []string{kIn}
				if r.perKind {
					kinds = []string{kIn, kOut, kSecret}
				}
				for _, kind := range kinds {
					for _, w := range who {
						if rt.Path == "/logout" && w != "" {
							continue // signing out would end the browser's session; tried last below
						}
						got := call(t, e, f, rt, r, kind, w, browsers[w])
						if want := r.rule(w, kind); !matches(want, got, rt.Path, r.token) {
							t.Errorf("%s %s [%s] as %q: want %s, got %s", rt.Method, rt.Path, kind, w, want, got)
						}
						checked++
					}
				}
			}
			for _, w := range who[1:] {
				if got := call(t, e, f, handlers.Route{Method: "POST", Path: "/logout"}, table[handlers.Route{Method: "POST", Path: "/logout"}], kIn, w, browsers[w]); got.Status != http.StatusSeeOther {
					t.Errorf("POST /logout as %s: %s", w, got)
				}
			}
			if checked < 300 {
				t.Fatalf("only %d cells checked", checked)
			}
		})
	}
}

// call makes one request of the matrix: API routes with the caller's demo
// token, pages with their signed-in browser.
func call(t *testing.T, e *handlerstest.Env, f *fixture, rt handlers.Route, r row, kind, w string, br *http.Client) handlerstest.Response {
	t.Helper()
	path := rt.Path
	if r.path != nil {
		path = r.path(f, kind)
	}
	var body any
	if r.body != nil {
		body = r.body(f, kind)
	}
	if strings.HasPrefix(rt.Path, "/api/") || r.token {
		tok := ""
		if w != "" {
			tok = handlerstest.Token(t, w)
		}
		return e.Do(t, rt.Method, path, tok, body)
	}
	if br == nil {
		br = e.Browser(t)
	}
	if rt.Method == "GET" {
		return e.Page(t, br, path)
	}
	form, _ := body.(url.Values)
	return e.Form(t, br, path, form)
}

func matches(w want, r handlerstest.Response, path string, token bool) bool {
	page := !strings.HasPrefix(path, "/api/") && !token
	switch w {
	case Unauth:
		if page {
			return r.Status == http.StatusSeeOther && strings.HasPrefix(r.Header.Get("Location"), "/login")
		}
		return r.Status == http.StatusUnauthorized
	case Deny:
		return r.Status == http.StatusForbidden
	case Hidden:
		return r.Status == http.StatusNotFound
	}
	return r.Status < 400 || r.Status == 400 || r.Status == 409 || r.Status == 422 || (path == "/login" && r.Status == 401)
}
