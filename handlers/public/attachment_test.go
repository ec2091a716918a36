package public_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"strings"
	"testing"
	"time"

	"decisiond/handlers"
	"decisiond/handlers/api"
	"decisiond/handlers/handlerstest"
	"decisiond/handlers/public"
	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// A comment's optional attachment (issue 13): the form is multipart with
// a file field; the file is sniffed, bounded, stored with the comment or
// not at all; the receipt names it; only the drafter's side downloads it.

// pdfOf is a PDF of exactly n bytes (n ≥ 32), distinct per tag.
func pdfOf(n int, tag string) []byte {
	head := "%PDF-1.4\n% " + tag + "\n"
	tail := "\n%%EOF\n"
	return []byte(head + strings.Repeat("0", n-len(head)-len(tail)) + tail)
}

// elf starts like a Linux executable.
var elf = append([]byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00"), bytes.Repeat([]byte{0x90}, 64)...)

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// upload is one file part of a multipart post.
type upload struct {
	field, name string
	// disposition is a Content-Disposition written by hand (it overrides
	// field and name).
	disposition string
	content     []byte
}

var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// postMultipart posts the comment form as multipart/form-data, the fields
// first and then the files, as the page's form does; html: as a browser
// (the page again on a refusal), else as an API client.
func (c *consult) postMultipart(t *testing.T, path string, fields url.Values, files []upload, html bool) handlerstest.Response {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, k := range []string{"text", "name", "contact", "website"} {
		for _, v := range fields[k] {
			if err := w.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		disp := f.disposition
		if disp == "" {
			disp = fmt.Sprintf(`form-data; name="%s"; filename="%s"`, f.field, quoteEscaper.Replace(f.name))
		}
		h.Set("Content-Disposition", disp)
		h.Set("Content-Type", "application/octet-stream") // what a browser sends for an unknown type: never trusted
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		pw.Write(f.content)
	}
	w.Close()
	req, err := http.NewRequest("POST", c.Srv.URL+path, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	if html {
		req.Header.Set("Accept", "text/html")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		return c.Send(t, c.Browser(t), req)
	}
	return c.Send(t, nil, req)
}

func attach(name string, content []byte) []upload {
	return []upload{{field: "attachment", name: name, content: content}}
}

// drafterComments is the drafter's list of the consultation's comments.
func (c *consult) drafterComments(t *testing.T) api.CommentsPage {
	t.Helper()
	r := c.Do(t, "GET", fmt.Sprintf("/api/v1/decisions/%d/comments", c.id), handlerstest.Token(t, "drafter"), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("comments: %s", r)
	}
	return handlerstest.Decode[api.CommentsPage](t, r)
}

func (c *consult) stored(t *testing.T, content []byte) bool {
	t.Helper()
	ok, err := c.DB.DocumentStored(t.Context(), sha(content))
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// TestConsultation_Attachment: a member of the public attaches a PDF to
// the form; the receipt page names it and its size ("附件已收到") and
// offers no download; the drafter's list describes it and the drafter
// downloads it from the API and the console (its sniffed type,
// Content-Disposition attachment with the UTF-8 name, nosniff); whoever
// may not read the decision's comments gets 404, exactly where the
// comments list is 404; the public has no download route; JSON carries no
// file; the chain and every table verify.
func TestConsultation_Attachment(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			c := newConsult(t, b, handlers.Limits{})
			pdf := pdfOf(3000, "课后服务问卷")
			page := mustGet(t, c.Env, c.path, "text/html")
			if body := string(page.Body); !strings.Contains(body, `enctype="multipart/form-data"`) || !strings.Contains(body, `name="attachment"`) ||
				!strings.Contains(body, `type="file"`) || !strings.Contains(body, "不超过10 MB") {
				t.Fatalf("the form has no file field: %s", page)
			}

			// A browser posts the form with the file and lands on the receipt.
			r := c.postMultipart(t, c.postPath, url.Values{"text": {"问卷结果见附件，建议延长服务时间。"}, "name": {"钱家长"}, "website": {""}},
				attach("课后服务问卷结果.pdf", pdf), true)
			if r.Status != http.StatusSeeOther {
				t.Fatalf("the form with a file: want 303, got %s", r)
			}
			rec := get(t, c.Env, r.Header.Get("Location"))
			body := string(rec.Body)
			if rec.Status != http.StatusOK || !strings.Contains(body, "课后服务问卷结果.pdf") || !strings.Contains(body, "3 KB") || !strings.Contains(body, "附件已收到") {
				t.Fatalf("the receipt names the attachment and its size: %s", rec)
			}
			if strings.Contains(body, "/attachment") || strings.Contains(body, sha(pdf)) {
				t.Errorf("the receipt page offers the attachment: %s", rec)
			}
			if !c.stored(t, pdf) {
				t.Fatal("the attachment is not stored")
			}

			// An API client posts multipart too; JSON carries no file.
			jpeg := append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"), bytes.Repeat([]byte{0}, 200)...)
			mustReceipt(t, c.postMultipart(t, c.postPath, url.Values{"text": {"现场照片见附件。"}}, attach("照片.jpg", jpeg), false))
			before := c.written(t)
			handlerstest.Problem(t, c.postJSON(t, c.postPath, map[string]any{"text": "意见", "attachment": "JVBERi0xLjQ="}), http.StatusBadRequest, workflow.CodeValidationFailed)
			mustReceipt(t, c.postJSON(t, c.postPath, map[string]any{"text": "没有附件的意见"}))
			if got := c.written(t); got[0] != before[0]+1 {
				t.Errorf("the JSON comments: %v → %v", before, got)
			}

			// The drafter's list describes each attachment.
			list := c.drafterComments(t)
			if len(list.Items) != 3 {
				t.Fatalf("three comments: %+v", list)
			}
			none, photo, withPDF := list.Items[0], list.Items[1], list.Items[2]
			if a := withPDF.Attachment; a == nil || a.Name != "课后服务问卷结果.pdf" || a.Hash != sha(pdf) || a.Size != int64(len(pdf)) || a.ContentType != store.MimePDF {
				t.Fatalf("the PDF: %+v", withPDF.Attachment)
			}
			if a := photo.Attachment; a == nil || a.ContentType != store.MimeJPEG || a.Name != "照片.jpg" {
				t.Fatalf("the photo: %+v", photo.Attachment)
			}
			raw := c.Do(t, "GET", fmt.Sprintf("/api/v1/decisions/%d/comments", c.id), handlerstest.Token(t, "drafter"), nil)
			var items struct {
				Items []map[string]json.RawMessage `json:"items"`
			}
			_ = json.Unmarshal(raw.Body, &items)
			if _, ok := items.Items[0]["attachment"]; ok || none.Attachment != nil {
				t.Errorf("a comment without a file has an attachment member: %s", items.Items[0]["attachment"])
			}
			if a := string(items.Items[2]["attachment"]); !strings.Contains(a, `"content_type":"application/pdf"`) || !strings.Contains(a, `"size":3000`) {
				t.Errorf("the attachment's JSON: %s", a)
			}

			// The drafter downloads it (API).
			dl := fmt.Sprintf("/api/v1/decisions/%d/comments/%d/attachment", c.id, withPDF.ID)
			r = c.Do(t, "GET", dl, handlerstest.Token(t, "drafter"), nil)
			checkDownload(t, r, pdf, store.MimePDF, "%E8%AF%BE%E5%90%8E%E6%9C%8D%E5%8A%A1%E9%97%AE%E5%8D%B7%E7%BB%93%E6%9E%9C.pdf")

			// Scoped exactly as the comments list: each demo person gets the
			// list and the file, or 404 for both.
			for _, u := range seeds.DemoUsers {
				tok := handlerstest.Token(t, u.Name)
				l := c.Do(t, "GET", fmt.Sprintf("/api/v1/decisions/%d/comments", c.id), tok, nil).Status
				f := c.Do(t, "GET", dl, tok, nil).Status
				if l != f || (l != http.StatusOK && l != http.StatusNotFound) {
					t.Errorf("%s: the list answers %d, the attachment %d", u.Name, l, f)
				}
			}
			if r := c.Do(t, "GET", dl, handlerstest.Token(t, "executor"), nil); r.Status != http.StatusNotFound {
				t.Errorf("the executor (outside the scope): %s", r)
			}
			fare := c.Demo.Decisions[seeds.FareTitle]
			for _, path := range []string{
				fmt.Sprintf("/api/v1/decisions/%d/comments/%d/attachment", fare, withPDF.ID), // through another decision
				fmt.Sprintf("/api/v1/decisions/%d/comments/%d/attachment", c.id, none.ID),    // a comment without a file
				fmt.Sprintf("/api/v1/decisions/%d/comments/999999/attachment", c.id),
				fmt.Sprintf("/api/v1/decisions/%d/comments/x/attachment", c.id),
			} {
				handlerstest.Problem(t, c.Do(t, "GET", path, handlerstest.Token(t, "office"), nil), http.StatusNotFound, workflow.CodeNotFound)
			}
			if r := c.Do(t, "GET", dl, "", nil); r.Status != http.StatusUnauthorized {
				t.Errorf("no token: %s", r)
			}

			// The console: the comments page links it, the link downloads it;
			// someone outside the scope gets 404.
			br := c.Browser(t)
			if r := c.SignIn(t, br, "drafter", seeds.DemoPassword); r.Status != http.StatusSeeOther {
				t.Fatalf("sign in: %s", r)
			}
			link := fmt.Sprintf("/decisions/%d/comments/%d/attachment", c.id, withPDF.ID)
			cp := c.Page(t, br, fmt.Sprintf("/decisions/%d/comments", c.id))
			if !strings.Contains(string(cp.Body), `href="`+link+`"`) || !strings.Contains(string(cp.Body), "课后服务问卷结果.pdf") {
				t.Fatalf("the console's comments page does not link the attachment: %s", cp)
			}
			r = c.Page(t, br, link)
			checkDownload(t, r, pdf, store.MimePDF, "%E8%AF%BE")
			if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
				t.Errorf("the console's download is cacheable: %q", cc)
			}
			ex := c.Browser(t)
			if r := c.SignIn(t, ex, "executor", seeds.DemoPassword); r.Status != http.StatusSeeOther {
				t.Fatalf("sign in: %s", r)
			}
			if r := c.Page(t, ex, link); r.Status != http.StatusNotFound {
				t.Errorf("the executor's console download: %s", r)
			}

			// The public never downloads an attachment: there is no route.
			for _, path := range []string{
				fmt.Sprintf("/public/consultations/%d/comments/%d/attachment", c.id, withPDF.ID),
				fmt.Sprintf("/public/consultations/%d/comments/%d", c.id, withPDF.ID),
				"/public/receipts/" + withPDF.Receipt + "/attachment",
				"/public/documents/" + sha(pdf),
			} {
				if r := get(t, c.Env, path); r.Status != http.StatusNotFound || bytes.Contains(r.Body, pdf) {
					t.Errorf("GET %s (the public): want 404, got %s", path, r)
				}
			}
			c.Verify(t)
		})
	}
}

// checkDownload checks a download: the bytes, the sniffed type, an
// attachment disposition with the UTF-8 name (RFC 5987), nosniff.
func checkDownload(t *testing.T, r handlerstest.Response, want []byte, mime, nameStart string) {
	t.Helper()
	if r.Status != http.StatusOK || !bytes.Equal(r.Body, want) {
		t.Fatalf("download: %s", r)
	}
	if ct := r.Header.Get("Content-Type"); ct != mime {
		t.Errorf("Content-Type %q, want %s", ct, mime)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; ") || !strings.Contains(cd, "filename*=UTF-8''"+nameStart) {
		t.Errorf("Content-Disposition %q", cd)
	}
	if r.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(r.Header.Get("X-Content-Hash"), sha(want)) {
		t.Errorf("headers: %v", r.Header)
	}
}

// TestConsultation_AttachmentRefused: a file of a type not allowed (an
// executable named .pdf, sniffed from its content whatever the name and
// the part's Content-Type say) is 415 document_type_not_allowed; a file
// over the limit 413 (the limit itself is taken); two files, a file in
// another field or an empty file 400 — every time at the field
// attachment — and a multipart post with a bad text, the honeypot filled
// in or too many parts 400, with nothing written: no comment, no
// document, no audit event. A browser gets the form again with its text, the reason at the
// field and a word that the file must be chosen again. A file name with a
// folder or a NUL is cleaned.
func TestConsultation_AttachmentRefused(t *testing.T) {
	const limit = 256 << 10
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			c := newConsultWith(t, b, handlers.Limits{}, public.Config{CommentAttachmentMax: limit})
			over := pdfOf(limit+1, "过大")
			text := url.Values{"text": {"附件有问题的意见"}}
			cases := []struct {
				name   string
				fields url.Values
				files  []upload
				status int
				code   string
				field  string
				file   []byte // must not be stored
			}{
				{"an executable named .pdf", text, attach("报告.pdf", elf), 415, store.CodeDocumentType, "attachment", elf},
				{"a page of HTML named .png", text, attach("图.png", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>")), 415, store.CodeDocumentType, "attachment", nil},
				{"one byte over the limit", text, attach("大文件.pdf", over), 413, "payload_too_large", "attachment", over},
				{"two files", text, append(attach("a.pdf", pdfOf(100, "a")), attach("b.pdf", pdfOf(100, "b"))...), 400, workflow.CodeValidationFailed, "attachment", pdfOf(100, "a")},
				{"a file in another field", text, []upload{{field: "file", name: "a.pdf", content: pdfOf(100, "c")}}, 400, workflow.CodeValidationFailed, "attachment", pdfOf(100, "c")},
				{"an empty file", text, attach("空.pdf", nil), 400, workflow.CodeValidationFailed, "attachment", nil},
				{"a good file without a text", url.Values{"name": {"张三"}}, attach("a.pdf", pdfOf(100, "d")), 400, workflow.CodeValidationFailed, "text", pdfOf(100, "d")},
				{"a good file on a decision never open for comment", text, attach("a.pdf", pdfOf(100, "e")), 404, workflow.CodeNotFound, "", pdfOf(100, "e")},
				{"NUL in the text", url.Values{"text": {"意\x00见"}}, attach("a.pdf", pdfOf(100, "f")), 400, workflow.CodeValidationFailed, "text", pdfOf(100, "f")},
				{"the honeypot filled in", url.Values{"text": {"意见"}, "website": {"http://spam.example"}}, attach("a.pdf", pdfOf(100, "g")), 400, workflow.CodeValidationFailed, "website", pdfOf(100, "g")},
				{"seventeen parts", url.Values{"text": {"意见"}, "name": make([]string, 16)}, nil, 400, workflow.CodeValidationFailed, "body", nil},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					path := c.postPath
					if tc.status == 404 {
						path = fmt.Sprintf("/public/consultations/%d/comments", c.Demo.Decisions["西宁市老旧小区改造三年行动计划"])
					}
					before := c.written(t)
					p := handlerstest.Problem(t, c.postMultipart(t, path, tc.fields, tc.files, false), tc.status, tc.code)
					if tc.field != "" {
						if f := handlerstest.FieldsOf(p); len(f) == 0 || f[0] != tc.field {
							t.Errorf("fields %v, want %s", f, tc.field)
						}
					}
					if got := c.written(t); got != before {
						t.Errorf("a refused post wrote something: %v → %v", before, got)
					}
					if tc.file != nil && c.stored(t, tc.file) {
						t.Error("the refused post's file was stored")
					}
				})
			}
			p := handlerstest.Problem(t, c.postMultipart(t, c.postPath, text, attach("报告.pdf", elf), false), 415, store.CodeDocumentType)
			if !strings.Contains(p.Detail, "文件类型不允许") || !strings.Contains(p.Detail, "application/x-executable") {
				t.Errorf("the type refusal says why: %q", p.Detail)
			}
			p = handlerstest.Problem(t, c.postMultipart(t, c.postPath, text, attach("大文件.pdf", over), false), 413, "payload_too_large")
			if !strings.HasPrefix(p.Detail, "附件超过上限（256 KB）") {
				t.Errorf("the size refusal, Chinese first: %q", p.Detail)
			}

			// A browser: the page again, its text and name kept, the reason
			// at the file field, the file to be chosen again.
			before := c.written(t)
			for _, tc := range []struct {
				file   []byte
				status int
				reason string
			}{{elf, 415, "文件类型不允许"}, {over, 413, "附件超过上限"}} {
				r := c.postMultipart(t, c.postPath, url.Values{"text": {"请看附件中的调查数据。"}, "name": {"孙老师"}}, attach("调查数据.pdf", tc.file), true)
				body := string(r.Body)
				if r.Status != tc.status || !strings.Contains(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, "请看附件中的调查数据。") ||
					!strings.Contains(body, `value="孙老师"`) || !strings.Contains(body, `id="e-attachment"`) || !strings.Contains(body, tc.reason) ||
					!strings.Contains(body, "调查数据.pdf”未提交") || !strings.Contains(body, `enctype="multipart/form-data"`) {
					t.Errorf("the refused form (%d): %s", tc.status, r)
				}
			}
			if got := c.written(t); got != before {
				t.Errorf("a refused form wrote something: %v → %v", before, got)
			}

			// The limit itself is taken; names are cleaned.
			exact := pdfOf(limit, "正好")
			mustReceipt(t, c.postMultipart(t, c.postPath, url.Values{"text": {"正好上限"}}, attach("正好.pdf", exact), false))
			mustReceipt(t, c.postMultipart(t, c.postPath, url.Values{"text": {"带路径的文件名"}}, attach(`C:\Users\张三\Desktop\材料.pdf`, pdfOf(200, "路径")), false))
			mustReceipt(t, c.postMultipart(t, c.postPath, url.Values{"text": {"带空字符的文件名"}}, []upload{{
				disposition: `form-data; name="attachment"; filename*=UTF-8''%E6%9D%90%00%E6%96%99%0A.exe`, content: pdfOf(200, "空字符")}}, false))
			list := c.drafterComments(t)
			names := []string{list.Items[0].Attachment.Name, list.Items[1].Attachment.Name, list.Items[2].Attachment.Name}
			if names[0] != "材料.exe.pdf" || names[1] != "材料.pdf" || names[2] != "正好.pdf" || list.Items[2].Attachment.Size != limit {
				t.Errorf("the names as stored: %q (%+v)", names, list.Items[2].Attachment)
			}
			c.Verify(t)
		})
	}
}

// TestConsultation_AttachmentLimits: the default limit is 10 MB — 10 MB is
// taken, one byte more is 413 with nothing written — and a deployment that
// takes no attachments (--comment-attachment-mb 0) shows no file field
// and refuses a posted file (400), while a multipart form without one is
// taken.
func TestConsultation_AttachmentLimits(t *testing.T) {
	b := storetest.Backends(t)[0]
	c := newConsult(t, b, handlers.Limits{})
	mustReceipt(t, c.postMultipart(t, c.postPath, url.Values{"text": {"十兆附件"}}, attach("十兆.pdf", pdfOf(public.DefaultCommentAttachmentMax, "10MB")), false))
	before := c.written(t)
	big := pdfOf(public.DefaultCommentAttachmentMax+1, "10MB+1")
	p := handlerstest.Problem(t, c.postMultipart(t, c.postPath, url.Values{"text": {"超过十兆"}}, attach("超过.pdf", big), false), 413, "payload_too_large")
	if !strings.Contains(p.Detail, "10 MB") {
		t.Errorf("the refusal names the limit: %q", p.Detail)
	}
	if got := c.written(t); got != before || c.stored(t, big) {
		t.Errorf("an oversized post wrote something: %v → %v", before, got)
	}

	off := newConsultWith(t, b, handlers.Limits{}, public.Config{CommentAttachmentMax: -1})
	page := string(mustGet(t, off.Env, off.path, "text/html").Body)
	if strings.Contains(page, `type="file"`) || strings.Contains(page, "multipart/form-data") || !strings.Contains(page, `name="text"`) {
		t.Errorf("without attachments the form has no file field")
	}
	before = off.written(t)
	p = handlerstest.Problem(t, off.postMultipart(t, off.postPath, url.Values{"text": {"意见"}}, attach("a.pdf", pdfOf(100, "off")), false), 400, workflow.CodeValidationFailed)
	if f := handlerstest.FieldsOf(p); len(f) != 1 || f[0] != "attachment" || !strings.Contains(p.Errors[0].ZH, "不接收意见附件") {
		t.Errorf("a file where none is taken: %+v", p)
	}
	if got := off.written(t); got != before {
		t.Errorf("a refused post wrote something: %v → %v", before, got)
	}
	mustReceipt(t, off.postMultipart(t, off.postPath, url.Values{"text": {"没有选择文件"}}, []upload{{field: "attachment", name: "", content: nil}}, false))
	mustReceipt(t, c.postMultipart(t, c.postPath, url.Values{"text": {"没有选择文件"}}, []upload{{field: "attachment", name: "", content: nil}}, false))
	if l := c.drafterComments(t); l.Items[0].Attachment != nil {
		t.Errorf("an empty file field made an attachment: %+v", l.Items[0].Attachment)
	}
}

// TestConsultation_AttachmentSlowUpload: a file sent slowly outlasts the
// server's read and write timeouts (serve: one minute each), so the post
// with a file moves its connection's deadlines by the time the largest
// file takes at 64 KiB/s; a slow urlencoded post does not get that time.
func TestConsultation_AttachmentSlowUpload(t *testing.T) {
	c := newConsult(t, storetest.Backends(t)[0], handlers.Limits{})
	srv := httptest.NewUnstartedServer(handlers.New(handlers.Deps{DB: c.DB, Auth: store.AuthPolicy{AllowDemo: true}}))
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = 300*time.Millisecond, 300*time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)
	slow := func(body []byte, ctype string) (int, error) {
		pr, pw := io.Pipe()
		go func() {
			for i := 0; i < len(body); i += len(body)/6 + 1 {
				time.Sleep(120 * time.Millisecond) // about 0.8 s in all, past both timeouts
				pw.Write(body[i:min(len(body), i+len(body)/6+1)])
			}
			pw.Close()
		}()
		req, _ := http.NewRequest("POST", srv.URL+c.postPath, pr)
		req.Header.Set("Content-Type", ctype)
		req.ContentLength = int64(len(body))
		res, err := srv.Client().Do(req)
		if err != nil {
			return 0, err
		}
		defer res.Body.Close()
		io.Copy(io.Discard, res.Body)
		return res.StatusCode, nil
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("text", "慢速网络上传的附件")
	fw, _ := w.CreateFormFile("attachment", "慢.pdf")
	fw.Write(pdfOf(64<<10, "慢速"))
	w.Close()
	if status, err := slow(buf.Bytes(), w.FormDataContentType()); err != nil || status != http.StatusCreated {
		t.Fatalf("a slow post with a file: %d %v", status, err)
	}
	if status, err := slow([]byte(url.Values{"text": {"慢速网络上的表单"}}.Encode()), "application/x-www-form-urlencoded"); err == nil && status == http.StatusCreated {
		t.Fatalf("a slow urlencoded post outlasted the server's timeouts (the test proves nothing)")
	}
}
