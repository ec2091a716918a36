package workflow

import (
	"fmt"
	"strings"
)

// After the decision: party report and publication (Art. 31–32), execution
// (Art. 34–35), post-evaluation (Art. 36), suspension, stop and adjustment
// (Art. 37), postponement lapse (rule pack) and withdrawal (Art. 3 ¶3).

// reportedNotFuture: the party report is recorded as made, so its date is
// not in the future (PROCEDURE.md § Time).
func reportedNotFuture(f *Facts, a *Act) error {
	return notFuture(f, "reported_on", date(a.Data, "reported_on"), "请示报告日期", "reported_on")
}

// publication: Art. 32 — 决策机关应当通过本级人民政府公报和政府网站以及在本行政
// 区域内发行的报纸等途径及时公布重大行政决策。对社会公众普遍关心或者专业性、
// 技术性较强的重大行政决策，应当说明公众意见、专家论证意见的采纳情况……依法
// 不予公开的除外.
//
// Either the decision is published through channels (≥ 1, each dated and
// referenced; a date is not in the future, not before the meeting that
// adopted the decision, and not before the party report — Art. 31: 出台前
// 请示报告), with the adoption explanation when it is of wide public concern
// or technical; or it is lawfully not disclosed: not_disclosed = true with its
// legal basis, allowed only for a decision marked non_disclosable.
func publication(f *Facts, a *Act) error {
	chans := objs(a.Data, "channels")
	if boolean(a.Data, "not_disclosed") {
		if len(chans) > 0 {
			return dataErr("channels", "依法不予公开的决策不能同时登记公布渠道", "a decision not disclosed cannot also list publication channels")
		}
		if !f.Decision.NonDisclosable {
			return RuleError(CodeDisclosureRequired, "Art. 32",
				"《重大行政决策程序暂行条例》第三十二条：决策机关应当及时公布重大行政决策，依法不予公开的除外；本决策未被认定为依法不予公开的事项，应当公布",
				"Art. 32: the decision must be published; it is not marked as lawfully not disclosed (non_disclosable)")
		}
		if str(a.Data, "legal_basis") == "" {
			return RuleError(CodeNonDisclosureBasisRequired, "Art. 32",
				"《重大行政决策程序暂行条例》第三十二条：依法不予公开的，应当登记不予公开的法律依据（legal_basis）",
				"Art. 32: a decision not disclosed needs the legal basis for non-disclosure (legal_basis)")
		}
		return nil
	}
	if len(chans) == 0 {
		return RuleError(CodePublicationChannelRequired, "Art. 32",
			"《重大行政决策程序暂行条例》第三十二条：应当通过政府公报、政府网站、报纸等途径公布重大行政决策；请登记公布渠道、日期和出处（channels），依法不予公开的请登记 not_disclosed 及法律依据",
			"Art. 32: publish through the gazette, the government website or newspapers — list the channels with date and reference (channels), or record not_disclosed with its legal basis")
	}
	var approved, reported string
	if r := f.Last(EvApprove); r != nil {
		if d := date(obj(recordData(r), "meeting"), "held_on"); !d.IsZero() {
			approved = FormatDate(d)
		}
	}
	if r := f.Last(EvReportToParty); r != nil {
		if d := date(recordData(r), "reported_on"); !d.IsZero() {
			reported = FormatDate(d)
		}
	}
	var inv Invalid
	for i, c := range chans {
		on := date(c, "on")
		field := fmt.Sprintf("channels[%d].on", i)
		switch {
		case on.After(f.Today()):
			inv.Add(field, "公布日期不能晚于今天（"+FormatDate(f.Today())+"）", "the publication date cannot be after today ("+FormatDate(f.Today())+")")
		case approved != "" && FormatDate(on) < approved:
			inv.Add(field, "公布日期不能早于会议决定的日期"+approved, "the publication date cannot precede the meeting that adopted the decision ("+approved+")")
		}
	}
	if err := inv.Err(); err != nil {
		return err
	}
	for _, c := range chans {
		if on := FormatDate(date(c, "on")); reported != "" && on < reported {
			return RuleError(CodePartyReportRequired, "Art. 31",
				"《重大行政决策程序暂行条例》第三十一条：重大行政决策出台前应当向同级党委请示报告；登记的公布日期"+on+"早于请示报告日期"+reported,
				"Art. 31: the decision is reported to the Party committee before it is issued; the publication date "+on+" precedes the report of "+reported)
		}
	}
	if (f.Decision.PublicConcern || f.Decision.Technical) && str(a.Data, "adoption_explanation") == "" {
		return RuleError(CodeAdoptionExplanationRequired, "Art. 32",
			"《重大行政决策程序暂行条例》第三十二条：对社会公众普遍关心或者专业性、技术性较强的重大行政决策，应当说明公众意见、专家论证意见的采纳情况（adoption_explanation）",
			"Art. 32: a decision of wide public concern or a technical one is published with an explanation of how public and expert opinions were adopted (adoption_explanation)")
	}
	return nil
}

// executionUnitsNamed: Art. 34 — 决策机关应当明确负责重大行政决策执行工作的单位;
// QH (九) 明确执行主体. Execution starts only when the approving meeting named
// the execution units.
func executionUnitsNamed(f *Facts, a *Act) error {
	if r := f.Last(EvApprove); r != nil && len(ids(obj(recordData(r), "execution"), "units")) > 0 {
		return nil
	}
	return RuleError(CodeExecutionUnitsRequired, "Art. 34; QH (九)",
		"《重大行政决策程序暂行条例》第三十四条：决策机关应当明确决策执行单位；会议通过的决定中未明确执行单位，不能开始执行",
		"Art. 34; QH (9): the approving decision named no execution units; execution cannot start")
}

// headOnly: Art. 37 — 情况紧急的，决策机关行政首长可以先决定中止执行. Only the
// head of the organ suspends, not any leader.
func headOnly(f *Facts, a *Act) error {
	o := f.Units[f.Decision.OrganID]
	if o.HeadUserID == nil || *o.HeadUserID != a.Actor.UserID {
		return RuleError(CodeHeadRequired, "Art. 37",
			"《重大行政决策程序暂行条例》第三十七条：情况紧急的，由决策机关行政首长先决定中止执行；您不是本机关的行政首长",
			"Art. 37: only the head of the decision organ may suspend execution in an emergency")
	}
	return nil
}

// issueLinked: Art. 37 — suspension is for the situations of Art. 35 (a
// problem, a major change, force majeure, public feedback), so it names
// (issue_ref) a report_issue record of this decision.
func issueLinked(f *Facts, a *Act) error {
	ref := id(a.Data, "issue_ref")
	for _, r := range f.Records {
		if r.ID == ref && r.Event == EvReportIssue {
			return nil
		}
	}
	return RuleError(CodeIssueReportRequired, "Art. 35, 37",
		fmt.Sprintf("《重大行政决策程序暂行条例》第三十七条：执行中出现第三十五条规定的情形、情况紧急的，方可先决定中止执行；issue_ref（%d）不是本决策的执行问题报告，请先登记并关联问题报告", ref),
		fmt.Sprintf("Art. 35, 37: suspension needs a reported issue of this decision (Art. 35); issue_ref %d is not a report_issue record of this decision", ref))
}

// evaluatorIndependent: Art. 36 ¶2 — 开展决策后评估，可以委托专业机构、社会组织
// 等第三方进行，决策作出前承担主要论证评估工作的单位除外. The evaluator is
// compared (trimmed, case-insensitive, full-width folded) with every risk
// assessor (the undertaking unit itself when a report names no assessor)
// and every expert, expert's institution and commissioned institution of
// the expert reviews of this decision.
func evaluatorIndependent(f *Facts, a *Act) error {
	ev := str(a.Data, "evaluator")
	var did []packItem // the work the evaluator did, zh and en
	for i := range f.Records {
		r := &f.Records[i]
		d := recordData(r)
		switch r.Event {
		case EvCompleteRiskAssessment:
			who := str(d, "assessor")
			if who == "" && str(d, "prior_assessment_ref") == "" && f.Decision.UndertakingUnitID != nil {
				who = f.Units[*f.Decision.UndertakingUnitID].Name
			}
			if sameName(ev, who) {
				did = append(did, packItem{"风险评估", "risk assessment"})
			}
		case EvCompleteExpertReview:
			names := []string{str(d, "institution")}
			for _, e := range objs(d, "experts") {
				names = append(names, str(e, "name"), str(e, "institution"))
			}
			for _, n := range names {
				if sameName(ev, n) {
					did = append(did, packItem{"专家论证", "expert review"})
					break
				}
			}
		}
	}
	if len(did) == 0 {
		return nil
	}
	zh, en := make([]string, len(did)), make([]string, len(did))
	for i, d := range did {
		zh[i], en[i] = d.zh, d.en
	}
	return RuleError(CodeEvaluatorNotIndependent, "Art. 36 ¶2",
		fmt.Sprintf("《重大行政决策程序暂行条例》第三十六条第二款：决策作出前承担主要论证评估工作的单位不得承担决策后评估；「%s」曾承担本决策的%s工作", ev, strings.Join(zh, "、")),
		fmt.Sprintf("Art. 36 ¶2: %q did the main pre-decision assessment work of this decision (%s) and may not carry out its post-decision evaluation", ev, strings.Join(en, ", ")))
}

// lapseDue: PROCEDURE.md § Rule packs — a postponed decision lapses after the
// rule pack's postponement lapse period (calendar days, counted from the
// postponing meeting's held_on, or the postponement's recording date when it
// has none). A pack without a period (0) never lets a decision lapse.
func lapseDue(f *Facts, a *Act) error {
	n := f.Rules.PostponementLapseDays
	pack := f.Rules.Name
	if pack == "" {
		pack = f.Rules.Code
	}
	if n <= 0 {
		return RuleError(CodeLapseNotDue, "Rule pack: postponement_lapse_days",
			"规则包「"+pack+"」未设置暂缓失效期限，暂缓的决策不会失效；可以恢复讨论或撤回",
			"the rule pack "+f.Rules.Code+" sets no postponement lapse period, so a postponed decision does not lapse; resume the discussion or withdraw it")
	}
	since, recorded := DateOf(f.Decision.StateSince), DateOf(f.Decision.StateSince)
	if r := f.Last(EvPostpone); r != nil {
		since, recorded = DateOf(r.At), DateOf(r.At)
		if d := date(obj(recordData(r), "meeting"), "held_on"); !d.IsZero() {
			since = d
		}
	}
	// Counted from the meeting, but never earlier than the act that
	// recorded the postponement: a meeting entered long after it was held
	// does not lapse the decision the moment it is recorded.
	due := since.AddDate(0, 0, n)
	if due.Before(recorded) {
		due = recorded
	}
	if f.Today().Before(due) || !f.Today().After(recorded) {
		if !due.After(recorded) {
			due = recorded.AddDate(0, 0, 1)
		}
		return RuleError(CodeLapseNotDue, "Rule pack: postponement_lapse_days",
			fmt.Sprintf("规则包「%s」：暂缓决策满%d日失效；本决策的暂缓会议于%s召开、于%s登记，%s起方可登记失效", pack, n, FormatDate(since), FormatDate(recorded), FormatDate(due)),
			fmt.Sprintf("rule pack %s: a postponed decision lapses after %d days; the postponing meeting was held on %s and recorded on %s, so it lapses on %s", f.Rules.Code, n, FormatDate(since), FormatDate(recorded), FormatDate(due)))
	}
	return nil
}

// catalogueAdjustment: Art. 3 ¶3 — the annual catalogue is published after
// the Party committee's consent and adjusted as circumstances require. A
// decision listed in the catalogue is withdrawn only with the reference of
// the catalogue adjustment that removes it.
//
// When the store knows the item (Facts.CatalogueItems), the reference is
// checked against the real catalogue (catalogueWithdrawal).
func catalogueAdjustment(f *Facts, a *Act) error {
	if item := catalogueItemOf(f, f.Decision.CatalogueItemID); item != nil {
		return catalogueWithdrawal(item, a)
	}
	if f.Decision.CatalogueItemID != nil && str(a.Data, "catalogue_adjustment_ref") == "" {
		return RuleError(CodeCatalogueAdjustmentRequired, "Art. 3 ¶3",
			"《重大行政决策程序暂行条例》第三条第三款：决策事项目录经同级党委同意后向社会公布，并根据实际情况调整；本决策列入年度目录，撤回须登记目录调整的文号或依据（catalogue_adjustment_ref）",
			"Art. 3 ¶3: the decision is in the annual catalogue; withdrawing it needs the reference of the catalogue adjustment (catalogue_adjustment_ref)")
	}
	return nil
}
