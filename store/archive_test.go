package store_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"decisiond/seeds"
	"decisiond/store"
	"decisiond/store/storetest"
	"decisiond/workflow"
)

// rezip rewrites a package, changing one file with fn.
func rezip(t *testing.T, pkg []byte, name string, fn func([]byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == name {
			b = fn(b)
		}
		w, _ := zw.Create(f.Name)
		w.Write(b)
	}
	zw.Close()
	return out.Bytes()
}

func verifyPkg(t *testing.T, pkg []byte) *store.ArchiveReport {
	t.Helper()
	rep, err := store.VerifyArchive(bytes.NewReader(pkg), int64(len(pkg)), nil)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestArchive_RoundTrip (一事一档, Art. 33; QH (九)): a decision's package —
// manifest.json at the root, its documents, draft texts and index.html —
// verifies offline; flipping one byte of a document, or changing one record
// in the manifest, makes verify name it; a decision without documents
// still verifies; the package's hash is what record_archive then names.
func TestArchive_RoundTrip(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			db, _ := b.Open(t)
			fx := storetest.Base(t, db)
			res, err := fx.Run(ctx, db, seeds.FareTitle, seeds.FareFlags, stepsUntil(workflow.EvStartParticipation))
			if err != nil {
				t.Fatal(err)
			}
			pdf := []byte("%PDF-1.4\n% 起草说明\n%%EOF\n")
			doc, _, err := db.PutDocument(ctx, fx.Actors["drafter"], "起草说明.pdf", pdf)
			if err != nil {
				t.Fatal(err)
			}
			act := workflow.Act{Event: workflow.EvReviseDraft, Actor: fx.Actors["drafter"],
				Data: raw(map[string]any{"text": "草案修改稿", "documents": []map[string]any{{"hash": doc.Hash, "title": "起草说明"}}})}
			r2, err := db.Apply(ctx, res.Decision.ID, act, res.Decision.Version)
			if err != nil {
				t.Fatal(err)
			}
			pkg, info, err := db.ExportArchive(ctx, fx.Actors["office"], res.Decision.ID)
			if err != nil {
				t.Fatal(err)
			}
			zr, _ := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
			if zr.File[0].Name != store.ManifestFile {
				t.Errorf("manifest.json first at the root, got %s", zr.File[0].Name)
			}
			names := map[string]bool{}
			for _, f := range zr.File {
				names[f.Name] = true
			}
			if !names["index.html"] || !names["documents/"+doc.Hash+".pdf"] || !names["drafts/01.txt"] {
				t.Fatalf("package files: %v", names)
			}
			if rep := verifyPkg(t, pkg); !rep.OK || rep.Events != int(r2.Decision.Version) {
				t.Fatalf("a fresh package verifies: %+v", rep)
			}
			rep := verifyPkg(t, rezip(t, pkg, "documents/"+doc.Hash+".pdf", func(b []byte) []byte { b[3] ^= 1; return b }))
			if rep.OK || !strings.Contains(rep.Problem, "documents/"+doc.Hash+".pdf") {
				t.Fatalf("a flipped byte of a document must be named: %+v", rep)
			}
			rep = verifyPkg(t, rezip(t, pkg, store.ManifestFile, func(b []byte) []byte {
				var m map[string]any
				json.Unmarshal(b, &m)
				recs := m["records"].([]any)
				rec := recs[1].(map[string]any)
				rec["data"] = map[string]any{"undertaking_unit_id": 99, "launch_ref": "篡改"}
				out, _ := json.Marshal(m)
				return out
			}))
			if rep.OK || !strings.Contains(rep.Problem, "record") {
				t.Fatalf("a changed record in the manifest must be named: %+v", rep)
			}
			rep = verifyPkg(t, rezip(t, pkg, "index.html", func(b []byte) []byte { return append(b, "<!-- x -->"...) }))
			if rep.OK || !strings.Contains(rep.Problem, "index.html") {
				t.Fatalf("a changed index must be named: %+v", rep)
			}
			// Without documents.
			bare, err := fx.Run(ctx, db, "无附件的事项", map[string]any{"category": "other_major"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			pkg2, _, err := db.ExportArchive(ctx, fx.Actors["office"], bare.Decision.ID)
			if err != nil {
				t.Fatal(err)
			}
			if rep := verifyPkg(t, pkg2); !rep.OK {
				t.Fatalf("a package without documents verifies: %+v", rep)
			}
			// Out of scope: not found; the export is audited; record_archive names it.
			if _, _, err := db.ExportArchive(ctx, fx.Actors["sysadmin"], res.Decision.ID); workflow.ErrorCode(err) != workflow.CodeNotFound {
				t.Fatalf("an administrator cannot export a decision's package: %v", err)
			}
			evs, _, _ := db.Audit(ctx, store.System, store.AuditFilter{Page: store.Page{PerPage: 200}})
			exports := 0
			for _, e := range evs {
				if e.Event == "export" && strings.Contains(string(e.Data), info.Hash) {
					exports++
				}
			}
			if exports != 1 {
				t.Fatalf("the export is one security event naming the package's hash, found %d", exports)
			}
			if v, _ := db.Verify(ctx); !v.OK {
				t.Fatal(v)
			}
		})
	}
}

// TestVerify_DocumentContentTampered: a document's stored content changed
// behind the engine's back (the trigger dropped) no longer hashes to its
// key, and verify names the documents table.
func TestVerify_DocumentContentTampered(t *testing.T) {
	db, _ := storetest.OpenSQLite(t, "qinghai")
	fx := storetest.Base(t, db)
	doc, _, err := db.PutDocument(ctx, fx.Actors["drafter"], "意见.pdf", []byte("%PDF-1.4\n%%EOF\n"))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := db.Verify(ctx); !v.OK {
		t.Fatal(v)
	}
	if _, err := db.ExecRaw(ctx, `DROP TRIGGER documents_no_update`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecRaw(ctx, `UPDATE documents SET content = ? WHERE hash = ?`, []byte("%PDF-1.4\n%forged\n%%EOF\n"), doc.Hash); err != nil {
		t.Fatal(err)
	}
	if v, _ := db.Verify(ctx); v.OK || v.Table != "documents" || !strings.Contains(v.Reason, doc.Hash) {
		t.Fatalf("a changed document must be named: %+v", v)
	}
}
