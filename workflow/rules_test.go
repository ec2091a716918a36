package workflow

import (
	"slices"
	"testing"
)

func validPack() RulePack {
	return RulePack{
		Code:                  "qinghai",
		Name:                  "青海省规则包",
		NameEN:                "Qinghai",
		Basis:                 []string{"《重大行政决策程序暂行条例》"},
		CommentPeriodDays:     30,
		HearingNoticeDays:     7,
		ReviewWorkingDays:     7,
		MandatoryRiskDomains:  []string{"生态环境保护", "交通运输"},
		PostponementLapseDays: 365,
		StuckDecisionDays:     180,
	}
}

func TestRulePack_Validate_NationalMinimumsCannotBeWeakened(t *testing.T) {
	if err := validPack().Validate(); err != nil {
		t.Fatalf("valid pack: %v", err)
	}
	stricter := validPack()
	stricter.CommentPeriodDays, stricter.HearingNoticeDays, stricter.ReviewWorkingDays = 45, 10, 10
	if err := stricter.Validate(); err != nil {
		t.Errorf("a stricter pack is lawful: %v", err)
	}

	tests := []struct {
		name   string
		edit   func(*RulePack)
		fields []string
	}{
		{"Art. 15: comment period under 30 days", func(p *RulePack) { p.CommentPeriodDays = 29 }, []string{"comment_period_days"}},
		{"Art. 16: hearing notice under 7 days", func(p *RulePack) { p.HearingNoticeDays = 5 }, []string{"hearing_notice_days"}},
		{"Art. 26: review under 7 working days", func(p *RulePack) { p.ReviewWorkingDays = 3 }, []string{"review_working_days"}},
		{"zero values are not the national minimum", func(p *RulePack) { *p = RulePack{Code: "x", Name: "x", Basis: []string{"x"}} },
			[]string{"comment_period_days", "hearing_notice_days", "review_working_days"}},
		{"code empty", func(p *RulePack) { p.Code = "" }, []string{"code"}},
		{"code not lowercase", func(p *RulePack) { p.Code = "Qinghai" }, []string{"code"}},
		{"code with spaces", func(p *RulePack) { p.Code = "qing hai" }, []string{"code"}},
		{"name empty", func(p *RulePack) { p.Name = " " }, []string{"name"}},
		{"no basis", func(p *RulePack) { p.Basis = nil }, []string{"basis"}},
		{"basis empty or repeated", func(p *RulePack) { p.Basis = []string{"a", "", "a"} }, []string{"basis[1]", "basis[2]"}},
		{"negative values", func(p *RulePack) {
			p.PostponementLapseDays, p.ReviewerServiceLevelWorkingDays, p.StuckDecisionDays = -1, -1, -1
			p.ExecutionReportIntervalDays, p.ArchiveTransferDays = -1, -1
		}, []string{"postponement_lapse_days", "reviewer_service_level_working_days", "stuck_decision_days",
			"execution_report_interval_days", "archive_transfer_days"}},
		{"QH (八) domains: empty, padded, duplicate", func(p *RulePack) {
			p.MandatoryRiskDomains = []string{"安全生产", "", " 食品安全", "安全生产"}
		}, []string{"mandatory_risk_domains[1]", "mandatory_risk_domains[2]", "mandatory_risk_domains[3]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validPack()
			tt.edit(&p)
			e := wantCode(t, p.Validate(), CodeValidationFailed)
			var got []string
			for _, f := range e.Fields {
				got = append(got, f.Field)
				if f.ZH == "" || f.EN == "" {
					t.Errorf("field %s lacks a message", f.Field)
				}
			}
			if !slices.Equal(got, tt.fields) {
				t.Errorf("fields = %v, want %v", got, tt.fields)
			}
		})
	}
}

// QH (八): risk assessment covers every decision in the listed domains.
func TestRulePack_RiskDomainMandatory_QH8(t *testing.T) {
	p := validPack()
	tests := []struct {
		domains []string
		want    string
		ok      bool
	}{
		{[]string{"交通运输"}, "交通运输", true},
		{[]string{"文化旅游", "生态环境保护", "交通运输"}, "生态环境保护", true},
		{[]string{" 交通运输 "}, "交通运输", true},
		{[]string{"文化旅游"}, "", false},
		{nil, "", false},
		{[]string{""}, "", false},
	}
	for _, tt := range tests {
		got, ok := p.RiskDomainMandatory(tt.domains)
		if got != tt.want || ok != tt.ok {
			t.Errorf("RiskDomainMandatory(%q) = %q, %v; want %q, %v", tt.domains, got, ok, tt.want, tt.ok)
		}
	}
	national := RulePack{Code: NationalRulePackCode}
	if d, ok := national.RiskDomainMandatory([]string{"生态环境保护"}); ok {
		t.Errorf("national pack has no mandatory list, got %q", d)
	}
}
