package templates

import (
	"bytes"
	"strings"
	"testing"
)

// Every page renders inside its layout: the console's pages in
// layout/base.html, the public pages in layout/public.html (a layout is
// named by its file's base name once parsed).
func TestPagesRenderInTheirLayout(t *testing.T) {
	var b bytes.Buffer
	err := Render(&b, "errors/error", &View{Lang: "zh", Title: "未找到", Data: struct {
		Status                   int
		Title, Detail, RequestID string
		Errors                   []struct{ Field, ZH, EN string }
	}{404, "未找到 Not Found", "没有此地址 / no such route", "req-1", nil}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "<!DOCTYPE html>") || !strings.Contains(b.String(), "没有此地址") || !strings.Contains(b.String(), "app.") {
		t.Errorf("error page:\n%s", b.String())
	}
	if layoutOf("public/catalogue") != "public.html" || layoutOf("console/home") != "base.html" {
		t.Error("layouts")
	}
	names := Names()
	for _, want := range []string{"public/index", "public/catalogues", "public/catalogue", "public/report", "public/decision", "errors/error", "auth/login"} {
		found := false
		for _, n := range names {
			found = found || n == want
		}
		if !found {
			t.Errorf("no page %s in %v", want, names)
		}
	}
}
