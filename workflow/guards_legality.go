package workflow

// Legality review (合法性审查), Art. 25–28. The review time (Art. 26 ¶2),
// the pending submission, the reviewer's independence, the exploratory risk
// statement and the core invariant are in guards.go.

var submissionDraftRequired = draftRequired("Art. 26 ¶1",
	"第二十六条：送请合法性审查，应当提供决策草案及相关材料")

// legalityMaterials: Art. 26 ¶1 — 送请合法性审查，应当提供决策草案及相关材料，
// 包括有关法律、法规、规章等依据和履行决策法定程序的说明等. The legal basis
// list (≥ 1) and the procedure explanation are required fields; the draft
// must be declared as enclosed.
func legalityMaterials(f *Facts, a *Act) error {
	if !boolean(obj(a.Data, "materials"), "draft") {
		return RuleError(CodeLegalityMaterialsIncomplete, "Art. 26 ¶1",
			"《重大行政决策程序暂行条例》第二十六条：送请合法性审查，应当提供决策草案及相关材料；送审材料未附决策草案（materials.draft）",
			"Art. 26 ¶1: a legality-review submission must enclose the draft (materials.draft), the legal basis and the explanation of the procedures performed")
	}
	return nil
}

// submissionCurrent: Art. 26 ¶1, 27 — the opinion is given on the draft that
// was submitted. When the draft was revised after the pending submission, the
// new draft must be submitted again before an opinion can be recorded.
func submissionCurrent(f *Facts, a *Act) error {
	r := pendingSubmissionRecord(f)
	if r == nil {
		return nil // pendingSubmission refuses this
	}
	if r.DraftHash != f.Decision.CurrentDraftHash {
		return RuleError(CodeLegalitySubmissionStale, "Art. 26 ¶1",
			"《重大行政决策程序暂行条例》第二十六条：合法性审查针对送审的决策草案；送审后草案已经修改，须将修改后的草案重新送请合法性审查",
			"Art. 26 ¶1: the draft was revised after it was submitted for legality review; the revised draft must be submitted again before an opinion is recorded")
	}
	return nil
}

// revisionPointsListed: Art. 28 — an opinion that asks for revisions names
// each point to revise (revisions[]), so that each can be followed and
// confirmed.
func revisionPointsListed(f *Facts, a *Act) error {
	if str(a.Data, "outcome") == OutcomeLegalWithRevisions && len(texts(a.Data, "revisions")) == 0 {
		return dataErr("revisions", "审查意见要求修改的（legal_with_revisions），应逐条列明修改意见（revisions，第二十八条）",
			"an opinion asking for revisions (legal_with_revisions) lists each point (revisions, Art. 28)")
	}
	return nil
}

// revisionsRequested: Art. 28 — confirm_revisions answers the latest
// legality opinion that counts, when it asked for revisions.
func revisionsRequested(f *Facts, a *Act) error {
	if _, op := f.LatestOpinion(); op == nil || op.Outcome != OutcomeLegalWithRevisions || pendingSubmissionRecord(f) != nil {
		return RuleError(CodeRevisionsNotRequested, "Art. 28",
			"《重大行政决策程序暂行条例》第二十八条：只有对要求修改的合法性审查意见（legal_with_revisions）才需确认修改情况；当前没有待确认的审查意见",
			"Art. 28: there is no legality opinion asking for revisions (legal_with_revisions) to confirm")
	}
	return nil
}

// revisionsHandled: Art. 28 — 决策承办单位根据合法性审查意见进行必要的调整或者
// 补充. The review body confirms on a revised draft (the draft changed since
// the opinion), after the undertaking unit recorded how each point of the
// opinion was handled (revise_draft.revision_handling), and its own
// confirmation covers every point as handled. The confirmation binds the
// current draft's hash.
func revisionsHandled(f *Facts, a *Act) error {
	r, op := f.LatestOpinion()
	if op.DraftHash == f.Decision.CurrentDraftHash {
		return RuleError(CodeLegalityRevisionsPending, "Art. 28",
			"《重大行政决策程序暂行条例》第二十八条：决策承办单位应当根据合法性审查意见修改草案；草案自审查意见出具后尚未修改，不能确认",
			"Art. 28: the draft has not been revised since the opinion asked for revisions; there is nothing to confirm")
	}
	points := texts(recordData(r), "revisions")
	handled := map[string]bool{}
	after := false
	for i := range f.Records {
		rec := &f.Records[i]
		if rec.ID == r.ID {
			after = true
			continue
		}
		if after && rec.Event == EvReviseDraft {
			for _, h := range objs(recordData(rec), "revision_handling") {
				handled[normName(str(h, "point"))] = true
			}
		}
	}
	confirmed := map[string]bool{}
	for _, p := range objs(a.Data, "points") {
		if boolean(p, "handled") {
			confirmed[normName(str(p, "point"))] = true
		}
	}
	var byUnit, byBody []string
	for _, p := range points {
		if !handled[normName(p)] {
			byUnit = append(byUnit, p)
		}
		if !confirmed[normName(p)] {
			byBody = append(byBody, p)
		}
	}
	switch {
	case len(byUnit) > 0:
		return RuleError(CodeLegalityRevisionsPending, "Art. 28",
			"《重大行政决策程序暂行条例》第二十八条：决策承办单位根据合法性审查意见进行必要的调整或者补充；承办单位修改草案时尚未说明以下审查意见的处理情况（revise_draft 的 revision_handling）："+quoteList(byUnit),
			"Art. 28: the undertaking unit has not recorded how these points of the opinion were handled (revise_draft.revision_handling): "+joinQuoted(byUnit))
	case len(byBody) > 0:
		return RuleError(CodeLegalityRevisionsPending, "Art. 28",
			"《重大行政决策程序暂行条例》第二十八条：合法性审查部门确认修改情况，须逐条确认审查意见已落实；以下意见未确认已落实："+quoteList(byBody),
			"Art. 28: the confirmation must cover every point of the opinion as handled; not confirmed: "+joinQuoted(byBody))
	}
	return nil
}

func joinQuoted(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += "\"" + x + "\""
	}
	return out
}
