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
	r := f.Last(EvSubmitLegalityReview, EvReturnLegalitySubmission, EvRecordLegalityOpinion, EvReturnForRevision)
	if r == nil || r.Event != EvSubmitLegalityReview {
		return nil // pendingSubmission refuses this
	}
	if r.DraftHash != f.Decision.CurrentDraftHash {
		return RuleError(CodeLegalitySubmissionStale, "Art. 26 ¶1",
			"《重大行政决策程序暂行条例》第二十六条：合法性审查针对送审的决策草案；送审后草案已经修改，须将修改后的草案重新送请合法性审查",
			"Art. 26 ¶1: the draft was revised after it was submitted for legality review; the revised draft must be submitted again before an opinion is recorded")
	}
	return nil
}
