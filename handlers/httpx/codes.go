package httpx

import (
	"decisiond/store"
	"decisiond/workflow"
)

// CodeDoc documents one stable error code for the API description
// (/api/v1/openapi.json): what it means, in Chinese and in English. Its
// HTTP status is StatusOf(Code).
type CodeDoc struct {
	Code string
	ZH   string
	EN   string
}

// Codes is every error code a problem+json answer carries, in the order
// of PROCEDURE.md § Errors, then the legal rules (docs/rules.md), then the
// HTTP layer and the storage. A code the engine gives and this list lacks
// fails TestOpenAPIListsEveryErrorCode (it scans the source): add its row
// here.
var Codes = []CodeDoc{
	// PROCEDURE.md § Errors.
	{workflow.CodeValidationFailed, "请求体或字段格式有误；errors[] 逐项列出有误的字段", "malformed body or field; errors[] lists each bad field"},
	{workflow.CodeUnauthenticated, "未提供凭据或凭据无效", "no or bad credentials"},
	{workflow.CodeForbidden, "调用者的角色无权办理此事项，或可见该决策但无权办理（单位、职责分离；rule 字段指明规则）", "none of the caller's roles may do this, or the caller sees the decision but may not act on it (unit, separation of duties; rule names the rule)"},
	{workflow.CodeNotFound, "不存在，或不在调用者可见范围内（不泄露其存在）", "no such thing, or outside the caller's scope (existence is not leaked)"},
	{workflow.CodeInvalidTransition, "当前状态不允许此事项", "the event is not allowed from the current state"},
	{workflow.CodeVersionConflict, "expected_version 不是当前版本号", "expected_version is not the current version"},
	{workflow.CodeInternal, "系统内部错误（不泄露内部细节，按 request_id 查日志）", "internal error (no internals leak; the request_id leads to the log line)"},

	// The legal rules (docs/rules.md): HTTP 422, with the article.
	{workflow.CodeReasonRequired, "不予启动、变更决策属性等须说明理由", "a decline, a flag amendment and the like need a reason"},
	{workflow.CodeCommentPeriodTooShort, "公开征求意见期限不足30日且未说明缩短理由（条例第十五条）", "the comment period is shorter than 30 days without a reason (Art. 15)"},
	{workflow.CodeWaiverNotAllowed, "依法不得免于该程序（依法不予公开、专业性技术性、风险评估必评领域）", "the stage may not lawfully be waived (Art. 14, 19, 22; QH (八))"},
	{workflow.CodeHearingNoticeTooShort, "听证材料未于听证会7日前送达（条例第十六条）", "hearing materials were not delivered 7 days before the hearing (Art. 16)"},
	{workflow.CodeCommentPeriodOpen, "征求意见期尚未届满，不能完成公众参与（条例第十五条）", "the comment period is still open (Art. 15)"},
	{workflow.CodeCommentsUnanswered, "仍有公众意见未归入主要意见或未标注，不能完成公众参与（条例第十八条）", "comments are still neither grouped into a main opinion nor marked (Art. 18)"},
	{workflow.CodeConsultationClosed, "该草案不在公开征求意见期内，或决策已离开公众参与阶段", "the draft is not open for comment, or the decision has left public participation"},
	{workflow.CodeExpertConflict, "专家与决策事项有直接利害关系（条例第二十条）", "an expert has a direct interest in the decision (Art. 20)"},
	{workflow.CodeRiskNotControllable, "风险评估认为风险不可控，应调整草案后重新评估（条例第二十四条）", "the risks were found not controllable; revise the draft and assess again (Art. 24)"},
	{workflow.CodeReviewTimeTooShort, "合法性审查时间少于7个工作日且未说明紧急理由（条例第二十六条）", "less than 7 working days for the legality review without an urgent reason (Art. 26)"},
	{workflow.CodeLegalityReviewRequired, "未经合法性审查，不得提交决策机关讨论（条例第二十五条第二款）", "no legality opinion: the draft may not go to the meeting (Art. 25 ¶2)"},
	{workflow.CodeLegalityReviewFailed, "经审查不合法，不得提交决策机关讨论（条例第二十五条第二款）", "the legality opinion is illegal: the draft may not go to the meeting (Art. 25 ¶2)"},
	{workflow.CodeLegalityReviewStale, "合法性审查意见针对的不是当前草案", "the legality opinion was not given on the current draft"},
	{workflow.CodeMeetingPackIncomplete, "提交讨论的材料不全（条例第二十九条）", "the meeting pack is incomplete (Art. 29)"},
	{workflow.CodeHeadMustSpeakLast, "行政首长应最后发表意见（条例第三十条第二款）", "the head must speak last (Art. 30 ¶2)"},
	{workflow.CodeDepartureReasonRequired, "决定与多数人意见不一致，应说明理由（条例第三十条第二款）", "a decision against the majority needs its reason (Art. 30 ¶2)"},
	{workflow.CodePartyReportRequired, "出台前应向同级党委请示报告（条例第三十一条）", "the Party committee report comes before publication (Art. 31)"},
	{workflow.CodeEvaluatorNotIndependent, "决策后评估不得由承担决策前主要论证评估工作的单位开展（条例第三十六条第二款）", "the evaluator did the main pre-decision assessment work (Art. 36 ¶2)"},
	{workflow.CodeProcedureRequired, "未经法定程序不得停止执行或重大调整（条例第三十七条）", "stopping or adjusting needs the statutory procedure (Art. 37)"},
	{workflow.CodeNoPendingSubmission, "没有待审查的合法性审查送审", "no legality submission is pending"},
	{workflow.CodeRiskStatementRequired, "探索性改革事项须明示法律风险", "an exploratory reform needs its risk statement (Art. 25 ¶2)"},
	{workflow.CodeDraftRequired, "尚无决策草案", "no draft has been recorded"},
	{workflow.CodeHearingRecordUnsigned, "听证会记录未经参加人确认签字（条例第十七条）", "the hearing record is not signed (Art. 17)"},
	{workflow.CodeAdoptionReasonRequired, "未采纳的意见须说明理由（条例第十八条）", "an opinion not adopted needs its reason (Art. 18)"},
	{workflow.CodeGroupConsultationRequired, "涉及特定群体利益的，应与相关团体和群众代表沟通协商（条例第十四条第三款）", "a decision affecting a specific group needs the group consultation (Art. 14 ¶3)"},
	{workflow.CodeExpertOpinionUnsigned, "书面论证意见应署名、盖章（条例第十九条第二款）", "written expert opinions are signed (Art. 19 ¶2)"},
	{workflow.CodeLegalityMaterialsIncomplete, "送审材料不全（条例第二十六条）", "the legality review materials are incomplete (Art. 26)"},
	{workflow.CodeLegalitySubmissionStale, "送审后草案已修改，应重新送审", "the draft was revised after the submission; submit it again"},
	{workflow.CodeMeetingDecisionMismatch, "会议记录的决定与所办事项不一致（条例第三十条第三款）", "the meeting record's decision is not this act (Art. 30 ¶3)"},
	{workflow.CodeDisclosureRequired, "仅依法不予公开的决策可不公开（条例第三十二条）", "only a lawfully non-disclosable decision is withheld (Art. 32)"},
	{workflow.CodeNonDisclosureBasisRequired, "不予公开须写明法律依据", "non-disclosure needs its legal basis (Art. 32)"},
	{workflow.CodePublicationChannelRequired, "公布须有公布途径（条例第三十二条）", "publication needs a channel (Art. 32)"},
	{workflow.CodeAdoptionExplanationRequired, "公众普遍关心或专业性较强的，应说明意见采纳情况（条例第三十二条）", "a decision of public concern or technical needs the adoption explanation (Art. 32)"},
	{workflow.CodeExecutionUnitsRequired, "须明确决策执行单位（条例第三十四条）", "the execution units are named first (Art. 34; QH (九))"},
	{workflow.CodeHeadRequired, "仅决策机关行政首长可决定中止执行（条例第三十七条）", "only the organ's head suspends execution (Art. 37)"},
	{workflow.CodeIssueReportRequired, "中止执行须依据已报告的执行问题（条例第三十五条、第三十七条）", "a suspension names a reported issue (Art. 35, 37)"},
	{workflow.CodeLapseNotDue, "暂缓期限未满，尚不能失效", "the postponement has not reached the rule pack's lapse period"},
	{workflow.CodeCatalogueAdjustmentRequired, "撤回目录内事项须有目录调整依据（条例第三条第三款）", "withdrawing a catalogue item needs the catalogue adjustment (Art. 3 ¶3)"},
	{workflow.CodeArchivePackageUnknown, "所移交的不是本决策导出的归档包（条例第三十三条）", "the package is not an archive package exported for this decision (Art. 33)"},
	{workflow.CodeWaiverNoLongerLawful, "免于程序的决定按现行属性和规则包已不合法", "a waiver is no longer lawful under the flags and rule pack in force"},
	{workflow.CodeLegalityRevisionsPending, "审查意见要求的修改尚未经审查机构确认（条例第二十八条）", "the revisions the opinion asked for are not yet confirmed (Art. 28)"},
	{workflow.CodeRevisionsNotRequested, "最近的审查意见未要求修改", "the latest opinion asked for no revisions"},
	{workflow.CodeRiskReassessmentNeedsDraft, "风险不可控后须先修改草案再评估（条例第二十四条）", "revise the draft before assessing again (Art. 24)"},
	{workflow.CodeDateOutOfOrder, "日期先后顺序不符合程序", "the dates are out of the procedure's order"},
	{workflow.CodeDateBeforeRegulation, "日期早于条例施行日（2019年9月1日）或规则包的最早日期", "a date precedes the regulation (2019-09-01) or the rule pack's earliest date"},
	{workflow.CodeMemberPositionRequired, "每位出席的会议组成人员都应表明意见（条例第三十条）", "every attending member states a position (Art. 30)"},
	{workflow.CodeHeadPositionMismatch, "行政首长本人意见与所作决定不一致（条例第三十条）", "the head's own position contradicts the decision (Art. 30)"},
	{workflow.CodeConsultationRequired, "涉及有关部门职责的，应先与其协商（条例第十三条）", "the departments concerned are consulted first (Art. 13)"},
	{workflow.CodeConsultationUnresolved, "协商未取得一致的，应说明处理情况（条例第十三条）", "a disagreement needs its resolution (Art. 13)"},
	{workflow.CodeHearingRequired, "选定或要求的听证会尚未举行", "a hearing chosen or required has not been held (Art. 16; QH (八))"},
	{workflow.CodePartyReplyRequired, "规则包要求公布前取得党委答复", "the rule pack requires the Party committee's reply before publication (Art. 31)"},
	{workflow.CodeCalendarYearUnknown, "该年度的法定节假日安排尚未载入，不推算", "the year's official holiday calendar is not loaded; it is never guessed"},
	{workflow.CodePartyConsentRequired, "目录须经同级党委同意后公布（条例第三条第三款）", "the catalogue is published after the Party committee's consent (Art. 3 ¶3)"},
	{workflow.CodeCatalogueItemsRequired, "目录至少应列一项", "the catalogue lists at least one item"},
	{workflow.CodeCatalogueAdjustmentEmpty, "目录调整至少应有一项变动", "an adjustment adds, changes or removes at least one item"},

	// The HTTP layer.
	{CodePayloadTooLarge, "请求体或文件超过上限", "the body or the file exceeds the limit"},
	{CodeMethodNotAllowed, "该地址不支持此请求方法", "the route does not take this method"},
	{CodeRateLimited, "请求过于频繁，请按 Retry-After 稍后重试", "too many requests; retry after Retry-After seconds"},
	{store.CodeDocumentType, "文件类型不允许（按内容识别；仅 PDF、OFD、DOCX、XLSX、JPEG、PNG）", "file type not allowed (sniffed from the content; PDF, OFD, DOCX, XLSX, JPEG, PNG only)"},

	// The storage (503): nothing was written; retry once an operator acts.
	{store.CodeStorageFull, "数据库所在磁盘已满，未写入任何内容", "the database's disk is full; nothing was written"},
	{store.CodeStorageReadOnly, "数据库只读，未写入任何内容", "the database is read-only; nothing was written"},
	{store.CodeSigningKeyMissing, "本部署未配置签名密钥，不能导出签名的归档包", "the deployment has no signing key for signed archive packages"},
}
