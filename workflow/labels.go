package workflow

import (
	"regexp"
	"strings"
)

// Labels of the fields of events' data and of their enumerated values, in
// Chinese and English: the one source the console's forms and readable
// records use (the API validates against the same Field tables in
// events.go). A key is a field name ("reason"), a path without indices
// ("adoption_report.reason") or an event and a path ("report_issue:kind");
// FieldLabel tries the most specific first.

// FieldInfo is the label of a field, with a hint and, for an id field, what
// it refers to.
type FieldInfo struct {
	ZH, EN string
	// HintZH/HintEN explain what to enter (shown under the input).
	HintZH, HintEN string
	// Lines: a long text, typed in a box of that many lines.
	Lines int
	// Ref names what an id or id list refers to: "unit" (a unit of the
	// organ) or "record" (a record of this decision).
	Ref string
}

var fieldLabels = map[string]FieldInfo{
	// decision flags
	"title":                  {ZH: "决策事项名称", EN: "Title"},
	"organ_id":               {ZH: "决策机关", EN: "Decision organ", Ref: "unit"},
	"category":               {ZH: "事项类别", EN: "Category"},
	"domains":                {ZH: "所属领域", EN: "Policy domains", HintZH: "每行一个，如：交通运输", HintEN: "one per line, e.g. 交通运输"},
	"technical":              {ZH: "专业性、技术性较强", EN: "Technical"},
	"risk_relevant":          {ZH: "涉及社会稳定风险", EN: "Risk-relevant"},
	"non_disclosable":        {ZH: "依法不予公开", EN: "Not to be disclosed"},
	"affects_market":         {ZH: "涉及市场主体经济活动", EN: "Affects market actors"},
	"public_concern":         {ZH: "社会广泛关注", EN: "Of wide public concern"},
	"affects_specific_group": {ZH: "对特定群体利益有重大影响", EN: "Affects a specific group"},
	"catalogue_item_id":      {ZH: "决策事项目录条目编号", EN: "Catalogue item id"},
	"hearing_required":       {ZH: "需要举行听证", EN: "Hearing required"},

	// launch, decline, drafts
	"undertaking_unit_id": {ZH: "决策承办单位", EN: "Undertaking unit", Ref: "unit"},
	"launch_ref":          {ZH: "启动依据（会议纪要或批示）", EN: "Launch reference (minutes or instruction)"},
	"reason":              {ZH: "理由", EN: "Reason"},
	"text":                {ZH: "草案全文", EN: "Draft text", Lines: 12},
	"document":            {ZH: "草案文件（已上传文件的摘要）", EN: "Draft file (the uploaded file's digest)", HintZH: "填写草案全文或上传文件后的摘要，二者择一", HintEN: "the text, or the digest of an uploaded file"},
	"note":                {ZH: "修改说明", EN: "Note on the revision"},

	// public participation
	"methods":          {ZH: "公众参与方式", EN: "Participation methods"},
	"notice":           {ZH: "征求意见公告", EN: "Notice"},
	"notice.channels":  {ZH: "公告渠道", EN: "Notice channels", HintZH: "每行一个，如：市政府网站", HintEN: "one per line"},
	"opened_on":        {ZH: "征求意见开始日期", EN: "Comment period opens"},
	"closes_on":        {ZH: "征求意见截止日期", EN: "Comment period closes", HintZH: "一般不少于30日（第十五条）", HintEN: "in general at least 30 days (Art. 15)"},
	"shortened_reason": {ZH: "缩短期限的理由", EN: "Reason for a shorter period"},
	"notice.explanation": {ZH: "草案说明", EN: "Explanation of the draft", Lines: 4,
		HintZH: "与草案一并公布（第十五条），显示在公开征求意见页面", HintEN: "published with the draft (Art. 15), shown on the consultation page"},
	"legal_basis": {ZH: "法律依据", EN: "Legal basis"},
	"held_on":     {ZH: "举行日期", EN: "Held on"},
	"materials_delivered_on": {ZH: "听证材料送达日期", EN: "Materials delivered on",
		HintZH: "应在听证会7日前送达（第十六条）", HintEN: "at least 7 days before the hearing (Art. 16)"},
	"participants":            {ZH: "听证参加人", EN: "Participants", HintZH: "每行一人", HintEN: "one per line"},
	"record_signed":           {ZH: "听证笔录已签字确认", EN: "Record signed"},
	"adoption_report":         {ZH: "意见采纳情况", EN: "Adoption report"},
	"adoption_report.opinion": {ZH: "主要意见", EN: "Main opinion"},
	"adoption_report.adopted": {ZH: "是否采纳", EN: "Adopted"},
	"adoption_report.reason":  {ZH: "未采纳理由", EN: "Reason if not adopted"},
	"adoption_report.comments": {ZH: "所答复的公众意见编号", EN: "Comments answered (numbers)",
		HintZH: "每行一个，为网上收到的公众意见编号；每条意见须在某项中答复或已标注为重复、无关、不当意见（第十八条）",
		HintEN: "one per line: the numbers of comments received online; each comment is answered by an item or marked as duplicate, off-topic or abusive (Art. 18)"},
	"group_consultation":                   {ZH: "与利益相关群体的协商", EN: "Consultation with the group concerned"},
	"group_consultation.parties":           {ZH: "协商各方", EN: "Parties", HintZH: "每行一个", HintEN: "one per line"},
	"group_consultation.summary":           {ZH: "协商情况", EN: "Summary"},
	"experts":                              {ZH: "论证专家", EN: "Experts"},
	"experts.name":                         {ZH: "姓名", EN: "Name"},
	"experts.field":                        {ZH: "专业领域", EN: "Field"},
	"conflict_of_interest":                 {ZH: "与决策事项有直接利害关系", EN: "Has a direct interest"},
	"signed":                               {ZH: "书面论证意见已签字", EN: "Written opinion signed"},
	"differing_view":                       {ZH: "持不同意见", EN: "Holds a differing view"},
	"institution":                          {ZH: "所在单位或论证机构", EN: "Institution"},
	"risk_points":                          {ZH: "风险点", EN: "Risk points", HintZH: "每行一个", HintEN: "one per line"},
	"measures":                             {ZH: "防范化解措施", EN: "Measures", HintZH: "每行一项", HintEN: "one per line"},
	"contingency_plan":                     {ZH: "应急处置预案", EN: "Contingency plan"},
	"grade":                                {ZH: "风险等级", EN: "Risk grade"},
	"controllable":                         {ZH: "风险可控", EN: "Risk controllable"},
	"prior_assessment_ref":                 {ZH: "已有风险评估结果（第二十二条第二款）", EN: "Prior assessment (Art. 22 ¶2)"},
	"assessor":                             {ZH: "评估单位", EN: "Assessor"},
	"submitted_on":                         {ZH: "送审日期", EN: "Submitted on"},
	"review_due_on":                        {ZH: "审查期限", EN: "Review due on", HintZH: "一般不少于7个工作日（第二十六条）", HintEN: "in general at least 7 working days (Art. 26)"},
	"materials":                            {ZH: "送审材料", EN: "Materials"},
	"materials.draft":                      {ZH: "决策草案", EN: "Draft included"},
	"materials.legal_basis":                {ZH: "法律法规依据", EN: "Legal basis", HintZH: "每行一条", HintEN: "one per line"},
	"procedure_explanation":                {ZH: "履行决策程序情况说明", EN: "Procedures performed"},
	"urgent_reason":                        {ZH: "紧急情况说明", EN: "Urgent reason"},
	"supplements":                          {ZH: "需补充的材料", EN: "Supplements requested", HintZH: "每行一项", HintEN: "one per line"},
	"outcome":                              {ZH: "审查结论", EN: "Outcome"},
	"findings":                             {ZH: "审查意见", EN: "Findings"},
	"findings.authority":                   {ZH: "决策权限", EN: "Authority"},
	"findings.procedure":                   {ZH: "决策程序", EN: "Procedure"},
	"findings.content":                     {ZH: "决策内容", EN: "Content"},
	"adviser_opinions":                     {ZH: "法律顾问、公职律师意见", EN: "Legal advisers' opinions"},
	"adviser_opinions.adviser":             {ZH: "法律顾问或公职律师", EN: "Adviser"},
	"adviser_opinions.opinion":             {ZH: "意见", EN: "Opinion"},
	"risk_statement":                       {ZH: "风险说明", EN: "Risk statement"},
	"meeting_type":                         {ZH: "会议类型", EN: "Meeting type"},
	"planned_on":                           {ZH: "拟提交会议日期", EN: "Planned meeting date"},
	"fair_competition_review":              {ZH: "公平竞争审查情况", EN: "Fair competition review"},
	"meeting":                              {ZH: "会议记录", EN: "Meeting record"},
	"attendees":                            {ZH: "出席人员", EN: "Attendees", HintZH: "每行一人", HintEN: "one per line"},
	"opinions":                             {ZH: "发表意见（按发言顺序，行政首长最后）", EN: "Opinions (in speaking order, the head last)"},
	"opinions.member":                      {ZH: "发言人", EN: "Member"},
	"position":                             {ZH: "意见", EN: "Position"},
	"opinions.text":                        {ZH: "发言要点", EN: "What was said"},
	"is_head":                              {ZH: "行政首长", EN: "The head"},
	"meeting.decision":                     {ZH: "会议决定", EN: "Meeting's decision"},
	"departure_reason":                     {ZH: "与多数意见不一致的理由", EN: "Reason for departing from the majority"},
	"execution":                            {ZH: "执行安排", EN: "Execution"},
	"execution.units":                      {ZH: "执行单位", EN: "Execution units", Ref: "unit"},
	"time_limit":                           {ZH: "执行时限", EN: "Time limit"},
	"feedback":                             {ZH: "反馈要求", EN: "Feedback"},
	"reported_on":                          {ZH: "报告日期", EN: "Reported on"},
	"doc_no":                               {ZH: "请示文号", EN: "Document number", HintZH: "如：西政党组〔2026〕5号", HintEN: "e.g. 西政党组〔2026〕5号"},
	"reply":                                {ZH: "党委批复", EN: "Reply"},
	"channels":                             {ZH: "公布渠道", EN: "Channels"},
	"channels.kind":                        {ZH: "渠道类型", EN: "Kind"},
	"channels.on":                          {ZH: "公布日期", EN: "Published on"},
	"channels.ref":                         {ZH: "刊载位置或网址", EN: "Reference or URL"},
	"adoption_explanation":                 {ZH: "意见采纳情况说明", EN: "Explanation of adopted opinions"},
	"not_disclosed":                        {ZH: "依法不予公开", EN: "Lawfully not disclosed"},
	"period":                               {ZH: "报告期间", EN: "Period"},
	"progress":                             {ZH: "执行进展", EN: "Progress"},
	"problems":                             {ZH: "存在问题", EN: "Problems"},
	"report_issue:kind":                    {ZH: "问题类别", EN: "Kind"},
	"detail":                               {ZH: "具体情况", EN: "Detail"},
	"issue_ref":                            {ZH: "所涉问题报告（记录编号）", EN: "Issue report (record id)", Ref: "record"},
	"trigger":                              {ZH: "评估情形（第三十六条）", EN: "Trigger (Art. 36)"},
	"evaluator":                            {ZH: "评估单位", EN: "Evaluator"},
	"report":                               {ZH: "评估报告", EN: "Report"},
	"recommendation":                       {ZH: "评估建议", EN: "Recommendation"},
	"summary":                              {ZH: "总结", EN: "Summary"},
	"catalogue_adjustment_ref":             {ZH: "目录调整文件", EN: "Catalogue adjustment reference"},
	"archived_on":                          {ZH: "归档日期", EN: "Archived on"},
	"archive_ref":                          {ZH: "档案号", EN: "Archive reference"},
	"package_hash":                         {ZH: "归档包摘要", EN: "Archive package digest"},
	"items":                                {ZH: "归档材料", EN: "Items", HintZH: "每行一项", HintEN: "one per line"},
	"record_internal_legal_check:findings": {ZH: "审核意见", EN: "Findings"},

	// fields of the second legal pass (issue 7)
	"revision_handling":          {ZH: "按审查意见修改情况", EN: "How the review's points were handled"},
	"revision_handling.point":    {ZH: "审查意见要点", EN: "Point"},
	"revision_handling.handling": {ZH: "修改情况", EN: "Handling"},
	"departments":                {ZH: "征求意见的有关单位", EN: "Departments consulted"},
	"departments.unit_id":        {ZH: "单位", EN: "Unit", Ref: "unit"},
	"departments.name":           {ZH: "单位名称（本机关以外）", EN: "Name (outside the organ)"},
	"departments.opinion":        {ZH: "意见", EN: "Opinion"},
	"agreed":                     {ZH: "是否同意", EN: "Agreed"},
	"resolution":                 {ZH: "分歧协调情况", EN: "How the disagreement was resolved"},
	"reported_to_organ":          {ZH: "已报请决策机关协调", EN: "Reported to the organ"},
	"consulted_on":               {ZH: "征求意见日期", EN: "Consulted on"},
	"checked_on":                 {ZH: "审核日期", EN: "Checked on"},
	"revisions":                  {ZH: "需修改的要点", EN: "Points to revise", HintZH: "每行一项", HintEN: "one per line"},
	"given_on":                   {ZH: "出具日期", EN: "Given on"},
	"points":                     {ZH: "修改要点确认", EN: "Points confirmed"},
	"points.point":               {ZH: "审查意见要点", EN: "Point"},
	"handled":                    {ZH: "已修改", EN: "Handled"},
	"how":                        {ZH: "修改方式", EN: "How"},
	"confirmed_on":               {ZH: "确认日期", EN: "Confirmed on"},
	"absences":                   {ZH: "缺席人员", EN: "Absences"},
	"absences.member":            {ZH: "缺席人", EN: "Member"},
	"absences.reason":            {ZH: "缺席理由", EN: "Reason"},
	"observers":                  {ZH: "列席人员", EN: "Observers", HintZH: "每行一人", HintEN: "one per line"},
	"concerned_units":            {ZH: "有关单位", EN: "Units concerned", Ref: "unit"},

	// keys the engine writes into records
	"draft_no":                          {ZH: "草案版本", EN: "Draft version"},
	"sha256":                            {ZH: "草案摘要（SHA-256）", EN: "Draft digest (SHA-256)"},
	"length":                            {ZH: "字数", EN: "Length"},
	"warnings":                          {ZH: "提示", EN: "Warnings"},
	"meeting_pack":                      {ZH: "提请审议材料", EN: "Meeting pack"},
	"meeting_pack.public_participation": {ZH: "公众参与记录", EN: "Public participation"},
	"meeting_pack.expert_review":        {ZH: "专家论证记录", EN: "Expert review"},
	"meeting_pack.risk_assessment":      {ZH: "风险评估记录", EN: "Risk assessment"},
	"meeting_pack.legality_opinion":     {ZH: "合法性审查意见", EN: "Legality opinion"},
	"draft_hash":                        {ZH: "草案摘要（SHA-256）", EN: "Draft digest (SHA-256)"},
	"record_id":                         {ZH: "记录编号", EN: "Record id"},
	"event":                             {ZH: "办理事项", EN: "Act"},
	"legal_risk_statement":              {ZH: "法律风险说明", EN: "Legal risk statement"},
	"spawned_decision_id":               {ZH: "另行决策的事项编号", EN: "New decision id"},
	// security and administration events
	"address":    {ZH: "来源地址", EN: "Address"},
	"user":       {ZH: "用户", EN: "User"},
	"user_id":    {ZH: "用户编号", EN: "User id"},
	"what":       {ZH: "导出内容", EN: "Exported"},
	"filter":     {ZH: "筛选条件", EN: "Filter"},
	"rows":       {ZH: "条数", EN: "Rows"},
	"route":      {ZH: "请求地址", EN: "Route"},
	"method":     {ZH: "请求方法", EN: "Method"},
	"code":       {ZH: "代码", EN: "Code"},
	"rule":       {ZH: "规则", EN: "Rule"},
	"message":    {ZH: "催办内容", EN: "Message"},
	"roles":      {ZH: "角色", EN: "Roles"},
	"recipients": {ZH: "接收人数", EN: "Recipients"},
}

var indexRE = regexp.MustCompile(`\[\d+\]`)

// FieldLabel is the label of the field at path (e.g. "experts[0].name") of
// event's data. An unknown field is labelled with its own name.
func FieldLabel(event, path string) FieldInfo {
	p := indexRE.ReplaceAllString(path, "")
	keys := []string{event + ":" + p, p}
	if i := strings.LastIndex(p, "."); i >= 0 {
		// the last two segments ("meeting.opinions.text" → "opinions.text"), then the name
		parts := strings.Split(p, ".")
		if len(parts) >= 2 {
			keys = append(keys, event+":"+strings.Join(parts[len(parts)-2:], "."), strings.Join(parts[len(parts)-2:], "."))
		}
		keys = append(keys, event+":"+p[i+1:], p[i+1:])
	}
	for _, k := range keys {
		if l, ok := fieldLabels[k]; ok {
			return l
		}
	}
	return FieldInfo{ZH: p, EN: p}
}

// enumLabels label enumerated values; a key "field=value" wins over the
// value alone.
var enumLabels = map[string]Label{
	"executive": {"executive", "常务会议", "executive meeting"},
	"plenary":   {"plenary", "全体会议", "plenary meeting"},

	"symposium":            {"symposium", "座谈会", "symposium"},
	"hearing":              {"hearing", "听证会", "hearing"},
	"field_visit":          {"field_visit", "实地走访", "field visit"},
	"written_consultation": {"written_consultation", "书面征求意见", "written consultation"},
	"online_comment":       {"online_comment", "向社会公开征求意见", "online public comment"},
	"questionnaire":        {"questionnaire", "问卷调查", "questionnaire"},
	"opinion_poll":         {"opinion_poll", "民意调查", "opinion poll"},
	"group_consultation":   {"group_consultation", "与利益相关群体协商", "group consultation"},

	"public_policy":    {"public_policy", "重大公共政策和措施", "major public policy"},
	"major_plan":       {"major_plan", "重要规划", "major plan"},
	"resources_policy": {"resources_policy", "资源开发利用保护政策", "resources policy"},
	"public_project":   {"public_project", "重大公共建设项目", "major public project"},
	"other_major":      {"other_major", "其他重大事项", "other major matter"},

	OutcomeLegal:               {OutcomeLegal, "合法", "legal"},
	OutcomeLegalWithRevisions:  {OutcomeLegalWithRevisions, "修改后合法", "legal with revisions"},
	OutcomeIllegal:             {OutcomeIllegal, "不合法", "illegal"},
	OutcomeExploratoryWithRisk: {OutcomeExploratoryWithRisk, "探索性改革，存在法律风险", "exploratory, with legal risk"},

	"low":    {"low", "低", "low"},
	"medium": {"medium", "中", "medium"},
	"high":   {"high", "高", "high"},

	"agree":    {"agree", "同意", "agree"},
	"disagree": {"disagree", "不同意", "disagree"},
	"abstain":  {"abstain", "弃权", "abstain"},

	"gazette":          {"gazette", "政府公报", "gazette"},
	"website":          {"website", "政府网站", "website"},
	"newspaper":        {"newspaper", "报刊", "newspaper"},
	"new_media":        {"new_media", "政务新媒体", "new media"},
	"press_conference": {"press_conference", "新闻发布会", "press conference"},

	"problem":         {"problem", "执行中发现的问题", "problem"},
	"major_change":    {"major_change", "客观情况发生重大变化", "major change"},
	"force_majeure":   {"force_majeure", "不可抗力", "force majeure"},
	"public_feedback": {"public_feedback", "社会公众反映", "public feedback"},

	"not_effective":         {"not_effective", "实施后明显未达到预期效果", "not effective"},
	"many_opinions":         {"many_opinions", "公民、法人或者其他组织提出较多意见", "many opinions received"},
	"organ_deems_necessary": {"organ_deems_necessary", "决策机关认为有必要", "the organ deems it necessary"},

	"continue": {"continue", "继续执行", "continue"},
	"adjust":   {"adjust", "调整", "adjust"},
	"suspend":  {"suspend", "中止执行", "suspend"},
	"stop":     {"stop", "停止执行", "stop"},
}

// EnumLabel labels an enumerated value of the field name; an unknown value
// is labelled with itself.
func EnumLabel(field, value string) Label {
	if l, ok := enumLabels[field+"="+value]; ok {
		return l
	}
	if l, ok := enumLabels[value]; ok {
		return l
	}
	return Label{value, value, value}
}

// EventLabel labels an event code: the procedure's events, creation, the
// reminder and the security and administration events of the audit trail.
func EventLabel(p *Procedure, event string) Label {
	if e, ok := p.Event(event); ok {
		return Label{event, e.ZH, e.EN}
	}
	if l, ok := otherEvents[event]; ok {
		return l
	}
	return Label{event, event, event}
}

// otherEvents are audit events that are not acts of the procedure.
var otherEvents = map[string]Label{
	"create":               {"create", "登记决策事项建议", "record the proposal"},
	EvRemind:               {EvRemind, "催办", "reminder sent"},
	"export":               {"export", "导出", "export"},
	"request_refused":      {"request_refused", "拒绝越权请求", "request refused"},
	"sign_in":              {"sign_in", "登录", "sign in"},
	"sign_in_failed":       {"sign_in_failed", "登录失败", "failed sign-in"},
	"sign_out":             {"sign_out", "退出", "sign out"},
	"account_locked":       {"account_locked", "账号锁定", "account locked"},
	"unlock_account":       {"unlock_account", "解锁账号", "account unlocked"},
	"change_password":      {"change_password", "修改口令", "password changed"},
	"set_password":         {"set_password", "重置口令", "password set"},
	"create_user":          {"create_user", "创建用户", "user created"},
	"set_roles":            {"set_roles", "设置角色", "roles set"},
	"set_user_unit":        {"set_user_unit", "调整用户单位", "user's unit set"},
	"disable_user":         {"disable_user", "停用用户", "user disabled"},
	"enable_user":          {"enable_user", "启用用户", "user enabled"},
	"create_token":         {"create_token", "签发令牌", "token issued"},
	"revoke_token":         {"revoke_token", "吊销令牌", "token revoked"},
	"create_unit":          {"create_unit", "创建单位", "unit created"},
	"set_organ":            {"set_organ", "设置决策机关", "organ settings"},
	"activate_rule_pack":   {"activate_rule_pack", "启用规则包", "rule pack activated"},
	"install_rule_pack":    {"install_rule_pack", "安装规则包", "rule pack installed"},
	"update_rule_pack":     {"update_rule_pack", "修改规则包", "rule pack changed"},
	"load_calendar_year":   {"load_calendar_year", "载入工作日历", "calendar year loaded"},
	EvSetNotificationEmail: {EvSetNotificationEmail, "设置提醒邮箱", "reminder e-mail set"},
	EvCommentReceived:      {EvCommentReceived, "收到公众意见", "public comment received"},
	EvCommentsHandled:      {EvCommentsHandled, "处理公众意见", "public comments handled"},
}

// EvRemind is the office's reminder (催办) to the undertaking unit: an
// audited act that is not an event of the procedure (it changes neither
// the state nor the version).
const EvRemind = "remind"

// EvCommentReceived is a comment of the public taken online (an act of
// the anonymous public, with its receipt); EvCommentsHandled is the
// drafter grouping comments into a main opinion or marking them. Neither
// is an event of the procedure: neither changes the state or the version.
const (
	EvCommentReceived = "comment_received"
	EvCommentsHandled = "comments_handled"
)

// EvSetNotificationEmail is a person setting the address their reminders
// are e-mailed to (a security event: it redirects information).
const EvSetNotificationEmail = "set_notification_email"

// AuditEventCodes lists the event codes a filter of the audit trail offers:
// creation, the procedure's events, the reminder and the security and
// administration events.
func AuditEventCodes(p *Procedure) []Label {
	out := []Label{otherEvents["create"]}
	for _, e := range p.Events() {
		out = append(out, Label{e.Name, e.ZH, e.EN})
	}
	for _, k := range []string{EvRemind, "export", "request_refused", "sign_in", "sign_in_failed", "sign_out", "account_locked",
		"unlock_account", "change_password", "set_password", "create_user", "set_roles", "set_user_unit", "disable_user",
		"enable_user", "create_token", "revoke_token", "create_unit", "set_organ", "activate_rule_pack", "install_rule_pack", "update_rule_pack",
		"load_calendar_year", EvSetNotificationEmail, EvCommentReceived, EvCommentsHandled} {
		out = append(out, otherEvents[k])
	}
	return out
}

// RoleLabel labels a role code (the engine's and "self" included).
func RoleLabel(r string) Label {
	for _, l := range AllRoles {
		if l.Code == r {
			return l
		}
	}
	switch r {
	case string(RoleSystem):
		return Label{r, "系统", "system"}
	case "self":
		return Label{r, "本人", "self"}
	case "anonymous":
		return Label{r, "匿名", "anonymous"}
	case "public": // the public's comments (store.PublicActorName)
		return Label{r, "社会公众", "the public"}
	}
	return Label{r, r, r}
}
