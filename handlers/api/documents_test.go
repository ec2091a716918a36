package api_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"decisiond/handlers"
	"decisiond/handlers/handlerstest"
	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

var pdf = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

func zipOf(t *testing.T, files ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, f := range files {
		fw, err := w.Create(f)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(fw, "<x>%s</x>", f)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// upload sends a file as multipart/form-data.
func upload(t *testing.T, e *env, tok, name string, content []byte) response {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest("POST", e.Srv.URL+"/api/v1/documents", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+tok)
	return e.Send(t, nil, req)
}

type uploaded struct {
	Hash    string `json:"hash"`
	Alg     string `json:"alg"`
	Size    int64  `json:"size"`
	Type    string `json:"type"`
	Name    string `json:"name"`
	Created bool   `json:"created"`
}

// TestDocuments_UploadSniffAttachDownload (Art. 33; QH (九) 全流程记录):
// the type comes from the content, not the name — an executable named .pdf
// is refused (415 document_type_not_allowed); OFD is recognised; the same
// file uploaded twice is stored once; a document attached to an act has its
// hash in that act's audit event; the download's bytes hash to the
// recorded hash, with the type and a UTF-8 download name; a superseded
// document stays listed; unknown hashes are refused.
func TestDocuments_UploadSniffAttachDownload(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newEnv(t, b.Open)
			drafter := tokenOf(t, "drafter")
			elf := append([]byte("\x7fELF\x02\x01\x01\x00"), bytes.Repeat([]byte{0}, 64)...)
			problem(t, upload(t, e, drafter, "决策草案.pdf", elf), http.StatusUnsupportedMediaType, store.CodeDocumentType)
			problem(t, upload(t, e, drafter, "脚本.pdf", []byte("#!/bin/sh\nrm -rf /\n")), http.StatusUnsupportedMediaType, store.CodeDocumentType)
			problem(t, upload(t, e, tokenOf(t, "auditor"), "x.pdf", pdf), http.StatusForbidden, workflow.CodeForbidden)
			for name, c := range map[string]struct {
				content []byte
				mime    string
			}{
				"公文.ofd":  {zipOf(t, "OFD.xml", "Doc_0/Document.xml"), store.MimeOFD},
				"意见.docx": {zipOf(t, "[Content_Types].xml", "word/document.xml"), store.MimeDOCX},
				"测算.xlsx": {zipOf(t, "[Content_Types].xml", "xl/workbook.xml"), store.MimeXLSX},
				"照片.png":  {[]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"), store.MimePNG},
				"a.zip":   {zipOf(t, "readme.txt"), ""},
			} {
				r := upload(t, e, drafter, name, c.content)
				if c.mime == "" {
					problem(t, r, http.StatusUnsupportedMediaType, store.CodeDocumentType)
					continue
				}
				if r.Status != http.StatusCreated || decode[uploaded](t, r).Type != c.mime {
					t.Errorf("%s: want %s, got %s", name, c.mime, r)
				}
			}
			r := upload(t, e, drafter, "会议纪要.pdf", pdf)
			first := decode[uploaded](t, r)
			sum := sha256.Sum256(pdf)
			if r.Status != http.StatusCreated || !first.Created || first.Hash != hex.EncodeToString(sum[:]) || first.Alg != "sha256" || first.Type != store.MimePDF {
				t.Fatalf("upload: %s", r)
			}
			again := upload(t, e, tokenOf(t, "office"), "另一个名字.pdf", pdf)
			if again.Status != http.StatusOK || decode[uploaded](t, again).Created || decode[uploaded](t, again).Hash != first.Hash {
				t.Fatalf("the same file again is stored once: %s", again)
			}

			d := e.RunSteps(t, e.CreateFare(t).Decision, stepsBefore(t, workflow.EvStartParticipation))
			problem(t, e.Fire(t, "drafter", d.ID, workflow.EvReviseDraft, d.Version, map[string]any{"text": "草案", "documents": []map[string]any{{"hash": strings.Repeat("0", 64), "title": "不存在"}}}),
				http.StatusBadRequest, workflow.CodeValidationFailed)
			problem(t, e.Fire(t, "drafter", d.ID, workflow.EvReviseDraft, d.Version, map[string]any{"text": "草案", "documents": []map[string]any{{"hash": "abc", "title": "格式不对"}}}),
				http.StatusBadRequest, workflow.CodeValidationFailed)
			d = e.MustFire(t, "drafter", d, workflow.EvReviseDraft, map[string]any{"text": "草案修改稿", "note": "附起草说明",
				"documents": []map[string]any{{"hash": first.Hash, "title": "起草说明"}}})
			al := decode[auditList](t, e.Do(t, "GET", fmt.Sprintf("/api/v1/decisions/%d/audit?per_page=200", d.ID), tokenOf(t, "leader"), nil))
			last := al.Items[len(al.Items)-1]
			if !bytes.Contains(last.Data, []byte(first.Hash)) {
				t.Fatalf("the act's audit event must hold the document's hash: %s", last.Data)
			}
			list := decode[struct {
				Items []store.Attachment `json:"items"`
			}](t, e.Do(t, "GET", fmt.Sprintf("/api/v1/decisions/%d/documents", d.ID), drafter, nil))
			if len(list.Items) != 1 || list.Items[0].AuditSeq != last.Seq || list.Items[0].Title != "起草说明" {
				t.Fatalf("attachments: %+v", list.Items)
			}
			dl := e.Do(t, "GET", fmt.Sprintf("/api/v1/decisions/%d/documents/%s", d.ID, first.Hash), drafter, nil)
			got := sha256.Sum256(dl.Body)
			if dl.Status != http.StatusOK || hex.EncodeToString(got[:]) != first.Hash || dl.Header.Get("Content-Type") != store.MimePDF {
				t.Fatalf("download: %d %v", dl.Status, dl.Header)
			}
			if cd := dl.Header.Get("Content-Disposition"); !strings.Contains(cd, "filename*=UTF-8''%E4%BC%9A%E8%AE%AE%E7%BA%AA%E8%A6%81.pdf") {
				t.Errorf("Content-Disposition %q", cd)
			}
			// Supersede: the old attachment stays, marked.
			second := decode[uploaded](t, upload(t, e, drafter, "起草说明（修订）.pdf", append(append([]byte{}, pdf...), " "...)))
			d = e.MustFire(t, "drafter", d, workflow.EvReviseDraft, map[string]any{"text": "草案修改稿二", "documents": []map[string]any{
				{"hash": second.Hash, "title": "起草说明（修订）", "supersedes": list.Items[0].ID}}})
			list = decode[struct {
				Items []store.Attachment `json:"items"`
			}](t, e.Do(t, "GET", fmt.Sprintf("/api/v1/decisions/%d/documents", d.ID), drafter, nil))
			if len(list.Items) != 2 || list.Items[0].SupersededBy == nil || *list.Items[0].SupersededBy != list.Items[1].ID {
				t.Fatalf("supersession: %+v", list.Items)
			}
			// A document is reachable only through a decision it is attached to.
			other := e.CreateFare(t).Decision
			handlerstest.Problem(t, e.Do(t, "GET", fmt.Sprintf("/api/v1/decisions/%d/documents/%s", other.ID, first.Hash), tokenOf(t, "office"), nil), http.StatusNotFound, workflow.CodeNotFound)
			e.Verify(t)
		})
	}
}

// TestDocuments_SizeLimitAndFolderStorage: above the configured limit an
// upload is 413; with a documents folder the content lives there once,
// under its hash, and downloads from it.
func TestDocuments_SizeLimitAndFolderStorage(t *testing.T) {
	dir := t.TempDir()
	opts := storetest.Options(t, "qinghai")
	opts.DocumentsDir = dir
	db, _ := storetest.Backends(t)[0].OpenWith(t, opts)
	fx := storetest.Base(t, db)
	srv := httptest.NewServer(handlers.New(handlers.Deps{DB: db, Auth: store.AuthPolicy{AllowDemo: true}, MaxDocument: 1 << 10}))
	t.Cleanup(srv.Close)
	e := &env{DB: db, Fx: fx, Srv: srv, HTTP: srv.Client()}
	big := append(append([]byte{}, pdf...), bytes.Repeat([]byte("x"), 2<<10)...)
	problem(t, upload(t, e, tokenOf(t, "drafter"), "大文件.pdf", big), http.StatusRequestEntityTooLarge, "payload_too_large")
	r := upload(t, e, tokenOf(t, "drafter"), "小文件.pdf", pdf)
	h := decode[uploaded](t, r).Hash
	upload(t, e, tokenOf(t, "office"), "again.pdf", pdf)
	var files int
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			files++
		}
		return nil
	})
	if files != 1 {
		t.Fatalf("want the content stored once in the folder, found %d files", files)
	}
	if _, err := os.Stat(filepath.Join(dir, h[:2], h[2:4], h)); err != nil {
		t.Fatal(err)
	}
	res, err := fx.Run(t.Context(), db, seeds.FareTitle, seeds.FareFlags, stepsBefore(t, workflow.EvStartParticipation))
	if err != nil {
		t.Fatal(err)
	}
	d := decisionJSON{ID: res.Decision.ID, State: string(res.Decision.State), Version: res.Decision.Version}
	e.MustFire(t, "drafter", d, workflow.EvReviseDraft, map[string]any{"text": "稿", "documents": []map[string]any{{"hash": h, "title": "附件"}}})
	dl := e.Do(t, "GET", fmt.Sprintf("/api/v1/decisions/%d/documents/%s", d.ID, h), tokenOf(t, "drafter"), nil)
	if dl.Status != http.StatusOK || !bytes.Equal(dl.Body, pdf) {
		t.Fatalf("download from the folder: %s", dl)
	}
}

// TestDraftAsAFile (Art. 12): a draft version may be a file: its hash is
// the draft's (so the legality opinion binds the file), the file is kept as
// the act's attachment; a draft is text or file, not both, and the file
// must have been uploaded.
func TestDraftAsAFile(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newEnv(t, b.Open)
			d := e.RunSteps(t, e.CreateFare(t).Decision, stepsBefore(t, workflow.EvStartParticipation))
			docx := zipOf(t, "[Content_Types].xml", "word/document.xml")
			up := decode[uploaded](t, upload(t, e, tokenOf(t, "drafter"), "票价方案（草案）.docx", docx))
			problem(t, e.Fire(t, "drafter", d.ID, workflow.EvReviseDraft, d.Version, map[string]any{"text": "全文", "document": up.Hash}), http.StatusBadRequest, workflow.CodeValidationFailed)
			problem(t, e.Fire(t, "drafter", d.ID, workflow.EvReviseDraft, d.Version, map[string]any{"document": strings.Repeat("e", 64)}), http.StatusBadRequest, workflow.CodeValidationFailed)
			problem(t, e.Fire(t, "drafter", d.ID, workflow.EvReviseDraft, d.Version, map[string]any{"note": "无正文"}), http.StatusBadRequest, workflow.CodeValidationFailed)
			d = e.MustFire(t, "drafter", d, workflow.EvReviseDraft, map[string]any{"document": up.Hash, "note": "以文件形式提交"})
			if d.CurrentDraftHash == nil || *d.CurrentDraftHash != up.Hash {
				t.Fatalf("the file's hash is the draft's: %v", d.CurrentDraftHash)
			}
			list := decode[struct {
				Items []store.Attachment `json:"items"`
			}](t, e.Do(t, "GET", fmt.Sprintf("/api/v1/decisions/%d/documents", d.ID), tokenOf(t, "office"), nil))
			if len(list.Items) != 1 || list.Items[0].Hash != up.Hash || list.Items[0].Event != workflow.EvReviseDraft {
				t.Fatalf("the draft file is kept as the act's attachment: %+v", list.Items)
			}
			drafts := decode[struct {
				Items []workflow.Draft `json:"items"`
			}](t, e.Do(t, "GET", fmt.Sprintf("/api/v1/decisions/%d/drafts", d.ID), tokenOf(t, "office"), nil))
			if last := drafts.Items[len(drafts.Items)-1]; last.SHA256 != up.Hash || last.Text != "" {
				t.Fatalf("the draft version: %+v", last)
			}
			e.Verify(t)
		})
	}
}
