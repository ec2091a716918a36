package workflow

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// guardTable lists the legal rules of each event, checked in order after
// the event's minimal data has been validated. docs/rules.md has one row
// per rule with its article and the test that proves it.
func guardTable() map[string][]Guard {
	return map[string][]Guard{
		EvLaunch:                   {unitExists("undertaking_unit_id")},
		EvReviseDraft:              {draftTextOrFile},
		EvDecline:                  {reasonRequired("reason", "Art. 10")},
		EvRecordConsultation:       {consultationUnitsExist, consultationResolved, consultedNotFuture},
		EvRecordInternalLegalCheck: {internalCheckNotFuture},
		EvStartParticipation:       {commentPeriod, noticeDraftRequired},
		EvWaiveParticipation:       {participationWaiver},
		EvRecordHearing:            {hearingHeldNotFuture, hearingNotice, hearingRecordSigned},
		EvCompleteParticipation:    {commentPeriodClosed, participationAdoptionReasons, commentsAnswered, groupConsultation, hearingHeld},
		EvCompleteExpertReview:     {expertsIndependent, expertOpinionsSigned, expertAdoptionReasons},
		EvWaiveExpertReview:        {expertWaiver, reasonRequired("reason", "Art. 19")},
		EvCompleteRiskAssessment:   {riskReport, riskReassessment},
		EvWaiveRiskAssessment:      {riskWaiver, riskFindingOpen, reasonRequired("reason", "Art. 22")},
		EvSubmitLegalityReview:     {submissionDraftRequired, legalityMaterials, reviewTime, submittedAfterCommentPeriod, consultationsDone},
		EvReturnLegalitySubmission: {reasonRequired("reason", "Art. 26"), pendingSubmission},
		EvRecordLegalityOpinion:    {pendingSubmission, submissionCurrent, exploratoryRiskStatement, revisionPointsListed, opinionDated},
		EvConfirmRevisions:         {revisionsRequested, revisionsHandled, confirmationDated},
		EvSubmitToMeeting:          {legalityPassed, meetingPack, meetingAfterReview("planned_on")},
		EvApprove:                  {meetingRecord, meetingAfterReview("meeting.held_on"), executionArrangements},
		EvReturnForRevision:        {meetingRecord, meetingAfterReview("meeting.held_on")},
		EvReject:                   {meetingRecord, meetingAfterReview("meeting.held_on")},
		EvPostpone:                 {meetingRecord, meetingAfterReview("meeting.held_on"), reasonRequired("reason", "Art. 30")},
		EvResumeDiscussion:         {legalityPassed},
		EvLapse:                    {lapseDue},
		EvReportToParty:            {reportedNotFuture, reportedAfterMeeting},
		EvPublish:                  {partyReported, partyReplied, publication, docNoFormat},
		EvStartExecution:           {executionUnitsNamed},
		EvSuspend:                  {headOnly, issueLinked},
		EvResume:                   {meetingRecord, meetingAfterDecision},
		EvStop:                     {meetingRequired, meetingRecord, meetingAfterDecision},
		EvAdjust:                   {meetingRequired, meetingRecord, meetingAfterDecision, reasonRequired("reason", "Art. 37")},
		EvWithdraw:                 {reasonRequired("reason", "Art. 3 ¶3"), catalogueAdjustment},
		EvAmendFlags:               {reasonRequired("reason", "PROCEDURE § Decision flags"), concernedUnitsExist, catalogueLink},
		EvRecordArchive:            {archivedNotFuture, archivePackageExported},
	}
}

// Guard codes (PROCEDURE.md § Events). They are an API contract.
const (
	CodeReasonRequired          = "reason_required"
	CodeCommentPeriodTooShort   = "comment_period_too_short"
	CodeWaiverNotAllowed        = "waiver_not_allowed"
	CodeHearingNoticeTooShort   = "hearing_notice_too_short"
	CodeCommentPeriodOpen       = "comment_period_open"
	CodeExpertConflict          = "expert_conflict_of_interest"
	CodeRiskNotControllable     = "risk_not_controllable"
	CodeReviewTimeTooShort      = "review_time_too_short"
	CodeLegalityReviewRequired  = "legality_review_required"
	CodeLegalityReviewFailed    = "legality_review_failed"
	CodeLegalityReviewStale     = "legality_review_stale"
	CodeMeetingPackIncomplete   = "meeting_pack_incomplete"
	CodeHeadMustSpeakLast       = "head_must_speak_last"
	CodeDepartureReasonRequired = "departure_reason_required"
	CodePartyReportRequired     = "party_report_required"
	CodeEvaluatorNotIndependent = "evaluator_not_independent"
	CodeProcedureRequired       = "procedure_required"
	CodeNoPendingSubmission     = "legality_submission_required"
	CodeRiskStatementRequired   = "risk_statement_required"

	// Codes PROCEDURE.md does not name; each has a row in docs/rules.md.
	CodeDraftRequired               = "draft_required"
	CodeHearingRecordUnsigned       = "hearing_record_unsigned"
	CodeAdoptionReasonRequired      = "adoption_reason_required"
	CodeGroupConsultationRequired   = "group_consultation_required"
	CodeExpertOpinionUnsigned       = "expert_opinion_unsigned"
	CodeLegalityMaterialsIncomplete = "legality_materials_incomplete"
	CodeLegalitySubmissionStale     = "legality_submission_stale"
	CodeMeetingDecisionMismatch     = "meeting_decision_mismatch"
	CodeDisclosureRequired          = "disclosure_required"
	CodeNonDisclosureBasisRequired  = "legal_basis_required"
	CodePublicationChannelRequired  = "publication_channel_required"
	CodeAdoptionExplanationRequired = "adoption_explanation_required"
	CodeExecutionUnitsRequired      = "execution_units_required"
	CodeHeadRequired                = "head_required"
	CodeIssueReportRequired         = "issue_report_required"
	CodeLapseNotDue                 = "lapse_not_due"
	CodeCatalogueAdjustmentRequired = "catalogue_adjustment_required"
	CodeArchivePackageUnknown       = "archive_package_unknown"

	// Codes of the second pass (docs/rules.md).
	CodeWaiverNoLongerLawful       = "waiver_no_longer_lawful"
	CodeLegalityRevisionsPending   = "legality_revisions_pending"
	CodeRevisionsNotRequested      = "legality_revisions_not_requested"
	CodeRiskReassessmentNeedsDraft = "risk_reassessment_requires_revision"
	CodeDateOutOfOrder             = "date_out_of_order"
	CodeDateBeforeRegulation       = "date_before_regulation"
	CodeMemberPositionRequired     = "member_position_required"
	CodeHeadPositionMismatch       = "head_position_mismatch"
	CodeConsultationRequired       = "consultation_required"
	CodeConsultationUnresolved     = "consultation_resolution_required"
	CodeHearingRequired            = "hearing_required"
	CodePartyReplyRequired         = "party_reply_required"
)

// Warning codes: the act is allowed and recorded, with the warning in the
// outcome (Outcome.Warnings) and in the record's data ("warnings").
const (
	WarnNoDifferingExpert = "no_differing_expert"
	WarnWaiverRevoked     = "waiver_revoked"
)

func reasonRequired(field, article string) Guard {
	return func(f *Facts, a *Act) error {
		if str(a.Data, field) == "" {
			return RuleError(CodeReasonRequired, article,
				"办理此事项须说明理由（"+field+"）", "a reason is required ("+field+")")
		}
		return nil
	}
}

func unitExists(field string) Guard {
	return func(f *Facts, a *Act) error {
		u, ok := f.Units[id(a.Data, field)]
		if !ok || u.Kind != "unit" {
			return dataErr(field, "所指单位不存在", "no such unit")
		}
		if OrganOf(f.Units, u.ID) != f.Decision.OrganID {
			return dataErr(field, "所指单位不属于本决策机关", "the unit does not belong to this decision's organ")
		}
		return nil
	}
}

// commentPeriod: Art. 15 — the public comment period is in general no
// shorter than 30 days; a shorter one needs its reason stated.
func commentPeriod(f *Facts, a *Act) error {
	n := obj(a.Data, "notice")
	opened, closes := date(n, "opened_on"), date(n, "closes_on")
	if !closes.After(opened) {
		return dataErr("notice.closes_on", "截止日期应晚于公开日期", "closes_on must be after opened_on")
	}
	min := f.Rules.CommentPeriodDays
	if min == 0 {
		min = 30
	}
	if DaysBetween(opened, closes) < min && str(n, "shortened_reason") == "" {
		return RuleError(CodeCommentPeriodTooShort, "Art. 15",
			fmt.Sprintf("《重大行政决策程序暂行条例》第十五条：公开征求意见期限一般不少于%d日；本次仅%d日，缩短期限须说明理由", min, DaysBetween(opened, closes)),
			fmt.Sprintf("Art. 15: the comment period must be at least %d days (this one is %d) unless a reason for shortening is given", min, DaysBetween(opened, closes)))
	}
	return nil
}

// participationWaiver: Art. 14 — only a decision lawfully not disclosed may
// skip public participation.
func participationWaiver(f *Facts, a *Act) error {
	if !f.Decision.NonDisclosable {
		return RuleError(CodeWaiverNotAllowed, "Art. 14",
			"《重大行政决策程序暂行条例》第十四条：只有依法不予公开的决策事项才可不听取社会公众意见",
			"Art. 14: public participation may be waived only for a decision lawfully not disclosed")
	}
	return nil
}

// reviewTime: Art. 26 — the legality-review body must get at least 7
// working days; the submission day does not count.
func reviewTime(f *Facts, a *Act) error {
	sub, due := date(a.Data, "submitted_on"), date(a.Data, "review_due_on")
	if sub.After(f.Today()) {
		return dataErr("submitted_on", "送审日期不能晚于今天", "submitted_on cannot be in the future")
	}
	if str(a.Data, "urgent_reason") != "" {
		if due.Before(sub) {
			return dataErr("review_due_on", "审查期限不能早于送审日期", "review_due_on cannot precede submitted_on")
		}
		return nil
	}
	n := f.Rules.ReviewWorkingDays
	if n == 0 {
		n = 7
	}
	if f.Calendar == nil {
		return Errorf(CodeInternal, "工作日历未加载", "no working-day calendar loaded")
	}
	earliest, err := f.Calendar.AddWorkdays(sub, n)
	if err != nil {
		return err
	}
	if due.Before(earliest) {
		return RuleError(CodeReviewTimeTooShort, "Art. 26",
			fmt.Sprintf("《重大行政决策程序暂行条例》第二十六条：合法性审查时间一般不少于%d个工作日；%s送审的，审查期限不得早于%s", n, FormatDate(sub), FormatDate(earliest)),
			fmt.Sprintf("Art. 26: legality review needs at least %d working days; submitted on %s, the due date must be %s or later", n, FormatDate(sub), FormatDate(earliest)))
	}
	return nil
}

// pendingSubmission: Art. 26–28 — there is a submission not yet answered
// by a return or an opinion.
func pendingSubmission(f *Facts, a *Act) error {
	if pendingSubmissionRecord(f) == nil {
		return RuleError(CodeNoPendingSubmission, "Art. 26",
			"尚无待审查的合法性审查送审材料", "there is no pending legality-review submission")
	}
	return nil
}

// pendingSubmissionRecord is the submission not yet answered by a return,
// an opinion, a meeting's return for revision or a send-back, or nil.
func pendingSubmissionRecord(f *Facts) *Record {
	r := f.lastLegalityAct(EvSubmitLegalityReview, EvReturnLegalitySubmission, EvRecordLegalityOpinion)
	if r == nil || r.Event != EvSubmitLegalityReview {
		return nil
	}
	return r
}

// exploratoryRiskStatement: Art. 25 ¶2 — an exploratory reform may go to
// the meeting only with its legal risks stated.
func exploratoryRiskStatement(f *Facts, a *Act) error {
	if str(a.Data, "outcome") == OutcomeExploratoryWithRisk && str(a.Data, "risk_statement") == "" {
		return RuleError(CodeRiskStatementRequired, "Art. 25 ¶2",
			"《重大行政决策程序暂行条例》第二十五条：探索性改革决策事项须明示法律风险（risk_statement）",
			"Art. 25 ¶2: an exploratory reform needs its legal risk statement (risk_statement)")
	}
	return nil
}

// legalityPassed is THE CORE INVARIANT — Art. 25 ¶2: 未经合法性审查或者经审查
// 不合法的，不得提交决策机关讨论. The latest opinion that counts must exist,
// must not be illegal, and must have been given on the current draft.
// The database enforces the same rule with a trigger.
func legalityPassed(f *Facts, a *Act) error {
	r, op := f.LatestOpinion()
	switch {
	case op == nil:
		return RuleError(CodeLegalityReviewRequired, "Art. 25 ¶2",
			"《重大行政决策程序暂行条例》第二十五条：决策草案未经合法性审查的，不得提交决策机关讨论",
			"Art. 25 ¶2: a draft that has not passed legality review may not be submitted to the meeting")
	case op.Outcome == OutcomeIllegal:
		return RuleError(CodeLegalityReviewFailed, "Art. 25 ¶2",
			"《重大行政决策程序暂行条例》第二十五条：经审查不合法的决策草案，不得提交决策机关讨论",
			"Art. 25 ¶2: a draft found illegal in legality review may not be submitted to the meeting")
	case op.Outcome == OutcomeLegalWithRevisions:
		// Art. 28: the opinion is followed — the draft revised and the
		// revision confirmed by the review body on that very draft.
		c := f.Confirmation(r)
		switch {
		case c == nil:
			return RuleError(CodeLegalityRevisionsPending, "Art. 28",
				"《重大行政决策程序暂行条例》第二十八条：决策承办单位根据合法性审查意见进行必要的调整或者补充；审查意见要求修改（legal_with_revisions），草案须按意见修改并经合法性审查部门确认（confirm_revisions）后，方可提交决策机关讨论",
				"Art. 28: the legality opinion asks for revisions (legal_with_revisions); the draft must be revised and the review body must confirm the revisions (confirm_revisions) before it goes to the meeting")
		case c.DraftHash != f.Decision.CurrentDraftHash:
			return RuleError(CodeLegalityReviewStale, "Art. 25 ¶2, 28",
				"合法性审查部门确认的是旧版修改稿，草案此后又经修改，须重新送审或重新确认（《重大行政决策程序暂行条例》第二十五条、第二十八条）",
				"Art. 25 ¶2, 28: the review body confirmed an earlier revision; the draft was revised again and must be reviewed or confirmed again")
		}
	case op.DraftHash != f.Decision.CurrentDraftHash:
		return RuleError(CodeLegalityReviewStale, "Art. 25 ¶2",
			"合法性审查意见针对的是旧版草案，草案修改后须重新送审（《重大行政决策程序暂行条例》第二十五条）",
			"Art. 25 ¶2: the legality opinion was given on an earlier draft; the current draft must be reviewed again")
	case op.Outcome == OutcomeExploratoryWithRisk && strings.TrimSpace(op.RiskStatement) == "":
		return RuleError(CodeRiskStatementRequired, "Art. 25 ¶2",
			"探索性改革决策事项须明示法律风险后方可提交讨论", "an exploratory reform may go to the meeting only with its legal risk statement")
	}
	return nil
}

// partyReported: Art. 31 — the decision is reported to the Party committee
// at the same level before it is issued.
func partyReported(f *Facts, a *Act) error {
	if f.Last(EvReportToParty) == nil {
		return RuleError(CodePartyReportRequired, "Art. 31",
			"《重大行政决策程序暂行条例》第三十一条：重大行政决策出台前应当向同级党委请示报告",
			"Art. 31: the decision must be reported to the Party committee before publication")
	}
	return nil
}

// meetingRequired: Art. 37 — a lawful decision is not changed or stopped
// without the statutory procedure (the organ's meeting).
func meetingRequired(f *Facts, a *Act) error {
	if obj(a.Data, "meeting") == nil {
		return RuleError(CodeProcedureRequired, "Art. 37",
			"《重大行政决策程序暂行条例》第三十七条：依法作出的重大行政决策，未经法定程序不得随意变更或者停止执行（须附会议记录）",
			"Art. 37: a decision is not changed or stopped without the statutory procedure (a meeting record is required)")
	}
	return nil
}

// effectTable lists what each event does beyond the state change.
func effectTable() map[string][]Effect {
	return map[string][]Effect{
		EvLaunch:                 {setUndertakingUnit},
		EvReviseDraft:            {newDraft},
		EvCompleteExpertReview:   {differingExpertWarning},
		EvCompleteRiskAssessment: {riskFinding},
		EvSubmitToMeeting:        {meetingPackRecord},
		EvApprove:                {func(f *Facts, a *Act, o *Outcome) { o.ExecutionUnitIDs = ids(obj(a.Data, "execution"), "units") }},
		EvRecordLegalityOpinion:  {recordOpinion},
		EvConfirmRevisions:       {recordConfirmation},
		EvReturnForRevision:      {func(f *Facts, a *Act, o *Outcome) { o.ResetLegality = true }},
		EvAmendFlags:             {amendFlags, catalogueRequirements, recheckWaivers},
		EvAdjust:                 {spawnAdjustment},
	}
}

func setUndertakingUnit(f *Facts, a *Act, o *Outcome) {
	u := id(a.Data, "undertaking_unit_id")
	o.UndertakingUnitID = &u
}

// DraftHash is the SHA-256 of a draft text, hex.
func DraftHash(text string) string {
	h := sha256.Sum256([]byte(text))
	return hex.EncodeToString(h[:])
}

func newDraft(f *Facts, a *Act, o *Outcome) {
	if doc := str(a.Data, "document"); doc != "" {
		// A file draft: its hash is the draft's; the file is attached to
		// this act like any document, so it is kept and downloadable.
		d := &Draft{SHA256: doc, Note: str(a.Data, "note"), AuthorID: a.Actor.UserID, At: f.Now}
		o.NewDraft, o.DraftHash = d, doc
		o.Data["sha256"] = doc
		docs, _ := o.Data["documents"].([]any)
		o.Data["documents"] = append(docs, map[string]any{"hash": doc, "title": "决策草案（文件） / draft (file)"})
		return
	}
	text, _ := a.Data["text"].(string)
	d := &Draft{SHA256: DraftHash(text), Text: text, Note: str(a.Data, "note"), AuthorID: a.Actor.UserID, At: f.Now}
	o.NewDraft = d
	o.DraftHash = d.SHA256
	// The text lives in the draft table; the record and audit carry its hash.
	delete(o.Data, "text")
	o.Data["sha256"] = d.SHA256
	o.Data["length"] = len(text)
}

// draftTextOrFile: Art. 12 — a draft version is a text or a file, one of
// the two.
func draftTextOrFile(f *Facts, a *Act) error {
	text, doc := str(a.Data, "text"), str(a.Data, "document")
	switch {
	case text == "" && doc == "":
		return dataErr("text", "请填写草案全文（text）或上传草案文件（document）", "give the draft's text (text) or its uploaded file (document)")
	case text != "" && doc != "":
		return dataErr("document", "草案全文与草案文件只能二选一", "give the draft's text or its file, not both")
	case doc != "" && !ValidHash(doc):
		return dataErr("document", "应为已上传文件的64位十六进制摘要", "must be the 64-hex-digit digest of an uploaded file")
	}
	return nil
}

func recordOpinion(f *Facts, a *Act, o *Outcome) {
	o.Opinion = &Opinion{Outcome: str(a.Data, "outcome"), DraftHash: f.Decision.CurrentDraftHash, RiskStatement: str(a.Data, "risk_statement"),
		Kind: OpinionKindOpinion}
}

// recordConfirmation: Art. 28 — the review body's confirmation that its
// legal_with_revisions opinion was followed is kept beside the opinions
// (kind confirmation), bound to the revised draft, so that the database's
// core-invariant trigger sees it too.
func recordConfirmation(f *Facts, a *Act, o *Outcome) {
	o.Opinion = &Opinion{Outcome: OutcomeLegalWithRevisions, DraftHash: f.Decision.CurrentDraftHash, Kind: OpinionKindConfirmation}
}

func amendFlags(f *Facts, a *Act, o *Outcome) {
	fl := FlagsFrom(a.Data)
	o.Flags = &fl
}

// FlagsFrom reads validated flag fields.
func FlagsFrom(m map[string]any) Flags {
	fl := Flags{Category: str(m, "category"), Domains: texts(m, "domains"),
		Technical: boolean(m, "technical"), RiskRelevant: boolean(m, "risk_relevant"), NonDisclosable: boolean(m, "non_disclosable"),
		AffectsMarket: boolean(m, "affects_market"), PublicConcern: boolean(m, "public_concern"), AffectsSpecificGroup: boolean(m, "affects_specific_group"), HearingRequired: boolean(m, "hearing_required")}
	if fl.Domains == nil {
		fl.Domains = []string{}
	}
	fl.ConcernedUnits = ids(m, "concerned_units")
	if fl.ConcernedUnits == nil {
		fl.ConcernedUnits = []int64{}
	}
	if n := id(m, "catalogue_item_id"); n > 0 {
		fl.CatalogueItemID = &n
	}
	return fl
}

// spawnAdjustment: Art. 37 — a major adjustment runs the procedure again as
// a new decision in drafting, linked to this one.
func spawnAdjustment(f *Facts, a *Act, o *Outcome) {
	d := f.Decision
	parent := d.ID
	o.Spawn = &Decision{Title: d.Title + "（调整）", OrganID: d.OrganID, UndertakingUnitID: d.UndertakingUnitID,
		Flags: d.Flags, State: StDrafting, Version: 1, ParentID: &parent, CreatedBy: a.Actor.UserID}
}

// archivePackageExported: Art. 33; QH (九) 归档留存 — the archive transfer
// names the package handed over (package_hash), which must be an archive
// package exported for this decision.
func archivePackageExported(f *Facts, a *Act) error {
	h := str(a.Data, "package_hash")
	if contains(f.ArchivePackages, h) {
		return nil
	}
	return RuleError(CodeArchivePackageUnknown, "Art. 33; QH (九)",
		"《重大行政决策程序暂行条例》第三十三条：决策机关应当将决策过程中形成的材料归档；package_hash 不是本决策已导出的归档包（请先导出归档包：decisiond archive export 或 GET /api/v1/decisions/{id}/archive）",
		"Art. 33: package_hash is not an archive package exported for this decision (export it first: decisiond archive export or GET /api/v1/decisions/{id}/archive)")
}

// archivedNotFuture: Art. 33 — the archive transfer is recorded as done, so
// its date is not in the future (PROCEDURE.md § Time).
func archivedNotFuture(f *Facts, a *Act) error {
	return notFuture(f, "archived_on", date(a.Data, "archived_on"), "归档日期", "archived_on")
}
