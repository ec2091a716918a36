package workflow

import (
	"os"
	"regexp"
	"testing"
)

// Every deadline kind Deadlines adds has its label in DeadlineLabels (the
// index rebuilds deadlines from it), with the same words.
func TestDeadlineLabelsCoverEveryKind(t *testing.T) {
	b, err := os.ReadFile("deadlines.go")
	if err != nil {
		t.Fatal(err)
	}
	adds := regexp.MustCompile(`add\((Dl\w+), "([^"]*)", "([^"]*)", "([^"]*)"`).FindAllStringSubmatch(string(b), -1)
	if len(adds) < 8 {
		t.Fatalf("found %d deadline kinds", len(adds))
	}
	consts := map[string]string{DlCommentClosing: "DlCommentClosing", DlHearingMaterials: "DlHearingMaterials", DlReviewDue: "DlReviewDue",
		DlReviewerService: "DlReviewerService", DlExecutionReport: "DlExecutionReport", DlExecutionLimit: "DlExecutionLimit",
		DlArchiveTransfer: "DlArchiveTransfer", DlLapse: "DlLapse", DlStuck: "DlStuck"}
	for _, a := range adds {
		var kind string
		for k, name := range consts {
			if name == a[1] {
				kind = k
			}
		}
		if l, ok := DeadlineLabels[kind]; !ok || l.ZH != a[2] || l.EN != a[3] || l.Article != a[4] {
			t.Errorf("deadline %s: label %+v, want %q %q %q", a[1], l, a[2], a[3], a[4])
		}
	}
}
