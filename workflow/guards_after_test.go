package workflow

import (
	"strings"
	"testing"
	"time"
)

// After the decision: Art. 31–32, 34–37, the rule pack's lapse, Art. 3 ¶3;
// and the launch-stage rules of Art. 10–11.

func decided(t testing.TB, report bool) *Facts {
	t.Helper()
	f := newFacts(t, StDecided)
	approved(t, f, report)
	return f
}

func publishData(on string) M {
	return M{"channels": A{M{"kind": "website", "on": on, "ref": "https://www.xining.gov.cn/zwgk/1"}},
		"adoption_explanation": "公众意见、专家论证意见采纳情况说明……"}
}

// Art. 31: 重大行政决策出台前应当按照规定向同级党委请示报告.
func TestArt31_PartyReportBeforePublication(t *testing.T) {
	t.Run("no party report: refused", func(t *testing.T) {
		_, err := fire(t, decided(t, false), clerk, EvPublish, publishData(gToday))
		mentions(t, refused(t, err, CodePartyReportRequired), "第三十一条")
	})
	t.Run("published before the report's date: refused", func(t *testing.T) {
		_, err := fire(t, decided(t, true), clerk, EvPublish, publishData("2026-11-11"))
		mentions(t, refused(t, err, CodePartyReportRequired), "2026-11-12")
	})
	t.Run("published on the report's date: allowed", func(t *testing.T) {
		mustAllow(t, decided(t, true), clerk, EvPublish, publishData("2026-11-12"))
	})
}

// Art. 31 and PROCEDURE.md § Time: the report is recorded as made.
func TestArt31_ReportToPartyNotDatedInTheFuture(t *testing.T) {
	t.Run("reported tomorrow: refused", func(t *testing.T) {
		_, err := fire(t, decided(t, false), clerk, EvReportToParty, M{"reported_on": gTomorrow, "doc_no": "西政党组〔2026〕5号"})
		refusedField(t, err, "reported_on")
	})
	t.Run("reported today: allowed", func(t *testing.T) {
		out := mustAllow(t, decided(t, false), clerk, EvReportToParty, M{"reported_on": gToday, "doc_no": "西政党组〔2026〕5号"})
		if out.To != StDecided {
			t.Errorf("to = %s", out.To)
		}
	})
	t.Run("no document number: refused", func(t *testing.T) {
		_, err := fire(t, decided(t, false), clerk, EvReportToParty, M{"reported_on": gToday})
		refusedField(t, err, "doc_no")
	})
}

// Art. 32: 通过本级人民政府公报和政府网站以及……报纸等途径及时公布; 对社会公众普遍
// 关心或者专业性、技术性较强的……应当说明公众意见、专家论证意见的采纳情况.
func TestArt32_PublicationChannelsAndExplanation(t *testing.T) {
	t.Run("no channel and not withheld: refused", func(t *testing.T) {
		_, err := fire(t, decided(t, true), clerk, EvPublish, M{"adoption_explanation": "说明"})
		mentions(t, refused(t, err, CodePublicationChannelRequired), "第三十二条")
	})
	t.Run("a channel dated tomorrow: refused", func(t *testing.T) {
		_, err := fire(t, decided(t, true), clerk, EvPublish, publishData(gTomorrow))
		refusedField(t, err, "channels[0].on")
	})
	t.Run("a channel dated before the meeting adopted it: refused", func(t *testing.T) {
		_, err := fire(t, decided(t, true), clerk, EvPublish, publishData("2026-11-09"))
		refusedField(t, err, "channels[0].on")
	})
	t.Run("a channel without its reference: refused", func(t *testing.T) {
		d := publishData(gToday)
		delete(d["channels"].(A)[0].(M), "ref")
		_, err := fire(t, decided(t, true), clerk, EvPublish, d)
		refusedField(t, err, "channels[0].ref")
	})
	for _, flag := range []string{"public_concern", "technical"} {
		t.Run(flag+" without the adoption explanation: refused", func(t *testing.T) {
			f := decided(t, true)
			f.Decision.PublicConcern, f.Decision.Technical = flag == "public_concern", flag == "technical"
			d := publishData(gToday)
			delete(d, "adoption_explanation")
			_, err := fire(t, f, clerk, EvPublish, d)
			mentions(t, refused(t, err, CodeAdoptionExplanationRequired), "第三十二条", "adoption_explanation")
		})
		t.Run(flag+" with the adoption explanation: allowed", func(t *testing.T) {
			f := decided(t, true)
			f.Decision.PublicConcern, f.Decision.Technical = flag == "public_concern", flag == "technical"
			out := mustAllow(t, f, clerk, EvPublish, publishData(gToday))
			if out.To != StPublished {
				t.Errorf("to = %s", out.To)
			}
		})
	}
	t.Run("neither of wide concern nor technical: allowed without explanation", func(t *testing.T) {
		d := publishData(gToday)
		delete(d, "adoption_explanation")
		mustAllow(t, decided(t, true), clerk, EvPublish, d)
	})
}

// Art. 32: 依法不予公开的除外 — withheld only when lawfully not disclosed, with
// the legal basis.
func TestArt32_NotDisclosedWithLegalBasis(t *testing.T) {
	withheld := M{"not_disclosed": true, "legal_basis": "《中华人民共和国保守国家秘密法》第九条"}
	t.Run("a decision not marked non-disclosable: refused", func(t *testing.T) {
		_, err := fire(t, decided(t, true), clerk, EvPublish, withheld)
		mentions(t, refused(t, err, CodeDisclosureRequired), "第三十二条")
	})
	t.Run("non-disclosable without the legal basis: refused", func(t *testing.T) {
		f := decided(t, true)
		f.Decision.NonDisclosable = true
		_, err := fire(t, f, clerk, EvPublish, M{"not_disclosed": true})
		refused(t, err, CodeNonDisclosureBasisRequired)
	})
	t.Run("withheld and published at once: refused", func(t *testing.T) {
		f := decided(t, true)
		f.Decision.NonDisclosable = true
		d := publishData(gToday)
		d["not_disclosed"], d["legal_basis"] = true, "某法"
		_, err := fire(t, f, clerk, EvPublish, d)
		refusedField(t, err, "channels")
	})
	t.Run("non-disclosable with the legal basis: allowed", func(t *testing.T) {
		f := decided(t, true)
		f.Decision.NonDisclosable, f.Decision.PublicConcern = true, true
		out := mustAllow(t, f, clerk, EvPublish, withheld)
		if out.To != StPublished {
			t.Errorf("to = %s", out.To)
		}
	})
}

// Art. 34, QH (九): execution starts only with execution units named.
func TestArt34_StartExecutionNeedsExecutionUnits(t *testing.T) {
	t.Run("no approval naming units: refused", func(t *testing.T) {
		f := newFacts(t, StPublished)
		addRec(t, f, EvApprove, M{"meeting": meetingData("approve", "agree"), "execution": M{"units": A{}}}, clerk)
		_, err := fire(t, f, clerk, EvStartExecution, M{})
		mentions(t, refused(t, err, CodeExecutionUnitsRequired), "第三十四条")
	})
	t.Run("units named: allowed", func(t *testing.T) {
		f := decided(t, true)
		f.Decision.State = StPublished
		out := mustAllow(t, f, clerk, EvStartExecution, M{})
		if out.To != StInExecution {
			t.Errorf("to = %s", out.To)
		}
	})
}

// executing is a decision in execution with one issue report and one
// execution report; it returns their record IDs.
func executing(t testing.TB) (f *Facts, issue, report int64) {
	t.Helper()
	f = newFacts(t, StInExecution)
	approved(t, f, true)
	addRec(t, f, EvPublish, publishData("2026-11-13"), clerk)
	addRec(t, f, EvStartExecution, M{}, clerk)
	report = addRec(t, f, EvReportExecution, M{"period": "2026年第四季度", "progress": "按计划推进"}, executor1)
	issue = addRec(t, f, EvReportIssue, M{"kind": "major_change", "detail": "燃油价格大幅上涨"}, executor1)
	return f, issue, report
}

// Art. 37: 情况紧急的，决策机关行政首长可以先决定中止执行.
func TestArt37_SuspendOnlyByTheHead(t *testing.T) {
	f, issue, _ := executing(t)
	d := M{"urgent_reason": "出现群体性事件苗头", "issue_ref": issue}
	t.Run("a leader who is not the head: refused", func(t *testing.T) {
		_, err := fire(t, f, viceHead, EvSuspend, d)
		mentions(t, refused(t, err, CodeHeadRequired), "第三十七条", "行政首长")
	})
	t.Run("the office: forbidden", func(t *testing.T) {
		_, err := fire(t, f, clerk, EvSuspend, d)
		refused(t, err, CodeForbidden)
	})
	t.Run("the head: allowed", func(t *testing.T) {
		out := mustAllow(t, f, head, EvSuspend, d)
		if out.To != StSuspended {
			t.Errorf("to = %s", out.To)
		}
	})
}

// Art. 35, 37: suspension only in the situations of Art. 35 — linked to an
// issue report of this decision — and only when urgent.
func TestArt37_SuspendNeedsUrgentReasonAndIssueReport(t *testing.T) {
	f, issue, report := executing(t)
	t.Run("an issue_ref that names no record: refused", func(t *testing.T) {
		_, err := fire(t, f, head, EvSuspend, M{"urgent_reason": "紧急", "issue_ref": 9999})
		mentions(t, refused(t, err, CodeIssueReportRequired), "第三十七条", "9999")
	})
	t.Run("an issue_ref naming an execution report, not an issue: refused", func(t *testing.T) {
		_, err := fire(t, f, head, EvSuspend, M{"urgent_reason": "紧急", "issue_ref": report})
		refused(t, err, CodeIssueReportRequired)
	})
	t.Run("no urgent reason: refused", func(t *testing.T) {
		_, err := fire(t, f, head, EvSuspend, M{"urgent_reason": " ", "issue_ref": issue})
		refusedField(t, err, "urgent_reason")
	})
	t.Run("urgent, linked to the issue report: allowed", func(t *testing.T) {
		mustAllow(t, f, head, EvSuspend, M{"urgent_reason": "紧急", "issue_ref": issue})
	})
}

// Art. 37: 依法作出的重大行政决策，未经法定程序不得随意变更或者停止执行.
func TestArt37_StopAndAdjustNeedTheMeeting(t *testing.T) {
	f, _, _ := executing(t)
	t.Run("stop without a meeting record: refused", func(t *testing.T) {
		_, err := fire(t, f, clerk, EvStop, M{})
		mentions(t, refused(t, err, CodeProcedureRequired), "第三十七条")
	})
	t.Run("adjust without a meeting record: refused", func(t *testing.T) {
		_, err := fire(t, f, clerk, EvAdjust, M{"reason": "情况变化"})
		refused(t, err, CodeProcedureRequired)
	})
	t.Run("stop with a meeting whose head did not speak last: refused", func(t *testing.T) {
		m := meetingData("stop", "agree", "agree")
		ops := m["opinions"].(A)
		m["opinions"] = A{ops[1], ops[0]}
		_, err := fire(t, f, clerk, EvStop, M{"meeting": m})
		refused(t, err, CodeHeadMustSpeakLast)
	})
	t.Run("stop with a meeting record: allowed", func(t *testing.T) {
		out := mustAllow(t, f, clerk, EvStop, M{"meeting": meetingData("停止执行", "agree", "agree")})
		if out.To != StStopped {
			t.Errorf("to = %s", out.To)
		}
	})
	t.Run("adjust without a reason: refused", func(t *testing.T) {
		_, err := fire(t, f, clerk, EvAdjust, M{"meeting": meetingData("adjust", "agree", "agree")})
		refused(t, err, CodeReasonRequired)
	})
	t.Run("adjust with a meeting and a reason: allowed, opening a linked decision in drafting", func(t *testing.T) {
		out := mustAllow(t, f, clerk, EvAdjust, M{"meeting": meetingData("重大调整", "agree", "agree"), "reason": "燃油价格大幅上涨"})
		if out.To != StSuperseded || out.Spawn == nil || out.Spawn.State != StDrafting || out.Spawn.Version != 1 || out.Spawn.ParentID == nil || *out.Spawn.ParentID != f.Decision.ID {
			t.Errorf("outcome = %+v, spawn %+v", out, out.Spawn)
		}
	})
}

// Art. 37: execution resumes by the organ's meeting.
func TestArt37_ResumeNeedsTheMeeting(t *testing.T) {
	f, _, _ := executing(t)
	f.Decision.State = StSuspended
	t.Run("no meeting record: refused", func(t *testing.T) {
		_, err := fire(t, f, clerk, EvResume, M{})
		refusedField(t, err, "meeting")
	})
	t.Run("a meeting that decided something else: refused", func(t *testing.T) {
		_, err := fire(t, f, clerk, EvResume, M{"meeting": meetingData("stop", "agree", "agree")})
		refused(t, err, CodeMeetingDecisionMismatch)
	})
	t.Run("a meeting that resumed it: allowed", func(t *testing.T) {
		out := mustAllow(t, f, clerk, EvResume, M{"meeting": meetingData("恢复执行", "agree", "agree")})
		if out.To != StInExecution {
			t.Errorf("to = %s", out.To)
		}
	})
}

// Art. 36 ¶2: 开展决策后评估……决策作出前承担主要论证评估工作的单位除外.
func TestArt36_EvaluatorNotWhoAssessedBefore(t *testing.T) {
	evaluate := func(f *Facts, who string) error {
		_, err := fire(t, f, clerk, EvStartEvaluation, M{"trigger": "many_opinions", "evaluator": who})
		return err
	}
	tests := []struct {
		name, evaluator string
		code            string
	}{
		{"the risk assessor: refused", "某社会稳定风险评估中心", CodeEvaluatorNotIndependent},
		{"the risk assessor, spaced and full-width: refused", "  某社会稳定风险评估中心　", CodeEvaluatorNotIndependent},
		{"an expert: refused", "王某", CodeEvaluatorNotIndependent},
		{"an expert's institution, other case: refused", "某大学", CodeEvaluatorNotIndependent},
		{"an independent third party: allowed", "某第三方评估机构", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _ := executing(t)
			err := evaluate(f, tt.evaluator)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			mentions(t, refused(t, err, tt.code), "第三十六条")
		})
	}
	t.Run("the commissioned expert institution, case-insensitive: refused", func(t *testing.T) {
		f := newFacts(t, StInExecution)
		d := expertData()
		d["institution"] = "Qinghai Policy Institute"
		addRec(t, f, EvCompleteExpertReview, d, drafter)
		refused(t, evaluate(f, "qinghai policy INSTITUTE"), CodeEvaluatorNotIndependent)
	})
	t.Run("the undertaking unit, when it assessed the risk itself: refused", func(t *testing.T) {
		f := newFacts(t, StInExecution)
		r := riskData()
		delete(r, "assessor")
		addRec(t, f, EvCompleteRiskAssessment, r, drafter)
		mentions(t, refused(t, evaluate(f, "市交通运输局"), CodeEvaluatorNotIndependent), "风险评估")
	})
	t.Run("the undertaking unit, when a third party assessed: allowed", func(t *testing.T) {
		f := newFacts(t, StInExecution)
		addRec(t, f, EvCompleteRiskAssessment, riskData(), drafter)
		if err := evaluate(f, "市交通运输局"); err != nil {
			t.Fatal(err)
		}
	})
}

// Rule pack (postponement_lapse_days): a postponed decision lapses after the
// pack's period, counted in calendar days from the postponing meeting.
func TestRulePack_PostponementLapse(t *testing.T) {
	postponed := func(pack RulePack, heldOn string) *Facts {
		f := newFacts(t, StPostponed)
		f.Rules = pack
		m := meetingData("postpone", "agree", "disagree")
		m["held_on"] = heldOn
		addRec(t, f, EvPostpone, M{"meeting": m, "reason": "待政策明确"}, clerk)
		return f
	}
	t.Run("the national pack sets no period: refused", func(t *testing.T) {
		_, err := fire(t, postponed(nationalPack(), "2020-01-01"), engine, EvLapse, M{})
		mentions(t, refused(t, err, CodeLapseNotDue), "未设置")
	})
	t.Run("Qinghai 365 days: day 364 refused", func(t *testing.T) {
		_, err := fire(t, postponed(qinghaiPack(), "2025-11-21"), engine, EvLapse, M{})
		mentions(t, refused(t, err, CodeLapseNotDue), "2026-11-21")
	})
	t.Run("Qinghai 365 days: day 365 allowed", func(t *testing.T) {
		out := mustAllow(t, postponed(qinghaiPack(), "2025-11-20"), engine, EvLapse, M{})
		if out.To != StLapsed {
			t.Errorf("to = %s", out.To)
		}
	})
	t.Run("the office may record it too", func(t *testing.T) {
		mustAllow(t, postponed(qinghaiPack(), "2025-01-01"), clerk, EvLapse, M{})
	})
	t.Run("a meeting recorded long after it was held: not before the day after its recording", func(t *testing.T) {
		f := postponed(qinghaiPack(), "2025-01-01")
		f.Records[0].At = gNow
		_, err := fire(t, f, engine, EvLapse, M{})
		mentions(t, refused(t, err, CodeLapseNotDue), "2025-01-01", gToday, gTomorrow)
	})
	t.Run("without a meeting date, from the postponement's recording", func(t *testing.T) {
		f := newFacts(t, StPostponed)
		f.Rules = qinghaiPack()
		addRec(t, f, EvPostpone, M{"reason": "x"}, clerk)
		f.Records[0].At = gNow.Add(-364 * 24 * time.Hour)
		_, err := fire(t, f, engine, EvLapse, M{})
		refused(t, err, CodeLapseNotDue)
	})
}

// Art. 3 ¶3: the catalogue is adjusted as circumstances require; withdrawing
// a catalogued decision goes with the catalogue adjustment.
func TestArt3_WithdrawCatalogueAdjustment(t *testing.T) {
	catalogued := func() *Facts {
		f := newFacts(t, StDrafting)
		f.Decision.CatalogueItemID = i64(12)
		return f
	}
	t.Run("catalogued, no adjustment reference: refused", func(t *testing.T) {
		_, err := fire(t, catalogued(), clerk, EvWithdraw, M{"reason": "情况变化"})
		mentions(t, refused(t, err, CodeCatalogueAdjustmentRequired), "第三条", "catalogue_adjustment_ref")
	})
	t.Run("catalogued, with the adjustment reference: allowed", func(t *testing.T) {
		out := mustAllow(t, catalogued(), clerk, EvWithdraw, M{"reason": "情况变化", "catalogue_adjustment_ref": "西政〔2026〕30号目录调整"})
		if out.To != StWithdrawn {
			t.Errorf("to = %s", out.To)
		}
	})
	t.Run("not catalogued: allowed with a reason", func(t *testing.T) {
		mustAllow(t, newFacts(t, StPostponed), clerk, EvWithdraw, M{"reason": "情况变化"})
	})
	t.Run("no reason: refused", func(t *testing.T) {
		_, err := fire(t, newFacts(t, StDrafting), clerk, EvWithdraw, M{})
		refused(t, err, CodeReasonRequired)
	})
	t.Run("after the decision: invalid_transition", func(t *testing.T) {
		_, err := fire(t, newFacts(t, StDecided), clerk, EvWithdraw, M{"reason": "x"})
		refused(t, err, CodeInvalidTransition)
	})
}

// Art. 10–11: a proposal is launched with an undertaking unit, or declined
// with a reason.
func TestArt10_LaunchAndDecline(t *testing.T) {
	t.Run("launch with a unit that does not exist: refused", func(t *testing.T) {
		_, err := fire(t, newFacts(t, StProposed), clerk, EvLaunch, M{"undertaking_unit_id": 99, "launch_ref": "第12次常务会议纪要"})
		refusedField(t, err, "undertaking_unit_id")
	})
	t.Run("launch with the organ as the unit: refused", func(t *testing.T) {
		_, err := fire(t, newFacts(t, StProposed), clerk, EvLaunch, M{"undertaking_unit_id": 1, "launch_ref": "第12次常务会议纪要"})
		refusedField(t, err, "undertaking_unit_id")
	})
	t.Run("launch with a unit: allowed", func(t *testing.T) {
		out := mustAllow(t, newFacts(t, StProposed), clerk, EvLaunch, M{"undertaking_unit_id": 3, "launch_ref": "第12次常务会议纪要"})
		if out.UndertakingUnitID == nil || *out.UndertakingUnitID != 3 {
			t.Errorf("unit = %v", out.UndertakingUnitID)
		}
	})
	t.Run("decline without a reason: refused", func(t *testing.T) {
		_, err := fire(t, newFacts(t, StProposed), clerk, EvDecline, M{"reason": ""})
		refused(t, err, CodeReasonRequired)
	})
	t.Run("decline with a reason: allowed", func(t *testing.T) {
		mustAllow(t, newFacts(t, StProposed), clerk, EvDecline, M{"reason": "不属于重大行政决策事项"})
	})
}

// PROCEDURE.md § Decision flags: flags change only by an audited act with
// its reason.
func TestDecisionFlags_AmendNeedsReason(t *testing.T) {
	t.Run("no reason: refused", func(t *testing.T) {
		_, err := fire(t, newFacts(t, StDrafting), clerk, EvAmendFlags, M{"category": "public_policy", "technical": true})
		refused(t, err, CodeReasonRequired)
	})
	t.Run("with a reason: allowed", func(t *testing.T) {
		out := mustAllow(t, newFacts(t, StDrafting), clerk, EvAmendFlags, M{"category": "public_policy", "technical": true, "reason": "涉及专业技术问题"})
		if out.Flags == nil || !out.Flags.Technical {
			t.Errorf("flags = %+v", out.Flags)
		}
	})
}

// Art. 33 and PROCEDURE.md § Time: the archive transfer is recorded as done.
func TestArt33_ArchiveNotDatedInTheFuture(t *testing.T) {
	pkg := strings.Repeat("a", 64)
	published := func() *Facts {
		f := decided(t, true)
		f.Decision.State = StPublished
		f.ArchivePackages = []string{pkg}
		return f
	}
	t.Run("archived tomorrow: refused", func(t *testing.T) {
		_, err := fire(t, published(), clerk, EvRecordArchive, M{"archived_on": gTomorrow, "archive_ref": "档案移交清单2026-01", "package_hash": pkg})
		refusedField(t, err, "archived_on")
	})
	t.Run("archived today: allowed", func(t *testing.T) {
		out := mustAllow(t, published(), clerk, EvRecordArchive, M{"archived_on": gToday, "archive_ref": "档案移交清单2026-01", "package_hash": pkg})
		if out.To != StPublished {
			t.Errorf("to = %s, want the state unchanged", out.To)
		}
	})
}

// Art. 33; QH (九): the archive transfer names a package exported for this
// decision; any other hash, or none, is refused.
func TestArt33_ArchiveNamesAnExportedPackage(t *testing.T) {
	f := decided(t, true)
	f.Decision.State = StPublished
	f.ArchivePackages = []string{strings.Repeat("a", 64)}
	_, err := fire(t, f, clerk, EvRecordArchive, M{"archived_on": gToday, "archive_ref": "清单", "package_hash": strings.Repeat("b", 64)})
	refused(t, err, CodeArchivePackageUnknown)
	_, err = fire(t, f, clerk, EvRecordArchive, M{"archived_on": gToday, "archive_ref": "清单"})
	refusedField(t, err, "package_hash")
}

// Engine-owned keys in a client's data are dropped: a client cannot forge
// a warning or a meeting pack into the record.
func TestEngineKeysDropped(t *testing.T) {
	out := mustAllow(t, decided(t, false), clerk, EvReportToParty,
		M{"reported_on": gToday, "doc_no": "西政党组〔2026〕5号", "warnings": "伪造", "meeting_pack": "伪造", "note": "保留"})
	if _, ok := out.Data["warnings"]; ok {
		t.Error("client warnings kept")
	}
	if _, ok := out.Data["meeting_pack"]; ok {
		t.Error("client meeting_pack kept")
	}
	if out.Data["note"] != "保留" {
		t.Error("an unknown client field was not kept")
	}
}

// Art. 33; QH (九): the archive package is handed over within the rule
// pack's days (30) of the decision — the meeting that adopted it — and the
// deadline goes once the transfer is recorded.
func TestArt33_ArchiveHandoverDeadline(t *testing.T) {
	f := decided(t, true) // adopted at the meeting of 2026-11-10
	f.Rules.ArchiveTransferDays = 30
	find := func() *Deadline {
		for _, d := range Deadlines(f) {
			if d.Kind == DlArchiveTransfer {
				return &d
			}
		}
		return nil
	}
	d := find()
	if d == nil || d.DueOn != "2026-12-10" || d.Overdue {
		t.Fatalf("want the handover due 2026-12-10, not overdue on %s: %+v", gToday, d)
	}
	f.Now = f.Now.AddDate(0, 0, 21) // 2026-12-11
	if d := find(); d == nil || !d.Overdue {
		t.Fatalf("the day after the limit it is overdue: %+v", d)
	}
	addRec(t, f, EvRecordArchive, M{"archived_on": gToday, "archive_ref": "清单", "package_hash": strings.Repeat("a", 64)}, clerk)
	if d := find(); d != nil {
		t.Fatalf("a recorded transfer ends the deadline: %+v", d)
	}
	f.Rules.ArchiveTransferDays = 0
	f.Records = f.Records[:len(f.Records)-1]
	if d := find(); d != nil {
		t.Fatal("a pack without a limit sets no deadline")
	}
}
