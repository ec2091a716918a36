package workflow

// Shared field lists.
var (
	meetingField = Field{Name: "meeting", Kind: KObject, Required: true, Fields: []Field{
		{Name: "meeting_type", Kind: KEnum, Required: true, Enum: MeetingTypes},
		{Name: "held_on", Kind: KDate, Required: true},
		{Name: "attendees", Kind: KTexts, Required: true, MinItems: 1},
		{Name: "opinions", Kind: KObjects, Required: true, MinItems: 1, Fields: []Field{
			{Name: "member", Kind: KText, Required: true},
			{Name: "position", Kind: KEnum, Required: true, Enum: []string{"agree", "disagree", "abstain"}},
			{Name: "text", Kind: KString, Required: true},
			{Name: "is_head", Kind: KBool},
		}},
		{Name: "decision", Kind: KText, Required: true},
		{Name: "departure_reason", Kind: KString},
		// Members who did not attend, each with the reason (Art. 30 ¶3:
		// the meeting is recorded as it happened).
		{Name: "absences", Kind: KObjects, Fields: []Field{
			{Name: "member", Kind: KText, Required: true},
			{Name: "reason", Kind: KText, Required: true}}},
		// People who attended without being members (列席): they state no
		// position.
		{Name: "observers", Kind: KTexts},
	}}
	reasonField    = Field{Name: "reason", Kind: KString}
	adoptionReport = Field{Name: "adoption_report", Kind: KObjects, Required: true, MinItems: 1, Fields: []Field{
		{Name: "opinion", Kind: KText, Required: true},
		{Name: "adopted", Kind: KBool, Required: true},
		{Name: "reason", Kind: KString},
	}}
	// The participation's adoption report: each main opinion names the
	// comments received through the system that it answers (Art. 18).
	participationReport = Field{Name: "adoption_report", Kind: KObjects, Required: true, MinItems: 1, Fields: []Field{
		{Name: "opinion", Kind: KText, Required: true},
		{Name: "adopted", Kind: KBool, Required: true},
		{Name: "reason", Kind: KString},
		{Name: "comments", Kind: KIDs},
	}}
	beforeDecided = []State{StProposed, StDrafting, StPublicParticipation, StExpertReview, StRiskAssessment, StLegalityReview, StCollectiveDecision, StPostponed}
	drafting      = []State{StDrafting, StPublicParticipation, StExpertReview, StRiskAssessment, StLegalityReview}
	office        = []Role{RoleOffice}
	undertaking   = []Role{RoleUndertaking}
	executor      = []Role{RoleExecutor}
)

// MeetingTypes are the only meetings that may decide (Art. 30).
var MeetingTypes = []string{"executive", "plenary"}

// Participation methods (Art. 14 ¶2).
var ParticipationMethods = []string{"symposium", "hearing", "field_visit", "written_consultation", "online_comment", "questionnaire", "opinion_poll", "group_consultation"}

// Categories (Art. 3).
var Categories = []string{"public_policy", "major_plan", "resources_policy", "public_project", "other_major"}

// FlagFields are the decision flags as fields (creation and amend_flags).
var FlagFields = []Field{
	{Name: "category", Kind: KEnum, Required: true, Enum: Categories},
	{Name: "domains", Kind: KEnums, Enum: DomainNames()},
	{Name: "technical", Kind: KBool},
	{Name: "risk_relevant", Kind: KBool},
	{Name: "non_disclosable", Kind: KBool},
	{Name: "affects_market", Kind: KBool},
	{Name: "public_concern", Kind: KBool},
	{Name: "affects_specific_group", Kind: KBool},
	{Name: "catalogue_item_id", Kind: KID},
	{Name: "hearing_required", Kind: KBool},
	{Name: "concerned_units", Kind: KIDs},
}

// eventTable is the procedure of PROCEDURE.md § Events.
var eventTable = []EventDef{
	{Name: EvLaunch, From: []State{StProposed}, To: StDrafting, Roles: office, ZH: "决定启动", EN: "launch", Article: "Art. 10–11",
		Fields: []Field{{Name: "undertaking_unit_id", Kind: KID, Required: true}, {Name: "launch_ref", Kind: KText, Required: true}}},
	{Name: EvDecline, From: []State{StProposed}, To: StNotLaunched, Roles: office, ZH: "不予启动", EN: "decline", Article: "Art. 10",
		Fields: []Field{reasonField}},
	{Name: EvReviseDraft, From: drafting, Roles: undertaking, ZH: "修改草案", EN: "revise the draft", Article: "Art. 12",
		// The draft is a text, or a file uploaded beforehand (document: its hash).
		Fields: []Field{{Name: "text", Kind: KString}, {Name: "document", Kind: KString}, {Name: "note", Kind: KString},
			// After a legal_with_revisions opinion: how each point was
			// handled (Art. 28: 决策承办单位根据合法性审查意见进行必要的调整或者补充).
			{Name: "revision_handling", Kind: KObjects, Fields: []Field{
				{Name: "point", Kind: KText, Required: true}, {Name: "handling", Kind: KText, Required: true}}}}},
	{Name: EvRecordConsultation, From: drafting, Roles: undertaking, ZH: "记录与有关单位协商情况", EN: "record the consultation of the departments concerned", Article: "Art. 13",
		Fields: []Field{{Name: "departments", Kind: KObjects, Required: true, MinItems: 1, Fields: []Field{
			{Name: "unit_id", Kind: KID}, {Name: "name", Kind: KString},
			{Name: "opinion", Kind: KText, Required: true}, {Name: "agreed", Kind: KBool, Required: true},
			{Name: "resolution", Kind: KString}, {Name: "reported_to_organ", Kind: KBool}}},
			{Name: "consulted_on", Kind: KDate}}},
	{Name: EvRecordInternalLegalCheck, From: drafting, Roles: undertaking, ZH: "记录承办单位内部合法性审核", EN: "record the undertaking unit's internal legal check", Article: "Art. 25",
		Fields: []Field{{Name: "findings", Kind: KText, Required: true}, {Name: "checked_on", Kind: KDate, Required: true}}},
	{Name: EvStartParticipation, From: []State{StDrafting}, To: StPublicParticipation, Roles: undertaking, ZH: "启动公众参与", EN: "start public participation", Article: "Art. 14–15",
		Fields: []Field{{Name: "methods", Kind: KEnums, Required: true, MinItems: 1, Enum: ParticipationMethods},
			{Name: "notice", Kind: KObject, Required: true, Fields: []Field{
				{Name: "channels", Kind: KTexts, Required: true, MinItems: 1},
				{Name: "opened_on", Kind: KDate, Required: true},
				{Name: "closes_on", Kind: KDate, Required: true},
				{Name: "shortened_reason", Kind: KString},
				// Art. 15 ¶1: 公布决策草案及其说明 — the explanation published
				// with the draft on the consultation page.
				{Name: "explanation", Kind: KString}}}}},
	{Name: EvWaiveParticipation, From: []State{StDrafting}, To: StExpertReview, Roles: undertaking, ZH: "依法不予公开，免于公众参与", EN: "waive public participation", Article: "Art. 14",
		Fields: []Field{{Name: "legal_basis", Kind: KText, Required: true}}},
	{Name: EvRecordHearing, From: []State{StPublicParticipation}, Roles: undertaking, ZH: "记录听证会", EN: "record a hearing", Article: "Art. 16–17",
		Fields: []Field{{Name: "held_on", Kind: KDate, Required: true}, {Name: "materials_delivered_on", Kind: KDate, Required: true},
			{Name: "participants", Kind: KTexts, Required: true, MinItems: 1}, {Name: "record_signed", Kind: KBool, Required: true}}},
	{Name: EvCompleteParticipation, Reads: []string{EvRecordHearing}, From: []State{StPublicParticipation}, To: StExpertReview, Roles: undertaking, ZH: "完成公众参与", EN: "complete public participation", Article: "Art. 18",
		Fields: []Field{participationReport, {Name: "group_consultation", Kind: KObject, Fields: []Field{
			{Name: "parties", Kind: KTexts, Required: true, MinItems: 1}, {Name: "held_on", Kind: KDate, Required: true},
			{Name: "summary", Kind: KText, Required: true}}}}},
	{Name: EvCompleteExpertReview, From: []State{StExpertReview}, To: StRiskAssessment, Roles: undertaking, ZH: "完成专家论证", EN: "complete expert review", Article: "Art. 19–20",
		Fields: []Field{{Name: "experts", Kind: KObjects, Required: true, MinItems: 1, Fields: []Field{
			{Name: "name", Kind: KText, Required: true}, {Name: "field", Kind: KText, Required: true},
			{Name: "conflict_of_interest", Kind: KBool, Required: true}, {Name: "signed", Kind: KBool, Required: true},
			{Name: "differing_view", Kind: KBool}, {Name: "institution", Kind: KString}}}, adoptionReport,
			{Name: "institution", Kind: KString}}},
	{Name: EvWaiveExpertReview, From: []State{StExpertReview}, To: StRiskAssessment, Roles: undertaking, ZH: "免于专家论证", EN: "waive expert review", Article: "Art. 19",
		Fields: []Field{reasonField}},
	{Name: EvCompleteRiskAssessment, From: []State{StRiskAssessment}, To: StLegalityReview, Roles: undertaking, ZH: "完成风险评估", EN: "complete risk assessment", Article: "Art. 22–24",
		Fields: []Field{{Name: "risk_points", Kind: KTexts}, {Name: "measures", Kind: KTexts}, {Name: "contingency_plan", Kind: KString},
			{Name: "grade", Kind: KEnum, Enum: []string{"low", "medium", "high"}}, {Name: "controllable", Kind: KBool},
			{Name: "prior_assessment_ref", Kind: KString}, {Name: "assessor", Kind: KString}}},
	{Name: EvWaiveRiskAssessment, From: []State{StRiskAssessment}, To: StLegalityReview, Roles: undertaking, ZH: "免于风险评估", EN: "waive risk assessment", Article: "Art. 22; QH (八)",
		Fields: []Field{reasonField}},
	{Name: EvSubmitLegalityReview, Reads: []string{EvRecordConsultation}, From: []State{StLegalityReview}, Roles: undertaking, ZH: "送请合法性审查", EN: "submit for legality review", Article: "Art. 26",
		Fields: []Field{{Name: "submitted_on", Kind: KDate, Required: true}, {Name: "review_due_on", Kind: KDate, Required: true},
			{Name: "materials", Kind: KObject, Required: true, Fields: []Field{
				{Name: "draft", Kind: KBool, Required: true}, {Name: "legal_basis", Kind: KTexts, Required: true, MinItems: 1},
				{Name: "procedure_explanation", Kind: KText, Required: true}}},
			{Name: "urgent_reason", Kind: KString}}},
	{Name: EvReturnLegalitySubmission, From: []State{StLegalityReview}, Roles: []Role{RoleLegalReviewer}, ZH: "退回或要求补充材料", EN: "return the submission", Article: "Art. 26",
		Fields: []Field{reasonField, {Name: "supplements", Kind: KTexts}}},
	{Name: EvRecordLegalityOpinion, From: []State{StLegalityReview}, Roles: []Role{RoleLegalReviewer}, ZH: "出具合法性审查意见", EN: "record the legality opinion", Article: "Art. 27–28",
		Fields: []Field{{Name: "outcome", Kind: KEnum, Required: true, Enum: []string{OutcomeLegal, OutcomeLegalWithRevisions, OutcomeIllegal, OutcomeExploratoryWithRisk}},
			{Name: "findings", Kind: KObject, Required: true, Fields: []Field{
				{Name: "authority", Kind: KText, Required: true}, {Name: "procedure", Kind: KText, Required: true}, {Name: "content", Kind: KText, Required: true}}},
			{Name: "adviser_opinions", Kind: KObjects, Required: true, MinItems: 1, Fields: []Field{
				{Name: "adviser", Kind: KText, Required: true}, {Name: "opinion", Kind: KText, Required: true}}},
			{Name: "risk_statement", Kind: KString},
			// legal_with_revisions: the points to revise (Art. 28).
			{Name: "revisions", Kind: KTexts},
			{Name: "given_on", Kind: KDate}}},
	{Name: EvConfirmRevisions, Reads: []string{EvReviseDraft}, From: []State{StLegalityReview}, Roles: []Role{RoleLegalReviewer}, ZH: "确认已按审查意见修改", EN: "confirm the revisions", Article: "Art. 28",
		Fields: []Field{{Name: "points", Kind: KObjects, Required: true, MinItems: 1, Fields: []Field{
			{Name: "point", Kind: KText, Required: true}, {Name: "handled", Kind: KBool, Required: true}, {Name: "how", Kind: KText, Required: true}}},
			{Name: "confirmed_on", Kind: KDate}}},
	{Name: EvSubmitToMeeting, Reads: []string{EvRecordConsultation}, From: []State{StLegalityReview}, To: StCollectiveDecision, Roles: undertaking, ZH: "提请集体讨论", EN: "submit to the meeting", Article: "Art. 25 ¶2, 29",
		Fields: []Field{{Name: "meeting_type", Kind: KEnum, Required: true, Enum: MeetingTypes}, {Name: "planned_on", Kind: KDate, Required: true},
			{Name: "fair_competition_review", Kind: KString}}},
	{Name: EvApprove, From: []State{StCollectiveDecision}, To: StDecided, Roles: office, ZH: "会议通过", EN: "approve", Article: "Art. 30; QH (九)",
		Fields: []Field{meetingField, {Name: "execution", Kind: KObject, Required: true, Fields: []Field{
			{Name: "units", Kind: KIDs, Required: true, MinItems: 1}, {Name: "time_limit", Kind: KDate, Required: true}, {Name: "feedback", Kind: KText, Required: true}}}}},
	{Name: EvReturnForRevision, From: []State{StCollectiveDecision}, To: StDrafting, Roles: office, ZH: "退回修改", EN: "return for revision", Article: "Art. 30",
		Fields: []Field{meetingField}},
	{Name: EvReject, From: []State{StCollectiveDecision}, To: StRejected, Roles: office, ZH: "会议未通过", EN: "reject", Article: "Art. 30",
		Fields: []Field{meetingField}},
	{Name: EvPostpone, From: []State{StCollectiveDecision}, To: StPostponed, Roles: office, ZH: "暂缓决策", EN: "postpone", Article: "Art. 30",
		Fields: []Field{meetingField, reasonField}},
	{Name: EvResumeDiscussion, From: []State{StPostponed}, To: StCollectiveDecision, Roles: office, ZH: "恢复讨论", EN: "resume discussion", Article: "Art. 25 ¶2"},
	{Name: EvLapse, From: []State{StPostponed}, To: StLapsed, Roles: []Role{RoleSystem, RoleOffice}, ZH: "暂缓失效", EN: "lapse"},
	{Name: EvReportToParty, From: []State{StDecided}, Roles: office, ZH: "向同级党委请示报告", EN: "report to the Party committee", Article: "Art. 31",
		Fields: []Field{{Name: "reported_on", Kind: KDate, Required: true}, {Name: "doc_no", Kind: KText, Required: true}, {Name: "reply", Kind: KString}}},
	{Name: EvPublish, From: []State{StDecided}, To: StPublished, Roles: office, ZH: "公布决策", EN: "publish", Article: "Art. 32",
		Fields: []Field{{Name: "channels", Kind: KObjects, Fields: []Field{
			{Name: "kind", Kind: KEnum, Required: true, Enum: []string{"gazette", "website", "newspaper", "new_media", "press_conference"}},
			{Name: "on", Kind: KDate, Required: true}, {Name: "ref", Kind: KText, Required: true}}},
			{Name: "adoption_explanation", Kind: KString}, {Name: "not_disclosed", Kind: KBool}, {Name: "legal_basis", Kind: KString},
			{Name: "doc_no", Kind: KString}}},
	{Name: EvStartExecution, From: []State{StPublished}, To: StInExecution, Roles: office, ZH: "开始执行", EN: "start execution", Article: "Art. 34"},
	{Name: EvReportExecution, From: []State{StInExecution}, Roles: executor, ZH: "报告执行情况", EN: "report execution", Article: "Art. 34",
		Fields: []Field{{Name: "period", Kind: KText, Required: true}, {Name: "progress", Kind: KText, Required: true}, {Name: "problems", Kind: KString}}},
	{Name: EvReportIssue, From: []State{StInExecution}, Roles: executor, ZH: "报告执行中的问题", EN: "report an issue", Article: "Art. 35",
		Fields: []Field{{Name: "kind", Kind: KEnum, Required: true, Enum: []string{"problem", "major_change", "force_majeure", "public_feedback"}}, {Name: "detail", Kind: KText, Required: true}}},
	{Name: EvSuspend, Reads: []string{EvReportIssue}, From: []State{StInExecution, StPostEvaluation}, To: StSuspended, Roles: []Role{RoleLeader}, ZH: "行政首长决定中止执行", EN: "suspend execution", Article: "Art. 37",
		Fields: []Field{{Name: "urgent_reason", Kind: KText, Required: true}, {Name: "issue_ref", Kind: KID, Required: true}}},
	{Name: EvResume, From: []State{StSuspended}, To: StInExecution, Roles: office, ZH: "恢复执行", EN: "resume execution", Article: "Art. 37",
		Fields: []Field{meetingField}},
	{Name: EvStartEvaluation, From: []State{StInExecution}, To: StPostEvaluation, Roles: office, ZH: "启动决策后评估", EN: "start post-decision evaluation", Article: "Art. 36",
		Fields: []Field{{Name: "trigger", Kind: KEnum, Required: true, Enum: []string{"not_effective", "many_opinions", "organ_deems_necessary"}}, {Name: "evaluator", Kind: KText, Required: true}}},
	{Name: EvCompleteEvaluation, From: []State{StPostEvaluation}, To: StInExecution, Roles: office, ZH: "完成决策后评估", EN: "complete the evaluation", Article: "Art. 36",
		Fields: []Field{{Name: "report", Kind: KText, Required: true}, {Name: "recommendation", Kind: KEnum, Required: true, Enum: []string{"continue", "adjust", "suspend", "stop"}}}},
	{Name: EvStop, From: []State{StInExecution, StSuspended, StPostEvaluation}, To: StStopped, Roles: office, ZH: "停止执行", EN: "stop execution", Article: "Art. 37",
		Fields: []Field{{Name: "meeting", Kind: KObject, Fields: meetingField.Fields}}},
	{Name: EvAdjust, From: []State{StInExecution, StSuspended, StPostEvaluation}, To: StSuperseded, Roles: office, ZH: "重大调整（另行决策）", EN: "major adjustment", Article: "Art. 37",
		Fields: []Field{{Name: "meeting", Kind: KObject, Fields: meetingField.Fields}, reasonField}},
	{Name: EvComplete, From: []State{StInExecution}, To: StCompleted, Roles: office, ZH: "执行完毕", EN: "complete", Article: "Art. 34",
		Fields: []Field{{Name: "summary", Kind: KText, Required: true}}},
	{Name: EvWithdraw, From: beforeDecided, To: StWithdrawn, Roles: office, ZH: "撤回", EN: "withdraw", Article: "Art. 3 ¶3",
		Fields: []Field{reasonField, {Name: "catalogue_adjustment_ref", Kind: KString}}},
	{Name: EvAmendFlags, From: []State{StProposed, StDrafting, StPublicParticipation, StExpertReview, StRiskAssessment, StLegalityReview}, Roles: office, ZH: "变更决策属性", EN: "amend decision flags",
		Fields: append(append([]Field{}, FlagFields...), Field{Name: "reason", Kind: KString})},
	{Name: EvRecordArchive, From: []State{StPublished, StInExecution, StPostEvaluation, StSuspended, StCompleted, StStopped, StSuperseded, StRejected, StWithdrawn, StLapsed, StNotLaunched},
		Roles: office, ZH: "记录归档", EN: "record the archive transfer", Article: "Art. 33",
		Fields: []Field{{Name: "archived_on", Kind: KDate, Required: true}, {Name: "archive_ref", Kind: KText, Required: true}, {Name: "items", Kind: KTexts},
			{Name: "package_hash", Kind: KText, Required: true}}},
}
