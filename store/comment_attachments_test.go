package store_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// A comment's optional attachment (issue 13): stored as a document in the
// comment's own transaction, named by the comment's row and bound by its
// content hash, read by the drafter's side only.

// commentPDF is a small PDF a member of the public attaches.
var commentPDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n% 关于课后服务的补充材料\ntrailer<<>>\n%%EOF\n")

// elfBinary starts like a Linux executable.
var elfBinary = append([]byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00"), bytes.Repeat([]byte{0x90}, 64)...)

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// written counts what a comment writes: comments (every period) and audit
// events.
func written(t *testing.T, db *store.DB, id int64, fxActor workflow.Actor) [2]int {
	t.Helper()
	l, err := db.Comments(ctx, fxActor, id, store.CommentFilter{AllRounds: true})
	if err != nil {
		t.Fatal(err)
	}
	_, n, err := db.Audit(ctx, store.System, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return [2]int{l.Total, n}
}

// TestCommentAttachment_Stored: a PDF attached to a comment is stored as a
// document (content-addressed: the same file twice is one document), the
// comment's row names it with its cleaned name, its audit event names it
// by hash, type and size (never by name), the drafter reads it and
// downloads it, someone outside the decision's scope or asking through
// another decision gets not_found, and the whole database verifies.
func TestCommentAttachment_Stored(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := b.Open(t)
			fx, id := openConsultation(t, db)
			drafter := fx.Actors["drafter"]
			rc, err := db.SubmitComment(ctx, id, workflow.NewComment{Text: "补充材料见附件", Attachment: &workflow.CommentFile{Name: "补充材料.pdf", Content: commentPDF}}, "192.0.2.1")
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := db.DocumentStored(ctx, sha(commentPDF)); err != nil || !ok {
				t.Fatalf("the attachment is stored as a document: %v %v", ok, err)
			}
			l, err := db.Comments(ctx, drafter, id, store.CommentFilter{})
			if err != nil || len(l.Items) != 1 {
				t.Fatalf("list: %+v %v", l, err)
			}
			a := l.Items[0].Attachment
			if a == nil || a.Name != "补充材料.pdf" || a.Hash != sha(commentPDF) || a.Size != int64(len(commentPDF)) || a.ContentType != store.MimePDF {
				t.Fatalf("the comment's attachment: %+v", a)
			}
			r, err := db.ReceiptOf(ctx, rc.Receipt)
			if err != nil || r.Attachment == nil || r.Attachment.Name != "补充材料.pdf" || r.Attachment.Size != int64(len(commentPDF)) {
				t.Fatalf("the receipt names the attachment: %+v %v", r, err)
			}
			evs, _, err := db.Audit(ctx, store.System, store.AuditFilter{Event: ptr(workflow.EvCommentReceived)})
			if err != nil || len(evs) != 1 {
				t.Fatalf("one comment_received event: %d %v", len(evs), err)
			}
			if data := string(evs[0].Data); !strings.Contains(data, sha(commentPDF)) || !strings.Contains(data, store.MimePDF) || strings.Contains(data, "补充材料") {
				t.Errorf("the audit event names the file by hash and type, not by name: %s", data)
			}

			// The drafter downloads it; the executor (outside the scope of a
			// decision still in participation) and the system administrator
			// do not see it; nor does a comment id through another decision.
			d, content, err := db.CommentAttachmentOf(ctx, drafter, id, l.Items[0].ID)
			if err != nil || !bytes.Equal(content, commentPDF) || d.Name != "补充材料.pdf" || d.MIME != store.MimePDF {
				t.Fatalf("the drafter's download: %+v %v", d, err)
			}
			for _, who := range []string{"executor", "sysadmin", "auditor"} {
				if _, _, err := db.CommentAttachmentOf(ctx, fx.Actors[who], id, l.Items[0].ID); workflow.ErrorCode(err) != workflow.CodeNotFound {
					t.Errorf("%s: want not_found, got %v", who, err)
				}
			}
			other, err := fx.Run(ctx, db, "另一事项", map[string]any{"category": "other_major"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := db.CommentAttachmentOf(ctx, fx.Actors["office"], other.Decision.ID, l.Items[0].ID); workflow.ErrorCode(err) != workflow.CodeNotFound {
				t.Errorf("a comment through another decision: %v", err)
			}

			// A comment without an attachment has none to download.
			if _, err := db.SubmitComment(ctx, id, workflow.NewComment{Text: "没有附件的意见"}, "192.0.2.2"); err != nil {
				t.Fatal(err)
			}
			l, _ = db.Comments(ctx, drafter, id, store.CommentFilter{})
			if l.Items[0].Attachment != nil {
				t.Errorf("a comment without a file has an attachment: %+v", l.Items[0].Attachment)
			}
			if _, _, err := db.CommentAttachmentOf(ctx, drafter, id, l.Items[0].ID); workflow.ErrorCode(err) != workflow.CodeNotFound {
				t.Errorf("no attachment: %v", err)
			}

			// The same file again, under another name: one document, two
			// comments each with its own name.
			if _, err := db.SubmitComment(ctx, id, workflow.NewComment{Text: "同一文件", Attachment: &workflow.CommentFile{Name: "再次提交.PDF", Content: commentPDF}}, "192.0.2.3"); err != nil {
				t.Fatal(err)
			}
			l, _ = db.Comments(ctx, drafter, id, store.CommentFilter{})
			if a := l.Items[0].Attachment; a == nil || a.Name != "再次提交.PDF" || a.Hash != sha(commentPDF) {
				t.Errorf("the second comment's attachment: %+v", a)
			}
			if res, err := db.Verify(ctx); err != nil || !res.OK {
				t.Fatalf("verify: %+v %v", res, err)
			}
		})
	}
}

// TestCommentAttachment_Refused: a file whose content is not an allowed
// type (an executable named .pdf), or an empty one, is refused naming the
// field; nothing is written — no comment, no document, no audit event.
func TestCommentAttachment_Refused(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := b.Open(t)
			fx, id := openConsultation(t, db)
			for _, tc := range []struct {
				name    string
				file    workflow.CommentFile
				code    string
				content string
			}{
				{"an executable named .pdf", workflow.CommentFile{Name: "报告.pdf", Content: elfBinary}, store.CodeDocumentType, "executable"},
				{"an HTML page", workflow.CommentFile{Name: "page.png", Content: []byte("<html><script>alert(1)</script></html>")}, store.CodeDocumentType, "text/html"},
				{"an empty file", workflow.CommentFile{Name: "空.pdf", Content: nil}, workflow.CodeValidationFailed, ""},
			} {
				t.Run(tc.name, func(t *testing.T) {
					before := written(t, db, id, fx.Actors["drafter"])
					_, err := db.SubmitComment(ctx, id, workflow.NewComment{Text: "附件有问题的意见", Attachment: &tc.file}, "192.0.2.1")
					e, ok := workflow.AsError(err)
					if !ok || e.Code != tc.code || len(e.Fields) != 1 || e.Fields[0].Field != workflow.CommentFieldAttachment || !strings.Contains(e.EN, tc.content) {
						t.Fatalf("want %s on the attachment, got %#v", tc.code, err)
					}
					if got := written(t, db, id, fx.Actors["drafter"]); got != before {
						t.Errorf("a refused comment wrote something: %v → %v", before, got)
					}
					if len(tc.file.Content) > 0 {
						if ok, _ := db.DocumentStored(ctx, sha(tc.file.Content)); ok {
							t.Error("the refused file was stored")
						}
					}
				})
			}
			// A comment refused for its decision (no consultation the public
			// may see) with a good file: its file is not stored either.
			other := append([]byte(nil), commentPDF...)
			other = append(other, "% 另一份\n"...)
			if _, err := db.SubmitComment(ctx, id+1000, workflow.NewComment{Text: "意见", Attachment: &workflow.CommentFile{Name: "a.pdf", Content: other}}, "192.0.2.1"); workflow.ErrorCode(err) != workflow.CodeNotFound {
				t.Fatalf("no such consultation: %v", err)
			}
			if ok, _ := db.DocumentStored(ctx, sha(other)); ok {
				t.Error("the file of a refused comment was stored")
			}
		})
	}
}

// TestCommentAttachment_Names: the name a client sends is cleaned before
// it is stored (PostgreSQL refuses NUL in text): no folder of either
// kind, no control or invisible formatting characters (a right-to-left
// override disguising ".exe"), at most 200 characters, and always the
// extension of the sniffed type.
func TestCommentAttachment_Names(t *testing.T) {
	long := strings.Repeat("长", 300) + ".pdf"
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := b.Open(t)
			fx, id := openConsultation(t, db)
			for i, tc := range []struct{ sent, want string }{
				{`..\..\Windows\System32\报告.pdf`, "报告.pdf"},
				{"../../etc/passwd", "passwd.pdf"},
				{"意见\x00附件.pdf", "意见附件.pdf"},
				{"tab\tand\nnewline\r.pdf", "tabandnewline.pdf"},
				{"invoice\u202Efdp.exe", "invoicefdp.exe.pdf"},
				{"bad\xff\xfeutf8.pdf", "badutf8.pdf"},
				{"/", "附件.pdf"},
				{"  ", "附件.pdf"},
				{"scan.PDF", "scan.PDF"},
				{long, strings.Repeat("长", workflow.CommentFileNameMaxLen-4) + ".pdf"},
			} {
				content := append(append([]byte(nil), commentPDF...), byte('0'+i)) // a distinct document each time
				if _, err := db.SubmitComment(ctx, id, workflow.NewComment{Text: "意见", Attachment: &workflow.CommentFile{Name: tc.sent, Content: content}}, "192.0.2.1"); err != nil {
					t.Fatalf("%q: %v", tc.sent, err)
				}
				l, err := db.Comments(ctx, fx.Actors["drafter"], id, store.CommentFilter{})
				if err != nil {
					t.Fatal(err)
				}
				got := l.Items[0].Attachment.Name
				if got != tc.want {
					t.Errorf("%q is stored as %q, want %q", tc.sent, got, tc.want)
				}
				if n := utf8.RuneCountInString(got); n > workflow.CommentFileNameMaxLen {
					t.Errorf("%q: %d characters", got, n)
				}
			}
			if res, err := db.Verify(ctx); err != nil || !res.OK {
				t.Fatalf("verify: %+v %v", res, err)
			}
		})
	}
}

// TestCommentAttachment_Verify: verify vouches for the attachment — a
// changed attachment name is named (it is in the content hash), and so is
// a comment whose attachment's document row was deleted behind the
// triggers' back.
func TestCommentAttachment_Verify(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			for _, tc := range []struct{ name, drop, change, reason string }{
				{"the document deleted", map[string]string{"sqlite": `DROP TRIGGER documents_no_delete`, "postgres": `DROP TRIGGER documents_immutable ON documents`}[b.Name],
					`DELETE FROM documents`, "is missing from documents"},
				{"the name changed", map[string]string{"sqlite": `DROP TRIGGER comments_no_update`, "postgres": `DROP TRIGGER comments_immutable ON comments`}[b.Name],
					`UPDATE comments SET attachment_name = 'other.pdf' WHERE attachment_hash <> ''`, "does not match the content"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					db, _ := b.Open(t)
					_, id := openConsultation(t, db)
					if _, err := db.SubmitComment(ctx, id, workflow.NewComment{Text: "没有附件"}, "192.0.2.1"); err != nil {
						t.Fatal(err)
					}
					if _, err := db.SubmitComment(ctx, id, workflow.NewComment{Text: "有附件", Attachment: &workflow.CommentFile{Name: "材料.pdf", Content: commentPDF}}, "192.0.2.1"); err != nil {
						t.Fatal(err)
					}
					if res, err := db.Verify(ctx); err != nil || !res.OK {
						t.Fatalf("verify before: %+v %v", res, err)
					}
					if _, err := db.ExecRaw(ctx, tc.drop); err != nil {
						t.Fatal(err)
					}
					if _, err := db.ExecRaw(ctx, tc.change); err != nil {
						t.Fatal(err)
					}
					res, err := db.Verify(ctx)
					if err != nil || res.OK || res.Table != "comments" || !strings.Contains(res.Reason, tc.reason) {
						t.Fatalf("verify must name the comment: %+v %v", res, err)
					}
				})
			}
		})
	}
}

// TestCommentAttachment_InTheArchive (一事一档): the package holds each
// comment's attachment under its hash, listed in the manifest's
// comment_documents and in the 卷内目录; it verifies; a package that lost
// the file, or whose comments.json names an attachment the manifest does
// not list, is refused naming it.
func TestCommentAttachment_InTheArchive(t *testing.T) {
	db, _ := storetest.OpenSQLite(t, "qinghai")
	fx, id := openConsultation(t, db)
	if _, err := db.SubmitComment(ctx, id, workflow.NewComment{Text: "补充材料见附件", Attachment: &workflow.CommentFile{Name: "补充材料.pdf", Content: commentPDF}}, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	pkg, _, err := db.ExportArchive(ctx, fx.Actors["office"], id)
	if err != nil {
		t.Fatal(err)
	}
	if rep := verifyPkg(t, pkg); !rep.OK {
		t.Fatalf("the package verifies: %+v", rep)
	}
	zr, _ := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	path := "documents/" + sha(commentPDF) + ".pdf"
	if !bytes.Equal(files[path], commentPDF) {
		t.Fatalf("the attachment is not in the package at %s: %v", path, mapKeys(files))
	}
	var m store.Manifest
	if err := json.Unmarshal(files[store.ManifestFile], &m); err != nil {
		t.Fatal(err)
	}
	if len(m.CommentDocuments) != 1 || m.CommentDocuments[0].Path != path || m.CommentDocuments[0].Name != "补充材料.pdf" || m.CommentDocuments[0].Receipt == "" {
		t.Fatalf("the manifest's comment documents: %+v", m.CommentDocuments)
	}
	if !strings.Contains(string(files["index.html"]), "公众意见附件：补充材料.pdf") || !strings.Contains(string(files[store.CommentsFile]), `"attachment"`) {
		t.Errorf("the 卷内目录 or comments.json lacks the attachment")
	}
	// The file changed: named.
	if rep := verifyPkg(t, rezip(t, pkg, path, func(b []byte) []byte { return append(b, ' ') })); rep.OK || !strings.Contains(rep.Problem, path) {
		t.Errorf("a changed attachment must be named: %+v", rep)
	}
	// A package whose manifest lost the file (re-signed by nobody): its
	// signature fails; comments.json naming an attachment the manifest does
	// not list is named even before the signature is checked.
	noDocs := rezip(t, pkg, store.ManifestFile, func(b []byte) []byte {
		var mm map[string]any
		_ = json.Unmarshal(b, &mm)
		delete(mm, "comment_documents")
		out, _ := json.Marshal(mm)
		return out
	})
	if rep := verifyPkg(t, noDocs); rep.OK || !strings.Contains(rep.Problem, "attachment") {
		t.Errorf("an attachment missing from the manifest must be named: %+v", rep)
	}
}

func mapKeys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestCommentAttachment_DocumentsFolder: where documents live in a folder
// (--documents-dir), a comment's file is written there under its hash
// (the row holds no bytes), downloads from there, goes into the archive
// package, and verify vouches for it — and names it once the file is
// gone.
func TestCommentAttachment_DocumentsFolder(t *testing.T) {
	dir := t.TempDir()
	opts := storetest.Options(t, "qinghai")
	opts.DocumentsDir = dir
	db, _ := storetest.Backends(t)[0].OpenWith(t, opts)
	fx, id := openConsultation(t, db)
	if _, err := db.SubmitComment(ctx, id, workflow.NewComment{Text: "见附件", Attachment: &workflow.CommentFile{Name: "材料.pdf", Content: commentPDF}}, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	h := sha(commentPDF)
	blob := filepath.Join(dir, h[:2], h[2:4], h)
	if b, err := os.ReadFile(blob); err != nil || !bytes.Equal(b, commentPDF) {
		t.Fatalf("the file in the folder: %v", err)
	}
	l, _ := db.Comments(ctx, fx.Actors["drafter"], id, store.CommentFilter{})
	if _, content, err := db.CommentAttachmentOf(ctx, fx.Actors["drafter"], id, l.Items[0].ID); err != nil || !bytes.Equal(content, commentPDF) {
		t.Fatalf("download from the folder: %v", err)
	}
	pkg, _, err := db.ExportArchive(ctx, fx.Actors["office"], id)
	if err != nil {
		t.Fatal(err)
	}
	if rep := verifyPkg(t, pkg); !rep.OK {
		t.Fatalf("the package verifies: %+v", rep)
	}
	if res, err := db.Verify(ctx); err != nil || !res.OK {
		t.Fatalf("verify: %+v %v", res, err)
	}
	if err := os.Remove(blob); err != nil {
		t.Fatal(err)
	}
	if res, err := db.Verify(ctx); err != nil || res.OK || !strings.Contains(res.Reason, h) {
		t.Fatalf("a file gone from the folder must be named: %+v %v", res, err)
	}
}
