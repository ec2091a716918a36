package seeds

import (
	"slices"
	"testing"

	"decisiond/workflow"
)

func TestRulePacks_LoadAndValidate(t *testing.T) {
	packs, err := RulePacks()
	if err != nil {
		t.Fatalf("RulePacks: %v", err)
	}
	var codes []string
	for _, p := range packs {
		codes = append(codes, p.Code)
		if err := p.Validate(); err != nil {
			t.Errorf("%s: %v", p.Code, err)
		}
		if len(p.Basis) == 0 || p.Name == "" || p.NameEN == "" {
			t.Errorf("%s: name or basis missing", p.Code)
		}
	}
	if !slices.Equal(codes, []string{"national", "qinghai"}) {
		t.Fatalf("codes = %v, want national first, then qinghai", codes)
	}

	// The national baseline: Art. 15, 16, 26 minimums; no mandatory domains, no lapse.
	n := packs[0]
	if n.CommentPeriodDays != 30 || n.HearingNoticeDays != 7 || n.ReviewWorkingDays != 7 ||
		len(n.MandatoryRiskDomains) != 0 || n.PostponementLapseDays != 0 || n.StuckDecisionDays != 365 {
		t.Errorf("national pack = %+v", n)
	}
}

// QH (八): 实行决策风险评估全覆盖 in exactly the thirteen listed domains.
func TestRulePacks_Qinghai_QH8MandatoryRiskDomains(t *testing.T) {
	packs, err := RulePacks()
	if err != nil {
		t.Fatal(err)
	}
	var qh workflow.RulePack
	for _, p := range packs {
		if p.Code == "qinghai" {
			qh = p
		}
	}
	want := []string{"生态环境保护", "安全生产", "自然资源", "教育培训", "食品安全", "公共卫生", "劳动保障",
		"城市管理", "交通运输", "金融服务", "网络安全", "民族团结进步", "促进民生福祉"}
	if !slices.Equal(qh.MandatoryRiskDomains, want) {
		t.Errorf("qinghai mandatory domains = %v, want %v", qh.MandatoryRiskDomains, want)
	}
	if d, ok := qh.RiskDomainMandatory([]string{"文化旅游", "生态环境保护"}); !ok || d != "生态环境保护" {
		t.Errorf("RiskDomainMandatory = %q, %v; want 生态环境保护", d, ok)
	}
	if qh.HearingNoticeDays != 7 || qh.PostponementLapseDays != 365 || qh.ReviewerServiceLevelWorkingDays != 7 ||
		qh.StuckDecisionDays != 180 || qh.ExecutionReportIntervalDays != 90 || qh.ArchiveTransferDays != 30 {
		t.Errorf("qinghai pack = %+v", qh)
	}
}

func TestDecodeRulePack_Strict(t *testing.T) {
	for name, body := range map[string]string{
		"unknown field":     `{"code":"x","name":"x","basis":["x"],"comment_period_days":30,"hearing_notice_days":7,"review_working_days":7,"extra":1}`,
		"trailing data":     `{"code":"x","name":"x","basis":["x"],"comment_period_days":30,"hearing_notice_days":7,"review_working_days":7} {}`,
		"weakened Art. 15":  `{"code":"x","name":"x","basis":["x"],"comment_period_days":20,"hearing_notice_days":7,"review_working_days":7}`,
		"not a JSON object": `[]`,
	} {
		if _, err := decodeRulePack([]byte(body)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	p, err := decodeRulePack([]byte(`{"code":"x","name":"x","basis":["x"],"comment_period_days":30,"hearing_notice_days":7,"review_working_days":7}`))
	if err != nil || p.Code != "x" {
		t.Errorf("minimal pack: %+v, %v", p, err)
	}
}
