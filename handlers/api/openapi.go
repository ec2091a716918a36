package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"decisiond/handlers/httpx"
	"decisiond/store"
	"decisiond/workflow"

	"github.com/gin-gonic/gin"
)

// The OpenAPI 3.1 description of /api/v1, served at
// GET /api/v1/openapi.json, and the readable page at GET /api/docs.
//
// It is built once, at the first request, from three sources of truth:
// Operations below (one row per route of handlers/routes.go, naming the Go
// types each answers with and decodes), the procedure's field tables
// (workflow: every event's data), and httpx.Codes (every error code). The
// tests keep them honest: a route without a row, or a row without a route,
// fails TestOpenAPIDescribesEveryRoute; a code the engine gives that
// httpx.Codes lacks fails TestOpenAPIListsEveryErrorCode; and every
// request and answer of the API tests is validated against the served
// description (handlerstest), so an answer of another shape or status
// than its row says fails the test that made it.

// Op is one operation of the description: one route of /api/v1.
type Op struct {
	Method string
	Path   string // as in the route table: "/api/v1/decisions/:id"
	Tag    string
	ZH, EN string // what it does
	// Public: no bearer token (the description itself).
	Public bool
	Query  []Param
	Body   *Body
	OK     []Reply // the answers of success
	// Fails are the statuses of its refusals beyond those of every
	// operation (400, 401, 429, 500; see commonFails).
	Fails []int
}

// Param is a query parameter.
type Param struct {
	Name   string
	Schema obj
	ZH, EN string
}

// Body is a request body: JSON decoded into Type (unknown members
// refused), or given by Schema; or Upload (a file, any type).
type Body struct {
	Type     any
	Required []string // members the handler requires (Type only)
	Schema   func(*schemaSet) obj
	Upload   bool
	Doc      string // its shape in brief, for the page (Schema only)
}

// Reply is one answer: JSON of the Go type Type, or bytes of Media
// (Schema for a text type); Headers it always carries.
type Reply struct {
	Status  int
	Type    any
	Media   []string
	Schema  obj
	Headers []string
}

// ok: 200 with JSON of v's type.
func ok(v any) []Reply { return []Reply{{Status: http.StatusOK, Type: v}} }

// created: 201 with JSON of v's type.
func created(v any) []Reply { return []Reply{{Status: http.StatusCreated, Type: v}} }

// createdAt: 201 with JSON of v's type and the Location of what was made.
func createdAt(v any) []Reply {
	return []Reply{{Status: http.StatusCreated, Type: v, Headers: []string{"Location"}}}
}

// body: a JSON body decoded into v's type; required names the members the
// handler requires.
func body(v any, required ...string) *Body { return &Body{Type: v, Required: required} }

// Query parameters shared by lists.
var (
	pageParams = []Param{
		{"page", obj{"type": "integer", "minimum": 1, "maximum": httpx.MaxPage}, "页码（自1起）", "page number (from 1)"},
		{"per_page", obj{"type": "integer", "minimum": 1, "maximum": store.MaxPerPage}, "每页条数", "items per page"},
	}
	idParam   = obj{"type": "integer", "minimum": 1}
	timeParam = obj{"type": "string", "description": "RFC 3339 时间或 YYYY-MM-DD 日期（中国时间当日） / an RFC 3339 time or a YYYY-MM-DD date (that day in China)"}
)

func auditParams(decision bool) []Param {
	ps := []Param{{"actor", idParam, "办理人（用户编号）", "the actor's user id"},
		{"since", timeParam, "起始时间", "from"}, {"until", timeParam, "截止时间", "until"}}
	if decision {
		ps = append([]Param{{"decision", idParam, "决策编号", "a decision's id"}}, ps...)
	}
	return append(ps, pageParams...)
}

// Operations is every route of /api/v1, in the order of the route table.
// Adding a route: add its row here (the path exactly as in routes.go),
// name the Go type it answers with, its body type and the statuses of its
// refusals; the tests say what is missing.
var Operations = []Op{
	{Method: "GET", Path: "/api/v1/openapi.json", Tag: "meta", Public: true, ZH: "本 API 的 OpenAPI 3.1 描述（无需令牌）", EN: "this API's OpenAPI 3.1 description (no token needed)",
		OK: []Reply{{Status: 200, Media: []string{"application/json"}, Schema: obj{"type": "object", "required": []any{"openapi", "paths"}}}}},

	{Method: "GET", Path: "/api/v1/procedure", Tag: "procedure", ZH: "程序：状态、事项、角色", EN: "the procedure: states, events, roles", OK: ok(ProcedureView{})},
	{Method: "GET", Path: "/api/v1/procedure/diagram", Tag: "procedure", ZH: "由状态机生成的程序图", EN: "the procedure diagram, drawn by the machine",
		Query: []Param{{"format", obj{"type": "string", "enum": []any{"mermaid", "dot"}, "default": "mermaid"}, "格式", "format"}},
		OK:    []Reply{{Status: 200, Media: []string{"text/plain"}, Schema: obj{"type": "string"}}}},
	{Method: "GET", Path: "/api/v1/units", Tag: "units", ZH: "决策机关与单位", EN: "organs and units", OK: ok(UnitList{})},
	{Method: "GET", Path: "/api/v1/domains", Tag: "procedure", ZH: "政策领域及风险评估必评领域", EN: "policy domains and the mandatory risk domains", OK: ok(DomainsView{})},
	{Method: "POST", Path: "/api/v1/decisions", Tag: "decisions", ZH: "登记决策事项建议（状态 proposed）", EN: "record a decision proposal (state proposed)",
		Body: &Body{Schema: func(*schemaSet) obj { return fieldsObject(workflow.CreateFields, true) }, Doc: fieldsDoc(workflow.CreateFields)},
		OK:   createdAt(ActResponse{}), Fails: []int{403, 503}},
	{Method: "GET", Path: "/api/v1/decisions", Tag: "decisions", ZH: "调用者可见的决策", EN: "the decisions in the caller's scope",
		Query: append([]Param{{"state", obj{"type": "string", "enum": stateCodes()}, "状态", "a state code"}, {"unit", idParam, "承办单位", "the undertaking unit"},
			{"q", obj{"type": "string"}, "标题检索", "text in the title"}}, pageParams...), OK: ok(Paged[DecisionView]{})},
	{Method: "GET", Path: "/api/v1/decisions/:id", Tag: "decisions", ZH: "一项决策，含调用者可办理的事项和未到期期限", EN: "one decision, with the caller's available events and open deadlines", OK: ok(DecisionView{}), Fails: []int{404}},
	{Method: "POST", Path: "/api/v1/decisions/:id/events", Tag: "decisions", ZH: "办理一个事项：{event, expected_version, data}，data 按事项见各 DecisionEvent.* 结构", EN: "fire an event: {event, expected_version, data}; each event's data is in DecisionEvent.*",
		Body: &Body{Schema: decisionEventSchema, Doc: actBodyDoc}, OK: ok(ActResponse{}), Fails: []int{403, 404, 409, 422, 503}},
	{Method: "GET", Path: "/api/v1/decisions/:id/drafts", Tag: "decisions", ZH: "草案各版本（由旧到新）", EN: "draft versions, oldest first", OK: ok(Items[workflow.Draft]{}), Fails: []int{404}},
	{Method: "GET", Path: "/api/v1/decisions/:id/records", Tag: "decisions", ZH: "各环节记录（由旧到新）", EN: "stage records, oldest first", OK: ok(Items[workflow.Record]{}), Fails: []int{404}},
	{Method: "GET", Path: "/api/v1/decisions/:id/audit", Tag: "audit", ZH: "一项决策的审计链", EN: "one decision's audit trail", Query: auditParams(false), OK: ok(Paged[store.AuditEvent]{}), Fails: []int{404}},
	{Method: "GET", Path: "/api/v1/decisions/:id/deadlines", Tag: "decisions", ZH: "一项决策的期限", EN: "one decision's deadlines", OK: ok(Items[workflow.Deadline]{}), Fails: []int{404}},
	{Method: "GET", Path: "/api/v1/decisions/:id/comments", Tag: "comments", ZH: "一项决策收到的公众意见（本轮征求意见期，最新在前）及主要意见", EN: "the public's comments on a decision (the current comment period, newest first) and the main opinions",
		Query: append([]Param{
			{"q", obj{"type": "string"}, "按意见内容或回执编号检索", "search the text or receipt number"},
			{"status", obj{"type": "string", "enum": []any{"open", "grouped", "marked", "duplicate", "off_topic", "abusive"}}, "处理状态", "how the comments stand"},
			{"opinion", obj{"type": "string"}, "归入的主要意见", "the main opinion they were grouped into"},
			{"all_rounds", obj{"type": "boolean"}, "含以往各轮征求意见", "every comment period, not only the current one"},
		}, pageParams...), OK: ok(CommentsPage{}), Fails: []int{404}},
	{Method: "GET", Path: "/api/v1/decisions/:id/comments/:comment_id/attachment", Tag: "comments",
		ZH: "下载公众意见的附件（类型按内容识别；可查看该决策公众意见者可下载，公众不可下载）",
		EN: "download the attachment of a public comment (typed by its content; for whoever may read the decision's comments, never the public)",
		OK: []Reply{{Status: 200, Media: documentTypes(), Headers: []string{"Content-Disposition", "X-Content-Hash"}}}, Fails: []int{404}},
	{Method: "POST", Path: "/api/v1/decisions/:id/comments/handling", Tag: "comments", ZH: "承办单位归纳主要意见或标注意见（重复、无关、不当，须说明理由），一次为一项留痕的办理",
		EN:   "the undertaking unit groups comments into a main opinion or marks them (duplicate, off-topic, abusive, with the reason): one audited act",
		Body: body(HandlingRequest{}, "comments", "kind"), OK: ok(store.HandleResult{}), Fails: []int{403, 404, 409}},
	{Method: "GET", Path: "/api/v1/decisions/:id/documents", Tag: "documents", ZH: "一项决策的文件", EN: "one decision's documents", OK: ok(Items[store.Attachment]{}), Fails: []int{404}},
	{Method: "GET", Path: "/api/v1/decisions/:id/documents/:hash", Tag: "documents", ZH: "下载文件（内容原样，类型按内容识别）", EN: "download a document (its bytes, typed by their content)",
		OK: []Reply{{Status: 200, Media: documentTypes(), Headers: []string{"Content-Disposition", "X-Content-Hash"}}}, Fails: []int{404}},
	{Method: "GET", Path: "/api/v1/decisions/:id/archive", Tag: "documents", ZH: "一事一档归档包（签名的 zip；导出计入安全审计）", EN: "the decision's signed archive package (zip; the export is recorded)",
		OK: []Reply{{Status: 200, Media: []string{"application/zip"}, Headers: []string{"Content-Disposition", "X-Content-Hash"}}}, Fails: []int{404, 503}},
	{Method: "POST", Path: "/api/v1/documents", Tag: "documents", ZH: "上传文件：multipart/form-data（字段 file）或原样请求体（?name=）；201 新文件，200 已有", EN: "upload a file: multipart/form-data (field file) or the raw body (?name=); 201 new, 200 already stored",
		Query: []Param{{"name", obj{"type": "string"}, "文件名（原样请求体时）", "the file name (raw body)"}},
		Body:  &Body{Upload: true}, OK: []Reply{{Status: 201, Type: UploadView{}}, {Status: 200, Type: UploadView{}}}, Fails: []int{403, 413, 415, 503}},
	{Method: "GET", Path: "/api/v1/audit", Tag: "audit", ZH: "审计日志（按链序）", EN: "the audit log, in chain order", Query: auditParams(true), OK: ok(Paged[store.AuditEvent]{})},
	{Method: "GET", Path: "/api/v1/audit/verify", Tag: "audit", ZH: "校验审计链（审计管理员与领导；限频）", EN: "verify the audit chain (the auditor and leaders; rate-limited)", OK: ok(VerifyView{}), Fails: []int{403}},
	{Method: "GET", Path: "/api/v1/deadlines", Tag: "decisions", ZH: "各决策的未到期期限（限频）", EN: "open deadlines across decisions (rate-limited)",
		Query: []Param{{"overdue", obj{"type": "string", "enum": []any{"true", "false", "1", "0"}}, "仅已逾期", "overdue only"}}, OK: ok(DeadlinesView{})},
	{Method: "GET", Path: "/api/v1/catalogues", Tag: "catalogues", ZH: "年度目录各版本（不含事项）", EN: "catalogue versions, without items",
		Query: []Param{{"organ", idParam, "决策机关", "the organ"}, {"year", obj{"type": "integer", "minimum": 1}, "年度", "the year"}}, OK: ok(Items[CatalogueSummary]{})},
	{Method: "POST", Path: "/api/v1/catalogues", Tag: "catalogues", ZH: "新建年度目录或其调整（下一版本）", EN: "open a year's catalogue, or its adjustment (the next version)",
		Body: body(newCatalogueRequest{}, "organ_id", "year"), OK: createdAt(CatalogueActResponse{}), Fails: []int{403, 404, 409, 413, 422, 503}},
	{Method: "GET", Path: "/api/v1/catalogues/:id", Tag: "catalogues", ZH: "目录的一个版本（含事项）", EN: "one catalogue version with its items", OK: ok(CatalogueView{}), Fails: []int{404}},
	{Method: "POST", Path: "/api/v1/catalogues/:id/events", Tag: "catalogues", ZH: "目录事项：{event, expected_version, data}，data 见各 CatalogueEvent.* 结构", EN: "a catalogue act: {event, expected_version, data}; each event's data is in CatalogueEvent.*",
		Body: &Body{Schema: catalogueEventSchema, Doc: actBodyDoc}, OK: ok(CatalogueActResponse{}), Fails: []int{403, 404, 409, 422, 503}},
	{Method: "GET", Path: "/api/v1/catalogue-reports/:year", Tag: "catalogues", ZH: "年度目录执行情况（办公厅与领导）", EN: "the catalogue's plan-against-actual report (office and leaders)",
		Query: []Param{{"organ", idParam, "决策机关（默认调用者的）", "the organ (default: the caller's)"}}, OK: ok(workflow.PlanReport{}), Fails: []int{403, 404}},
	{Method: "GET", Path: "/api/v1/statistics", Tag: "statistics", ZH: "法治政府建设年度报告统计（JSON、CSV、XLSX；限频；下载计入安全审计）", EN: "the annual rule-of-law report's figures (JSON, CSV, XLSX; rate-limited; downloads are recorded)",
		Query: []Param{{"year", obj{"type": "integer", "minimum": 1}, "年度（默认今年）", "the year (default: this year)"}, {"organ", idParam, "决策机关", "the organ"},
			{"format", obj{"type": "string", "enum": []any{"json", "csv", "xlsx"}, "default": "json"}, "格式", "format"}},
		OK: []Reply{{Status: 200, Type: store.Statistics{}, Media: []string{"application/json"}},
			{Status: 200, Media: []string{"text/csv"}, Schema: obj{"type": "string"}, Headers: []string{"Content-Disposition"}},
			{Status: 200, Media: []string{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}}}, Fails: []int{403, 404}},
	{Method: "GET", Path: "/api/v1/rules", Tag: "rules", ZH: "现行规则包及已存规则包", EN: "the rule pack in force and the stored packs", OK: ok(RulesView{})},
	{Method: "PUT", Path: "/api/v1/rules/active", Tag: "rules", ZH: "启用规则包（系统管理员，审计）", EN: "activate a rule pack (system administrator, audited)",
		Body: body(activateRulesRequest{}, "code"), OK: ok(RulesView{}), Fails: []int{403, 404, 413, 503}},
	{Method: "PUT", Path: "/api/v1/rules/packs/:code", Tag: "rules", ZH: "保存规则包（系统管理员，审计）", EN: "store a rule pack (system administrator, audited)",
		Body: body(putRulePackRequest{}, "pack"), OK: ok(RulesView{}), Fails: []int{403, 413, 503}},
	{Method: "GET", Path: "/api/v1/calendar", Tag: "calendar", ZH: "工作日历已载入的年度", EN: "the years of the working-day calendar", OK: ok(CalendarView{})},
	{Method: "GET", Path: "/api/v1/calendar/workdays", Tag: "calendar", ZH: "某日之后第 n 个工作日（当日不计）", EN: "the n-th working day after a date (the date itself does not count)",
		Query: []Param{{"from", obj{"type": "string", "format": "date"}, "起算日", "the date"}, {"n", obj{"type": "integer", "minimum": 0, "maximum": 366, "default": 7}, "工作日数", "working days"}},
		OK:    ok(WorkdaysView{}), Fails: []int{422}},
	{Method: "PUT", Path: "/api/v1/calendar/:year", Tag: "calendar", ZH: "载入或更正一年的法定节假日（系统管理员，审计）", EN: "load or correct a year's official holidays (system administrator, audited)",
		Body: body(workflow.CalendarYear{}), OK: ok(CalendarView{}), Fails: []int{403, 413, 503}},

	{Method: "GET", Path: "/api/v1/me", Tag: "users", ZH: "调用者本人", EN: "the caller", OK: ok(UserView{})},
	{Method: "PUT", Path: "/api/v1/me/password", Tag: "users", ZH: "修改本人口令", EN: "change one's own password",
		Body: body(changeMyPasswordRequest{}), OK: ok(UserView{}), Fails: []int{403, 413, 503}},
	{Method: "GET", Path: "/api/v1/users", Tag: "users", ZH: "全部人员（管理员）", EN: "every person (the administrators)", OK: ok(Items[UserView]{}), Fails: []int{403}},
	{Method: "POST", Path: "/api/v1/users", Tag: "users", ZH: "新建账号（系统管理员；角色由安全管理员授予）", EN: "create an account (system administrator; roles need the security administrator)",
		Body: body(createUserRequest{}), OK: created(UserView{}), Fails: []int{403, 409, 413, 503}},
	{Method: "PUT", Path: "/api/v1/users/:id/roles", Tag: "users", ZH: "授予角色（安全管理员）", EN: "grant roles (security administrator)",
		Body: body(setRolesRequest{}), OK: ok(UserView{}), Fails: []int{403, 404, 413, 503}},
	{Method: "PUT", Path: "/api/v1/users/:id/unit", Tag: "users", ZH: "调整所在单位（系统管理员）", EN: "move to a unit (system administrator)",
		Body: body(setUserUnitRequest{}, "unit"), OK: ok(UserView{}), Fails: []int{403, 404, 413, 503}},
	{Method: "PUT", Path: "/api/v1/users/:id/password", Tag: "users", ZH: "设置口令（系统管理员；不回显、不入审计）", EN: "set a password (system administrator; never echoed or audited)",
		Body: body(setPasswordRequest{}), OK: ok(UserView{}), Fails: []int{403, 404, 413, 503}},
	{Method: "POST", Path: "/api/v1/users/:id/disable", Tag: "users", ZH: "停用账号（其会话与令牌立即失效）", EN: "disable an account (its sessions and tokens stop at once)", OK: ok(UserView{}), Fails: []int{403, 404, 409, 503}},
	{Method: "POST", Path: "/api/v1/users/:id/enable", Tag: "users", ZH: "启用账号", EN: "enable an account", OK: ok(UserView{}), Fails: []int{403, 404, 409, 503}},
	{Method: "POST", Path: "/api/v1/users/:id/unlock", Tag: "users", ZH: "解除锁定（安全管理员）", EN: "unlock an account (security administrator)", OK: ok(UserView{}), Fails: []int{403, 404, 503}},
	{Method: "GET", Path: "/api/v1/tokens", Tag: "tokens", ZH: "令牌（本人的；安全管理员可看任何人的）", EN: "tokens (one's own; the security administrator anyone's)",
		Query: []Param{{"user", idParam, "用户编号", "a user's id"}}, OK: ok(Items[store.Token]{}), Fails: []int{403, 404}},
	{Method: "POST", Path: "/api/v1/tokens", Tag: "tokens", ZH: "签发令牌（仅此一次显示）", EN: "issue a token (shown this once)",
		Body: body(createTokenRequest{}), OK: created(NewTokenView{}), Fails: []int{403, 404, 413, 503}},
	{Method: "DELETE", Path: "/api/v1/tokens/:id", Tag: "tokens", ZH: "吊销令牌（立即生效）", EN: "revoke a token (at once)", OK: ok(store.Token{}), Fails: []int{403, 404, 503}},
	{Method: "POST", Path: "/api/v1/units", Tag: "units", ZH: "新建决策机关或单位（系统管理员）", EN: "create an organ or a unit (system administrator)",
		Body: body(createUnitRequest{}), OK: created(workflow.Unit{}), Fails: []int{403, 409, 413, 503}},
	{Method: "PUT", Path: "/api/v1/organs/:id", Tag: "units", ZH: "指定决策机关的行政首长和合法性审查机构（系统管理员）", EN: "name an organ's head and legality-review body (system administrator)",
		Body: body(setOrganRequest{}), OK: ok(workflow.Unit{}), Fails: []int{403, 404, 413, 503}},

	{Method: "GET", Path: "/api/v1/webhooks", Tag: "webhooks", ZH: "订阅（系统与审计管理员；不含密钥）", EN: "subscriptions (system and audit administrators; no secrets)", OK: ok(Items[WebhookView]{}), Fails: []int{403}},
	{Method: "POST", Path: "/api/v1/webhooks", Tag: "webhooks", ZH: "新建订阅（密钥仅此一次显示）", EN: "subscribe (the secret is shown this once)",
		Body: body(createWebhookRequest{}), OK: created(WebhookView{}), Fails: []int{403, 413, 503}},
	{Method: "PUT", Path: "/api/v1/webhooks/:id", Tag: "webhooks", ZH: "修改订阅（organ_id 为 null：全部机关）", EN: "change a subscription (organ_id null: every organ)",
		Body: body(updateWebhookRequest{}), OK: ok(WebhookView{}), Fails: []int{403, 404, 413, 503}},
	{Method: "GET", Path: "/api/v1/webhook-deliveries", Tag: "webhooks", ZH: "投递结果（status=dead 为死信列表）", EN: "delivery outcomes (status=dead: the dead-letter list)",
		Query: append([]Param{{"status", obj{"type": "string", "enum": anyList(store.DeliveryStatuses)}, "状态", "status"}, {"webhook", idParam, "订阅", "the subscription"}}, pageParams...),
		OK:    ok(Paged[store.Delivery]{}), Fails: []int{403}},
	{Method: "GET", Path: "/api/v1/webhook-deliveries/:id", Tag: "webhooks", ZH: "一次投递及各次尝试", EN: "one delivery with every attempt", OK: ok(store.Delivery{}), Fails: []int{403, 404}},
	{Method: "POST", Path: "/api/v1/webhook-deliveries/:id/replay", Tag: "webhooks", ZH: "重新投递死信（系统管理员，审计）", EN: "send a dead delivery again (system administrator, audited)", OK: ok(store.Delivery{}), Fails: []int{403, 404, 409, 503}},
}

// commonFails are the refusals every operation may answer: a path or
// query with NUL or invalid UTF-8 (400), no or a bad token (401), too
// many failing credentials or expensive reads (429), a bug (500).
var commonFails = []int{400, 401, 429, 500}

// failsOf lists the statuses of an operation's refusals: the common ones,
// its own, and 413 where it reads a body.
func failsOf(op Op) []int {
	fails := append(slices.Clone(commonFails), op.Fails...)
	if op.Public {
		fails = []int{400, 500}
	}
	if op.Body != nil {
		fails = append(fails, 413)
	}
	slices.Sort(fails)
	return slices.Compact(fails)
}

// actBodyDoc is an act's body in brief.
const actBodyDoc = "{event*, expected_version*, data}"

// fieldsDoc is a field table in brief: its names, required ones starred.
func fieldsDoc(fs []workflow.Field) string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.Name
		if f.Required {
			names[i] += "*"
		}
	}
	return "{" + strings.Join(names, ", ") + "}"
}

// pathParams: the schema of each path parameter by name.
var pathParams = map[string]obj{
	"id":         {"type": "integer", "minimum": 1},
	"comment_id": {"type": "integer", "minimum": 1, "description": "公众意见编号 / the comment's id"},
	"hash":       {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "文件摘要（64位小写十六进制） / the document's digest (64 lowercase hex digits)"},
	"year":       {"type": "integer"},
	"code":       {"type": "string", "minLength": 1},
}

// stateCodes are the procedure's states.
func stateCodes() []any {
	out := make([]any, len(workflow.States))
	for i, st := range workflow.States {
		out[i] = string(st.Code)
	}
	return out
}

// documentTypes are the types a stored document has (store.AllowedTypes).
func documentTypes() []string {
	var out []string
	for t := range store.AllowedTypes {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// ---- the events ----

// eventDoc is one event of the procedure or of the catalogue as the
// description shows it.
type eventDoc struct {
	Name, ZH, EN, Article string
	Roles                 []workflow.Role
	Fields                []workflow.Field
	Required              []string
}

func decisionEvents() []eventDoc {
	var out []eventDoc
	for _, e := range workflow.New().Events() {
		fs := append(slices.Clone(e.Fields), workflow.DocumentsField)
		out = append(out, eventDoc{Name: e.Name, ZH: e.ZH, EN: e.EN, Article: e.Article, Roles: e.Roles, Fields: fs, Required: requiredNames(fs, "")})
	}
	return out
}

func catalogueEvents() []eventDoc {
	var out []eventDoc
	for _, e := range workflow.CatalogueEvents {
		out = append(out, eventDoc{Name: e.Name, ZH: e.ZH, EN: e.EN, Article: e.Article, Roles: e.Roles, Fields: e.Fields, Required: requiredNames(e.Fields, "")})
	}
	return out
}

// eventSchema is the body of an act: one schema per event (a component
// prefix.event), chosen by the member event. open: the data keeps members
// the field table does not name (a decision's records do; a catalogue
// refuses them).
func eventSchema(s *schemaSet, prefix string, evs []eventDoc, open bool) obj {
	var one []any
	mapping := obj{}
	for _, e := range evs {
		data := fieldsObject(e.Fields, open)
		props := obj{"event": obj{"const": e.Name},
			"expected_version": obj{"type": "integer", "minimum": 1, "description": "调用者所见的版本号 / the version the caller saw"},
			"data":             data}
		req := []any{"event", "expected_version"}
		if len(e.Required) > 0 {
			req = append(req, "data")
		} else {
			props["data"] = nullable(data)
		}
		roles := make([]string, len(e.Roles))
		for i, r := range e.Roles {
			roles[i] = string(r)
		}
		desc := fmt.Sprintf("%s / %s. 办理人 roles: %s.", e.ZH, e.EN, strings.Join(roles, ", "))
		if e.Article != "" {
			desc += " 依据 basis: " + e.Article + "."
		}
		if len(e.Required) > 0 {
			desc += " 必填 required: " + strings.Join(e.Required, ", ") + "."
		}
		name := prefix + "." + e.Name
		s.defs[name] = obj{"type": "object", "title": e.Name, "description": desc, "properties": props, "required": req, "additionalProperties": false}
		one = append(one, ref(name))
		mapping[e.Name] = "#/components/schemas/" + name
	}
	return obj{"oneOf": one, "discriminator": obj{"propertyName": "event", "mapping": mapping}}
}

func decisionEventSchema(s *schemaSet) obj {
	return eventSchema(s, "DecisionEvent", decisionEvents(), true)
}

func catalogueEventSchema(s *schemaSet) obj {
	return eventSchema(s, "CatalogueEvent", catalogueEvents(), false)
}

// ---- the description ----

// OpenAPIPath is an /api/v1 route's path as the description writes it
// ("/api/v1/decisions/{id}").
func OpenAPIPath(route string) string {
	parts := strings.Split(route, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") || strings.HasPrefix(p, "*") {
			parts[i] = "{" + p[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

var statusNames = map[int]string{400: "BadRequest", 401: "Unauthenticated", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed",
	409: "Conflict", 413: "PayloadTooLarge", 415: "UnsupportedMediaType", 422: "RefusedByRule", 429: "RateLimited", 500: "Internal", 503: "Unavailable"}

// problemSchemas describe the problem+json body: Problem (every code), and
// per status Problem.{status} with the codes of that status.
func problemSchemas(s *schemaSet) obj {
	p := s.object(reflect.TypeFor[httpx.Problem](), false)
	props := p["properties"].(obj)
	props["code"] = ref("ErrorCode")
	props["type"] = obj{"type": "string", "pattern": "^urn:decisiond:problem:[a-z_]+$", "description": "urn:decisiond:problem:{code}"}
	props["status"] = obj{"type": "integer", "minimum": 400, "maximum": 599}
	props["article"] = obj{"type": "string", "description": "拒绝所依据的条文 / the article of the rule that refused (e.g. Art. 25 ¶2)"}
	props["rule"] = obj{"type": "string", "description": "编码不足以说明时，拒绝所依据的规则（如职责分离） / the rule, where the code alone does not name it (sod_…, cross_origin …)"}
	props["request_id"] = obj{"type": "string", "description": "请求编号，与 X-Request-ID 响应头一致 / the request's id, as in the X-Request-ID header"}
	p["title"] = "Problem"
	p["description"] = "RFC 9457 problem+json：拒绝的原因，中文在前、英文在后，附稳定的编码 / RFC 9457 problem document: why the request was refused, in Chinese then English, with a stable code"
	s.defs["Problem"] = p

	var all []any
	descs := obj{}
	byStatus := map[int][]any{}
	var lines []string
	for _, c := range httpx.Codes {
		st := httpx.StatusOf(c.Code)
		all = append(all, c.Code)
		descs[c.Code] = c.ZH + " / " + c.EN
		byStatus[st] = append(byStatus[st], c.Code)
		lines = append(lines, fmt.Sprintf("- `%s` (%d): %s / %s", c.Code, st, c.ZH, c.EN))
	}
	s.defs["ErrorCode"] = obj{"type": "string", "enum": all, "x-enum-descriptions": descs,
		"description": "稳定的错误编码（HTTP 状态见括号） / the stable error code (its HTTP status in brackets):\n\n" + strings.Join(lines, "\n")}
	out := obj{}
	for st, codes := range byStatus {
		name := "Problem" + strconv.Itoa(st)
		s.defs[name] = obj{"allOf": []any{ref("Problem"), obj{"properties": obj{"status": obj{"const": st}, "code": obj{"enum": codes}}}}}
		headers := obj{"X-Request-ID": obj{"$ref": "#/components/headers/X-Request-ID"}}
		if st == 429 {
			headers["Retry-After"] = obj{"required": true, "schema": obj{"type": "integer", "minimum": 1}, "description": "秒 / seconds"}
		}
		if st == 401 {
			headers["WWW-Authenticate"] = obj{"required": true, "schema": obj{"type": "string", "pattern": "^Bearer "}}
		}
		out[statusNames[st]] = obj{"description": http.StatusText(st), "headers": headers,
			"content": obj{"application/problem+json": obj{"schema": ref(name)}}}
	}
	return out
}

// description is the document.
func description() obj {
	s := newSchemaSet()
	responses := problemSchemas(s)
	paths := obj{}
	tags := map[string]bool{}
	for _, op := range Operations {
		tags[op.Tag] = true
		p := OpenAPIPath(op.Path)
		item, _ := paths[p].(obj)
		if item == nil {
			item = obj{}
			paths[p] = item
		}
		item[strings.ToLower(op.Method)] = operation(s, op)
	}
	var tagList []any
	for _, t := range slices.Sorted(mapKeys(tags)) {
		tagList = append(tagList, obj{"name": t})
	}
	return obj{
		"openapi":           "3.1.0",
		"jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
		"info": obj{"title": "decisiond API", "version": "1",
			"summary": "重大行政决策程序 / the major administrative decision procedure",
			"description": "JSON API v1 of decisiond (《重大行政决策程序暂行条例》). Every request carries a bearer token " +
				"(`decisiond token create --user N`) except this description. Every refusal is an RFC 9457 problem+json " +
				"document with a stable `code` (see the schema ErrorCode) and a message in Chinese, then English. " +
				"A readable page: /api/docs."},
		"servers":  []any{obj{"url": "/"}},
		"security": []any{obj{"bearer": []any{}}},
		"tags":     tagList,
		"paths":    paths,
		"components": obj{
			"securitySchemes": obj{"bearer": obj{"type": "http", "scheme": "bearer",
				"description": "个人令牌（decisiond token create 或 POST /api/v1/tokens） / a personal token (decisiond token create or POST /api/v1/tokens)"}},
			"headers": obj{"X-Request-ID": obj{"required": true, "schema": obj{"type": "string", "minLength": 1},
				"description": "请求编号（请求中提供则沿用，否则生成） / the request's id (taken from the request, or made)"}},
			"schemas":   s.defs,
			"responses": responses,
		},
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func operation(s *schemaSet, op Op) obj {
	o := obj{"operationId": operationID(op), "tags": []any{op.Tag}, "summary": op.EN, "description": op.ZH + " / " + op.EN}
	if op.Public {
		o["security"] = []any{}
	}
	var params []any
	for _, seg := range strings.Split(op.Path, "/") {
		if strings.HasPrefix(seg, ":") {
			name := seg[1:]
			sch, ok := pathParams[name]
			if !ok {
				panic("openapi: no schema for the path parameter " + name + " (add it to pathParams)")
			}
			params = append(params, obj{"name": name, "in": "path", "required": true, "schema": sch})
		}
	}
	for _, q := range op.Query {
		params = append(params, obj{"name": q.Name, "in": "query", "schema": q.Schema, "description": q.ZH + " / " + q.EN})
	}
	if len(params) > 0 {
		o["parameters"] = params
	}
	if b := op.Body; b != nil {
		content := obj{}
		switch {
		case b.Upload:
			content["multipart/form-data"] = obj{"schema": obj{"type": "object", "required": []any{"file"},
				"properties": obj{"file": obj{"type": "string", "contentMediaType": "application/octet-stream"}}}}
			content["*/*"] = obj{} // the raw bytes, any declared type: the type is sniffed from the content
		case b.Schema != nil:
			content["application/json"] = obj{"schema": b.Schema(s)}
		default:
			content["application/json"] = obj{"schema": s.request(b.Type, b.Required...)}
		}
		o["requestBody"] = obj{"required": true, "content": content}
	}
	resp := obj{}
	for _, r := range op.OK {
		key := strconv.Itoa(r.Status)
		ro, _ := resp[key].(obj)
		if ro == nil {
			ro = obj{"description": http.StatusText(r.Status), "content": obj{}}
			resp[key] = ro
		}
		headers := obj{"X-Request-ID": obj{"$ref": "#/components/headers/X-Request-ID"}}
		for _, h := range r.Headers {
			headers[h] = obj{"required": true, "schema": obj{"type": "string", "minLength": 1}}
		}
		ro["headers"] = headers
		content := ro["content"].(obj)
		media := r.Media
		if len(media) == 0 {
			media = []string{"application/json"}
		}
		for _, m := range media {
			mt := obj{}
			switch {
			case r.Type != nil && m == "application/json":
				mt["schema"] = s.of(reflect.TypeOf(r.Type))
			case r.Schema != nil:
				mt["schema"] = r.Schema
			}
			content[m] = mt
		}
	}
	for _, st := range failsOf(op) {
		name, ok := statusNames[st]
		if !ok {
			panic(fmt.Sprintf("openapi: %s %s: no problem response for status %d", op.Method, op.Path, st))
		}
		resp[strconv.Itoa(st)] = obj{"$ref": "#/components/responses/" + name}
	}
	o["responses"] = resp
	return o
}

// operationID: "GET /api/v1/decisions/:id/audit" → "getDecisionsIdAudit".
func operationID(op Op) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(op.Method))
	for _, seg := range strings.Split(strings.TrimPrefix(op.Path, "/api/v1/"), "/") {
		seg = strings.TrimLeft(seg, ":")
		for _, w := range strings.FieldsFunc(seg, func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}

var (
	descOnce sync.Once
	descJSON []byte
)

// Description is the OpenAPI 3.1 description of /api/v1 as served.
func Description() []byte {
	descOnce.Do(func() {
		b, err := json.MarshalIndent(description(), "", " ")
		if err != nil {
			panic(err)
		}
		descJSON = b
	})
	return descJSON
}

// OpenAPI: GET /api/v1/openapi.json — the description, without a token:
// it holds no data, only what the README and PROCEDURE.md already say.
func (a *API) OpenAPI(c *gin.Context) {
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "application/json", Description())
}
