package workflow

import "testing"

// Art. 36 ¶2 compares names as a clerk would: spacing, full-width letters
// and case do not make a different organisation.
func TestArt36_NamesCompareAsAClerkWould(t *testing.T) {
	same := [][2]string{
		{"某大学", " 某大学　"},
		{"某咨询（北京）有限公司", "某咨询（北京）有限公司"},
		{"ＡＢＣ Consulting", "abc  consulting"},
		{"Qinghai Policy Institute", "QINGHAI POLICY INSTITUTE"},
	}
	for _, p := range same {
		if !sameName(p[0], p[1]) {
			t.Errorf("sameName(%q, %q) = false", p[0], p[1])
		}
	}
	different := [][2]string{{"某大学", "某大学附属中学"}, {"", ""}, {"  ", ""}, {"王某", "王某某"}}
	for _, p := range different {
		if sameName(p[0], p[1]) {
			t.Errorf("sameName(%q, %q) = true", p[0], p[1])
		}
	}
}

// Art. 12: revising the draft records a new version by its SHA-256; the
// record carries the hash, not the text.
func TestArt12_ReviseDraftRecordsItsHash(t *testing.T) {
	text := "西宁市城市公共交通票价调整方案（征求意见稿）"
	out := mustAllow(t, newFacts(t, StLegalityReview), drafter, EvReviseDraft, M{"text": text, "note": "根据审查意见修改"})
	if out.NewDraft == nil || out.NewDraft.SHA256 != DraftHash(text) || out.DraftHash != DraftHash(text) {
		t.Fatalf("outcome = %+v", out)
	}
	if _, kept := out.Data["text"]; kept || out.Data["sha256"] != DraftHash(text) {
		t.Errorf("data = %v", out.Data)
	}
	_, err := fire(t, newFacts(t, StLegalityReview), drafter, EvReviseDraft, M{"text": "  "})
	refusedField(t, err, "text")
}
