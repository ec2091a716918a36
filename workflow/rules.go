package workflow

import (
	"fmt"
	"regexp"
	"strings"
)

// The national minimums of Decree 713. A jurisdiction's rule pack may be
// stricter, never weaker.
const (
	// MinCommentPeriodDays: public comment period, calendar days (Art. 15:
	// 公开征求意见的期限一般不少于30日).
	MinCommentPeriodDays = 30
	// MinHearingNoticeDays: hearing materials delivered at least this many
	// calendar days before the hearing (Art. 16 ¶3: 听证会材料应当于召开听证会7日前送达).
	MinHearingNoticeDays = 7
	// MinReviewWorkingDays: working days the legality-review body must be
	// given (Art. 26 ¶2: 一般不少于7个工作日).
	MinReviewWorkingDays = 7
)

// NationalRulePackCode is the code of the national baseline pack.
const NationalRulePackCode = "national"

// RulePack is a jurisdiction's rules as data (PROCEDURE.md § Rule packs): the
// national baseline, or a province's additions (Qinghai's first). Changing a
// pack is an audited act. Day counts of 0 mean "no such limit" where noted.
type RulePack struct {
	// Code identifies the pack: lowercase ASCII ("national", "qinghai").
	Code string `json:"code"`
	// Name is the pack's Chinese name, NameEN its English name.
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
	// Basis lists the legal sources the pack implements.
	Basis []string `json:"basis"`
	// Note explains settings that are the jurisdiction's administrative
	// choices rather than numbers written in the sources.
	Note string `json:"note,omitempty"`

	// CommentPeriodDays: minimum public comment period, calendar days
	// (Art. 15; ≥ 30).
	CommentPeriodDays int `json:"comment_period_days"`
	// HearingNoticeDays: hearing materials delivered at least this many
	// calendar days before the hearing (Art. 16; ≥ 7).
	HearingNoticeDays int `json:"hearing_notice_days"`
	// ReviewWorkingDays: minimum working days given to the legality review
	// (Art. 26; ≥ 7).
	ReviewWorkingDays int `json:"review_working_days"`
	// MandatoryRiskDomains: policy domains (Chinese names) in which risk
	// assessment may never be waived (QH (八): 实行决策风险评估全覆盖).
	MandatoryRiskDomains []string `json:"mandatory_risk_domains"`
	// PostponementLapseDays: a postponed decision lapses after this many
	// calendar days (0 = never lapses).
	PostponementLapseDays int `json:"postponement_lapse_days"`
	// ReviewerServiceLevelWorkingDays: working days the legality-review body
	// has to give its opinion after a submission (0 = no service level).
	ReviewerServiceLevelWorkingDays int `json:"reviewer_service_level_working_days"`
	// StuckDecisionDays: a decision that has not moved for longer than this
	// many calendar days is listed as overdue (久拖不决, Art. 38 ¶2;
	// 0 = not listed).
	StuckDecisionDays int `json:"stuck_decision_days"`
	// ExecutionReportIntervalDays: execution units report at least every this
	// many calendar days (Art. 34, QH (九); 0 = no fixed interval).
	ExecutionReportIntervalDays int `json:"execution_report_interval_days"`
	// ArchiveTransferDays: the archive package is handed over within this
	// many calendar days after the decision (the adopting meeting; Art. 33,
	// QH (九); 30 in the shipped packs; 0 = no fixed limit).
	ArchiveTransferDays int `json:"archive_transfer_days"`
	// EarliestDate: no date declared in an act lies before it (YYYY-MM-DD;
	// empty = RegulationEffective, the day Decree 713 took effect, Art. 44).
	// A pack may allow earlier dates, e.g. for records of decisions made
	// under earlier local rules.
	EarliestDate string `json:"earliest_date,omitempty"`
	// HearingRequiredCategories: decisions of these categories (Art. 3)
	// always hold a hearing before participation completes (QH (八):
	// 听证会等形式 — a pack may go further; the shipped packs do not).
	HearingRequiredCategories []string `json:"hearing_required_categories,omitempty"`
	// PartyReplyRequiredCategories: decisions of these categories are
	// published only after the Party committee's reply is recorded, not
	// only the report (Art. 31: 按照规定向同级党委请示报告; the shipped packs
	// require the report only).
	PartyReplyRequiredCategories []string `json:"party_reply_required_categories,omitempty"`
}

// RegulationEffective is the day Decree 713 took effect (Art. 44: 本条例自
// 2019年9月1日起施行).
const RegulationEffective = "2019-09-01"

// Earliest is the earliest date an act may declare under the pack.
func (p RulePack) Earliest() string {
	if p.EarliestDate != "" {
		return p.EarliestDate
	}
	return RegulationEffective
}

var rulePackCodeRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

// Validate checks the pack and returns a validation_failed *Error naming each
// bad field, or nil. The national minimums (Art. 15, 16, 26) cannot be
// weakened; no day count is negative; the mandatory domains are non-empty
// names without surrounding spaces or duplicates.
func (p RulePack) Validate() error {
	var bad Invalid
	if !rulePackCodeRE.MatchString(p.Code) {
		bad.Add("code",
			"规则包代码应为小写英文字母开头的小写字母、数字、下划线或连字符（不超过32个字符），如 national、qinghai",
			"code must be lowercase ASCII letters, digits, '_' or '-', starting with a letter (at most 32), e.g. national, qinghai")
	}
	if strings.TrimSpace(p.Name) == "" {
		bad.Add("name", "规则包名称不能为空", "name is required")
	}
	if len(p.Basis) == 0 {
		bad.Add("basis", "请至少列出一项法律、法规或政策依据", "list at least one legal source")
	}
	seenBasis := map[string]bool{}
	for i, b := range p.Basis {
		field := fmt.Sprintf("basis[%d]", i)
		switch {
		case strings.TrimSpace(b) == "":
			bad.Add(field, "依据不能为空", "a legal source must not be empty")
		case seenBasis[b]:
			bad.Add(field, fmt.Sprintf("依据“%s”重复", b), fmt.Sprintf("legal source %q is listed twice", b))
		}
		seenBasis[b] = true
	}

	minimum := func(field string, v, min int, article, zhWhat, enWhat string) {
		if v < min {
			bad.Add(field,
				fmt.Sprintf("%s不得少于%d日（%s规定的全国最低标准，地方只能从严）", zhWhat, min, article),
				fmt.Sprintf("%s must be at least %d (the national minimum of %s; a local pack may only be stricter)", enWhat, min, article))
		}
	}
	minimum("comment_period_days", p.CommentPeriodDays, MinCommentPeriodDays, "《重大行政决策程序暂行条例》第十五条",
		"公开征求意见期限", "the public comment period in days")
	minimum("hearing_notice_days", p.HearingNoticeDays, MinHearingNoticeDays, "《重大行政决策程序暂行条例》第十六条",
		"听证会材料提前送达的天数", "the hearing notice in days")
	if p.ReviewWorkingDays < MinReviewWorkingDays {
		bad.Add("review_working_days",
			fmt.Sprintf("合法性审查时间不得少于%d个工作日（《重大行政决策程序暂行条例》第二十六条规定的全国最低标准，地方只能从严）", MinReviewWorkingDays),
			fmt.Sprintf("the legality review time must be at least %d working days (the national minimum of Art. 26; a local pack may only be stricter)", MinReviewWorkingDays))
	}

	for _, f := range []struct {
		field, zh, en string
		v             int
	}{
		{"postponement_lapse_days", "暂缓失效期限", "the postponement lapse period", p.PostponementLapseDays},
		{"reviewer_service_level_working_days", "合法性审查办理时限", "the legality reviewer's service level", p.ReviewerServiceLevelWorkingDays},
		{"stuck_decision_days", "久拖不决提示期限", "the stuck-decision threshold", p.StuckDecisionDays},
		{"execution_report_interval_days", "执行情况报告间隔", "the execution report interval", p.ExecutionReportIntervalDays},
		{"archive_transfer_days", "归档期限", "the archiving time limit", p.ArchiveTransferDays},
	} {
		if f.v < 0 {
			bad.Add(f.field,
				fmt.Sprintf("%s不能为负数（0表示不设期限）", f.zh),
				fmt.Sprintf("%s must not be negative (0 means no limit)", f.en))
		}
	}

	seen := map[string]bool{}
	for i, d := range p.MandatoryRiskDomains {
		field := fmt.Sprintf("mandatory_risk_domains[%d]", i)
		switch {
		case strings.TrimSpace(d) == "":
			bad.Add(field, "领域名称不能为空", "a domain name must not be empty")
		case strings.TrimSpace(d) != d:
			bad.Add(field, fmt.Sprintf("领域名称“%s”前后有多余空格", d), fmt.Sprintf("domain %q has leading or trailing spaces", d))
		case seen[d]:
			bad.Add(field, fmt.Sprintf("领域“%s”重复", d), fmt.Sprintf("domain %q is listed twice", d))
		case !ValidDomain(d):
			zh, en := enumError(d, Field{Enum: DomainNames()})
			bad.Add(field, zh, en)
		}
		seen[d] = true
	}
	if p.EarliestDate != "" {
		if _, err := ParseDate(p.EarliestDate); err != nil {
			bad.Add("earliest_date", "日期格式应为 YYYY-MM-DD", "must be a date as YYYY-MM-DD")
		}
	}
	for _, l := range []struct {
		field string
		v     []string
	}{{"hearing_required_categories", p.HearingRequiredCategories}, {"party_reply_required_categories", p.PartyReplyRequiredCategories}} {
		for i, c := range l.v {
			if !contains(Categories, c) {
				bad.Add(fmt.Sprintf("%s[%d]", l.field, i), "应为以下之一："+strings.Join(Categories, "、"), "must be one of: "+strings.Join(Categories, ", "))
			}
		}
	}
	return bad.Err()
}

// RiskDomainMandatory returns the first of a decision's policy domains (in
// the decision's order) on the pack's mandatory risk-assessment list, and
// true; or "", false when none is. A decision in such a domain can never
// waive risk assessment (QH (八)).
func (p RulePack) RiskDomainMandatory(domains []string) (string, bool) {
	for _, d := range domains {
		d = strings.TrimSpace(d)
		for _, m := range p.MandatoryRiskDomains {
			if d != "" && d == m {
				return d, true
			}
		}
	}
	return "", false
}
