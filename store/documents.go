package store

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"decisiond/store/crypt"
	"decisiond/workflow"

	"github.com/gabriel-vasile/mimetype"
	"github.com/jmoiron/sqlx"
)

// Document is a stored file, identified by its hash.
type Document struct {
	Hash      string `json:"hash" db:"hash"`
	Alg       string `json:"alg" db:"alg"`
	Size      int64  `json:"size" db:"size"`
	MIME      string `json:"type" db:"mime"`
	Name      string `json:"name" db:"name"`
	CreatedBy int64  `json:"created_by" db:"created_by"`
	CreatedAt string `json:"created_at" db:"created_at"`
}

// Attachment is a document attached to one act of a decision.
type Attachment struct {
	ID           int64  `json:"id" db:"id"`
	DecisionID   int64  `json:"decision_id" db:"decision_id"`
	RecordID     int64  `json:"record_id" db:"record_id"`
	AuditSeq     int64  `json:"audit_seq" db:"audit_seq"`
	Event        string `json:"event" db:"event"`
	Hash         string `json:"hash" db:"hash"`
	Title        string `json:"title" db:"title"`
	Supersedes   *int64 `json:"supersedes" db:"supersedes"`
	SupersededBy *int64 `json:"superseded_by" db:"superseded_by"`
	At           string `json:"at" db:"at"`
	Alg          string `json:"alg" db:"alg"`
	Size         int64  `json:"size" db:"size"`
	MIME         string `json:"type" db:"mime"`
	Name         string `json:"name" db:"name"`
}

// The document types a record may hold (sniffed from the content, never
// from the name): PDF, OFD (the national standard GB/T 33190), DOCX,
// XLSX, JPEG, PNG.
const (
	MimePDF  = "application/pdf"
	MimeOFD  = "application/ofd"
	MimeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	MimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	MimeJPEG = "image/jpeg"
	MimePNG  = "image/png"
)

// AllowedTypes maps each accepted type to its file extension.
var AllowedTypes = map[string]string{MimePDF: ".pdf", MimeOFD: ".ofd", MimeDOCX: ".docx", MimeXLSX: ".xlsx", MimeJPEG: ".jpg", MimePNG: ".png"}

func init() {
	// mimetype has no OFD detector: an OFD file is a zip whose root holds
	// OFD.xml (GB/T 33190-2016 § 7.1).
	mimetype.Lookup("application/zip").Extend(func(raw []byte, _ uint32) bool { return zipHasRoot(raw, "OFD.xml") }, MimeOFD, ".ofd")
}

// zipHasRoot reports whether a zip holds a file of that name at its root.
// It reads the central directory when the whole file is given and falls
// back to the local headers of a prefix.
func zipHasRoot(raw []byte, name string) bool {
	if zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw))); err == nil {
		for _, f := range zr.File {
			if f.Name == name {
				return true
			}
		}
		return false
	}
	for off := 0; off+30 <= len(raw); {
		if !bytes.Equal(raw[off:off+4], []byte("PK\x03\x04")) {
			return false
		}
		n := int(raw[off+26]) | int(raw[off+27])<<8
		extra := int(raw[off+28]) | int(raw[off+29])<<8
		if off+30+n > len(raw) {
			return false
		}
		if string(raw[off+30:off+30+n]) == name {
			return true
		}
		size := int(raw[off+18]) | int(raw[off+19])<<8 | int(raw[off+20])<<16 | int(raw[off+21])<<24
		off += 30 + n + extra + size
	}
	return false
}

// Sniff tells the type of a file from its content.
func Sniff(content []byte) string {
	m := mimetype.Detect(content)
	for ; m != nil; m = m.Parent() {
		if _, ok := AllowedTypes[m.String()]; ok {
			return m.String()
		}
	}
	return mimetype.Detect(content).String()
}

// CodeDocumentType refuses a file whose content is not an accepted type.
const CodeDocumentType = "document_type_not_allowed"

// PutDocument stores a file under its hash (the deployment's algorithm:
// SHA-256, or SM3 under 国密) and reports whether it was new. The type is
// sniffed from the content; an executable named .pdf is refused. Storing
// the same file again stores nothing. Errors: document_type_not_allowed,
// validation_failed, forbidden.
func (db *DB) PutDocument(ctx context.Context, actor workflow.Actor, name string, content []byte) (*Document, bool, error) {
	if len(actor.Roles) == 0 || actor.Has(workflow.RoleSysadmin) || actor.Has(workflow.RoleSecadmin) || actor.Has(workflow.RoleAuditor) {
		return nil, false, &workflow.Error{Code: workflow.CodeForbidden, Rule: "role_required",
			ZH: "仅办理决策的人员可上传文件", EN: "only people who take part in the procedure upload documents"}
	}
	d, err := db.newDocument(name, content, "file", documentNameMaxLen, "document")
	if err != nil {
		return nil, false, err
	}
	d.CreatedBy, d.CreatedAt = actor.UserID, ts(db.Now())
	created := false
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if created, err = db.storeDocument(ctx, tx, d, content); err != nil || created {
			return err
		}
		return tx.GetContext(ctx, d, tx.Rebind(`SELECT hash, alg, size, mime, name, created_by, created_at FROM documents WHERE hash = ?`), d.Hash)
	})
	if err != nil {
		return nil, false, err
	}
	return d, created, nil
}

// documentNameMaxLen bounds a document's cleaned name.
const documentNameMaxLen = 120

// newDocument checks a file and describes it as it would be stored: the
// type sniffed from the content (an allowed one, or
// document_type_not_allowed), the hash under the deployment's algorithm,
// the size, and the name cleaned (at most maxName characters; fallback
// when nothing is left of it). field names the field of a refusal.
// Errors: validation_failed (empty), document_type_not_allowed.
func (db *DB) newDocument(name string, content []byte, field string, maxName int, fallback string) (*Document, error) {
	if len(content) == 0 {
		return nil, invalidField(field, "文件为空", "the file is empty")
	}
	mime := Sniff(content)
	if _, ok := AllowedTypes[mime]; !ok {
		zh := "文件类型不允许（按内容识别为 " + mime + "）；仅接受 PDF、OFD、DOCX、XLSX、JPEG、PNG"
		en := "file type not allowed (the content is " + mime + "); only PDF, OFD, DOCX, XLSX, JPEG and PNG are accepted"
		return nil, &workflow.Error{Code: CodeDocumentType, ZH: zh, EN: en, Fields: []workflow.FieldError{{Field: field, ZH: zh, EN: en}}}
	}
	alg := crypt.HashAlgOf(db.opts.Crypto)
	sum, err := crypt.Sum(alg, content)
	if err != nil {
		return nil, err
	}
	return &Document{Hash: sum, Alg: alg, Size: int64(len(content)), MIME: mime, Name: cleanName(name, mime, maxName, fallback)}, nil
}

// storeDocument stores a document in tx unless one of its hash is stored
// already (the same bytes: the store is content-addressed) and reports
// whether it was new. Where the deployment keeps documents in a folder,
// the file is written there (durably) before the row, so a row never
// names a missing file; a transaction that then fails leaves at most a
// file no row names, which a later upload of the same bytes reuses.
func (db *DB) storeDocument(ctx context.Context, tx *sqlx.Tx, d *Document, content []byte) (bool, error) {
	var blob []byte
	if dir := db.opts.DocumentsDir; dir != "" {
		if err := writeBlob(dir, d.Hash, content); err != nil {
			return false, fmt.Errorf("store document: %w", err)
		}
	} else {
		blob = content
	}
	res, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO documents (hash, alg, size, mime, name, content, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING`), d.Hash, d.Alg, d.Size, d.MIME, d.Name, blob, d.CreatedBy, d.CreatedAt)
	if err != nil {
		return false, fmt.Errorf("insert document: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// DocumentStored reports whether a document of this hash is stored.
func (db *DB) DocumentStored(ctx context.Context, hash string) (bool, error) {
	var n int
	err := db.r.GetContext(ctx, &n, db.r.Rebind(`SELECT COUNT(*) FROM documents WHERE hash = ?`), hash)
	return n > 0, err
}

// cleanName makes a file name safe to store and to offer as a download
// name: no folder (either kind of slash), no control or invisible
// formatting characters (NUL, which PostgreSQL cannot store, bidirectional
// overrides that disguise an extension, line separators), no quotes,
// valid UTF-8, at most max characters, and ending in the extension of its
// real type (sniffed), which is appended when it does not. fallback names
// a file with nothing left of its name.
func cleanName(name, mime string, max int, fallback string) string {
	name = filepath.Base(strings.ReplaceAll(strings.ToValidUTF8(name, ""), "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) || r == '"' || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "." || name == ".." || name == "/" || name == "" {
		name = fallback
	}
	ext := AllowedTypes[mime]
	cur := filepath.Ext(name)
	if !strings.EqualFold(cur, ext) && !(ext == ".jpg" && strings.EqualFold(cur, ".jpeg")) {
		name, cur = name+ext, ext
	}
	if r := []rune(name); len(r) > max {
		name = strings.TrimSpace(string(r[:max-utf8.RuneCountInString(cur)])) + cur
	}
	return name
}

func blobPath(dir, hash string) string { return filepath.Join(dir, hash[:2], hash[2:4], hash) }

// writeBlob writes content under its hash, durably: a temporary file,
// fsync, rename. An existing blob is left as it is (same hash, same bytes).
func writeBlob(dir, hash string, content []byte) error {
	p := blobPath(dir, hash)
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".upload-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(content); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), p)
}

// attach records the documents an act names, after its record: each must
// have been uploaded; a superseded attachment must be one of this
// decision's.
func (db *DB) attach(ctx context.Context, tx *sqlx.Tx, decisionID, recordID, seq int64, event string, refs []workflow.DocumentRef, now string) error {
	var inv workflow.Invalid
	for i, r := range refs {
		var n int
		if err := tx.GetContext(ctx, &n, tx.Rebind(`SELECT COUNT(*) FROM documents WHERE hash = ?`), r.Hash); err != nil {
			return err
		}
		if n == 0 {
			inv.Add(fmt.Sprintf("documents[%d].hash", i), "没有这个文件，请先上传", "no such document; upload it first")
			continue
		}
		if r.Supersedes != nil {
			if err := tx.GetContext(ctx, &n, tx.Rebind(`SELECT COUNT(*) FROM attachments WHERE id = ? AND decision_id = ?`), *r.Supersedes, decisionID); err != nil {
				return err
			}
			if n == 0 {
				inv.Add(fmt.Sprintf("documents[%d].supersedes", i), "被替代的附件不属于本决策", "the superseded attachment is not one of this decision's")
				continue
			}
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO attachments (decision_id, record_id, audit_seq, event, hash, title, supersedes, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), decisionID, recordID, seq, event, r.Hash, r.Title, r.Supersedes, now); err != nil {
			return err
		}
	}
	return inv.Err()
}

const attachmentCols = `a.id, a.decision_id, a.record_id, a.audit_seq, a.event, a.hash, a.title, a.supersedes,
	(SELECT MIN(s.id) FROM attachments s WHERE s.supersedes = a.id) AS superseded_by, a.at, d.alg, d.size, d.mime, d.name`

// Attachments lists the documents of a decision the actor may see, in the
// order they were attached.
func (db *DB) Attachments(ctx context.Context, actor workflow.Actor, decisionID int64) ([]Attachment, error) {
	if _, err := db.Decision(ctx, actor, decisionID); err != nil {
		return nil, err
	}
	return attachments(ctx, db.r, decisionID)
}

func attachments(ctx context.Context, q sqlx.QueryerContext, decisionID int64) ([]Attachment, error) {
	var out []Attachment
	err := sqlx.SelectContext(ctx, q, &out, sqlx.Rebind(bindOf(q), `SELECT `+attachmentCols+` FROM attachments a JOIN documents d ON d.hash = a.hash
		WHERE a.decision_id = ? ORDER BY a.id`), decisionID)
	if out == nil {
		out = []Attachment{}
	}
	return out, err
}

// DocumentOf returns a document attached to a decision the actor may see,
// with its bytes. A document not attached to that decision is not_found.
func (db *DB) DocumentOf(ctx context.Context, actor workflow.Actor, decisionID int64, hash string) (*Document, []byte, error) {
	if _, err := db.Decision(ctx, actor, decisionID); err != nil {
		return nil, nil, err
	}
	return db.documentOf(ctx, decisionID, hash)
}

func (db *DB) documentOf(ctx context.Context, decisionID int64, hash string) (*Document, []byte, error) {
	var n int
	if err := db.r.GetContext(ctx, &n, db.r.Rebind(`SELECT COUNT(*) FROM attachments WHERE hash = ? AND decision_id = ?`), hash, decisionID); err != nil {
		return nil, nil, err
	}
	if n == 0 {
		return nil, nil, notFound("本决策没有这个文件", "no such document in this decision")
	}
	return db.documentContent(ctx, hash)
}

// documentContent is a stored document with its bytes (from the row, or
// from the documents folder).
func (db *DB) documentContent(ctx context.Context, hash string) (*Document, []byte, error) {
	var row struct {
		Document
		Content []byte `db:"content"`
	}
	err := db.r.GetContext(ctx, &row, db.r.Rebind(`SELECT hash, alg, size, mime, name, created_by, created_at, content FROM documents WHERE hash = ?`), hash)
	if isNoRows(err) {
		return nil, nil, fmt.Errorf("document %s is missing", hash)
	}
	if err != nil {
		return nil, nil, err
	}
	content := row.Content
	if content == nil && db.opts.DocumentsDir != "" {
		if content, err = os.ReadFile(blobPath(db.opts.DocumentsDir, hash)); err != nil {
			return nil, nil, fmt.Errorf("read document %s: %w", hash, err)
		}
	}
	return &row.Document, content, nil
}
