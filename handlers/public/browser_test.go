package public_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"decisiond/handlers"
	"decisiond/handlers/api"
	"decisiond/handlers/handlerstest"
	"decisiond/handlers/public"
	"decisiond/store/storetest"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestBrowser_CommentAndReceipt drives the public pages in Debian's
// Chromium with JavaScript switched off (skipped with the reason where
// Chromium is absent): a member of the public opens the list of
// consultations, the draft's page, writes a comment, attaches a file over
// the limit and gets the form back with the reason and the text kept,
// chooses a small PDF instead and submits, and gets the receipt page with
// its number and the file's name; the drafter's list has the file; after
// the drafter has grouped the
// comment and completed participation with the adoption report, the same
// receipt page says how it was handled and why.
func TestBrowser_CommentAndReceipt(t *testing.T) {
	chrome := handlerstest.NewChrome(t)
	c := newConsult(t, storetest.Backends(t)[0], handlers.Limits{})
	tab := chrome.Tab()
	do, text := handlerstest.Do, handlerstest.Text
	noScript := func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return chromedp.Void{}, err
	}
	do(t, tab, noScript, chromedp.Navigate(c.Srv.URL+"/public/consultations"))
	if got := text(t, tab); !strings.Contains(got, consultationTitle) || !strings.Contains(got, "正在征求意见") {
		t.Fatalf("the list of consultations:\n%s", got)
	}
	handlerstest.Navigating(t, tab, chromedp.Click(chromedp.CSS(`a.button`)))
	if got := text(t, tab); !strings.Contains(got, "征求意见稿") || !strings.Contains(got, "提出意见") {
		t.Fatalf("the consultation's page:\n%s", got)
	}
	handlerstest.Screenshot(t, tab, "consultation")
	dir := t.TempDir()
	pdf, big := filepath.Join(dir, "科普活动建议.pdf"), filepath.Join(dir, "活动照片合集.pdf")
	if err := os.WriteFile(pdf, pdfOf(2048, "浏览器"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(big, pdfOf(public.DefaultCommentAttachmentMax+1<<20, "过大"), 0o600); err != nil {
		t.Fatal(err)
	}
	const comment = "建议课后服务增加科普类活动，并公布各校的服务时间。"
	do(t, tab, chromedp.SendKeys(chromedp.ID("f-text"), comment),
		chromedp.SendKeys(chromedp.ID("f-name"), "赵家长"), chromedp.SetUploadFiles(chromedp.ID("f-attachment"), []string{big}))
	handlerstest.Navigating(t, tab, chromedp.Submit(chromedp.ID("f-text")))
	got := text(t, tab)
	kept := handlerstest.Get(t, tab, chromedp.Value(chromedp.ID("f-text")))
	if !strings.Contains(got, "附件超过上限（10 MB）") || !strings.Contains(got, "活动照片合集.pdf”未提交") || kept != comment {
		t.Fatalf("the form after a file over the limit (text %q):\n%s", kept, got)
	}
	handlerstest.Screenshot(t, tab, "attachment-too-large")
	do(t, tab, chromedp.SetUploadFiles(chromedp.ID("f-attachment"), []string{pdf}))
	handlerstest.Navigating(t, tab, chromedp.Submit(chromedp.ID("f-text")))
	got = text(t, tab)
	if !strings.Contains(got, "您的意见已提交成功") || !strings.Contains(got, "已收到，正在研究处理") || strings.Contains(got, "赵家长") ||
		!strings.Contains(got, "科普活动建议.pdf") || !strings.Contains(got, "附件已收到") {
		t.Fatalf("the receipt page:\n%s", got)
	}
	no := handlerstest.Get(t, tab, chromedp.Text(chromedp.CSS(".receipt-no")))
	if !receiptShape.MatchString(no) {
		t.Fatalf("receipt number %q", no)
	}
	handlerstest.Screenshot(t, tab, "receipt")

	// The drafter groups it and reports; the receipt page then answers.
	r := c.Do(t, "GET", fmt.Sprintf("/api/v1/decisions/%d/comments", c.id), handlerstest.Token(t, "drafter"), nil)
	list := handlerstest.Decode[api.CommentsPage](t, r)
	if len(list.Items) != 1 || list.Items[0].Receipt != no || list.Items[0].Name != "赵家长" {
		t.Fatalf("the drafter's list: %+v", list)
	}
	if a := list.Items[0].Attachment; a == nil || a.Name != "科普活动建议.pdf" || a.Size != 2048 || a.ContentType != "application/pdf" {
		t.Fatalf("the browser's attachment: %+v", a)
	}
	handle(t, c, []int64{list.Items[0].ID}, map[string]any{"kind": "group", "opinion": "丰富课后服务内容并公开服务时间"}, http.StatusOK)
	complete(t, c, []any{map[string]any{"opinion": "丰富课后服务内容并公开服务时间", "adopted": false,
		"reason": "服务内容由各校根据条件确定，服务时间已要求各校公示", "comments": []int64{list.Items[0].ID}}}, http.StatusOK)
	do(t, tab, chromedp.Navigate(c.Srv.URL+"/public/receipts/"+no))
	got = text(t, tab)
	for _, want := range []string{"丰富课后服务内容并公开服务时间", "未采纳", "服务时间已要求各校公示", "建议课后服务增加科普类活动"} {
		if !strings.Contains(got, want) {
			t.Errorf("the receipt page after the report lacks %q:\n%s", want, got)
		}
	}
	handlerstest.Screenshot(t, tab, "receipt-answered")
}
