package store

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"

	"decisiond/store/crypt"
	"decisiond/workflow"

	"github.com/jmoiron/sqlx"
)

// The archive package (一事一档, Art. 33; QH (九) 全流程记录、归档留存): one zip
// per decision with manifest.json at its root — the decision, every draft,
// record and audit event with its hashes, every document with its hash —
// the documents and draft texts themselves, and a printable index.html
// (卷内目录). The manifest carries a signed checkpoint of the chain and is
// itself signed; the public key travels in the package, so VerifyArchive
// checks it offline with nothing else.

// ArchiveFormat names the manifest's format.
const ArchiveFormat = "decisiond-archive/1"

// ManifestFile is the manifest's name at the root of the package.
const ManifestFile = "manifest.json"

// CommentsFile holds the public's comments of the decision in its package.
const CommentsFile = "comments.json"

// Manifest is the package's table of contents and proof.
type Manifest struct {
	Format    string            `json:"format"`
	CreatedAt string            `json:"created_at"`
	CreatedBy string            `json:"created_by"`
	Decision  workflow.Decision `json:"decision"`
	Organ     string            `json:"organ"`
	Unit      string            `json:"undertaking_unit"`
	Drafts    []ManifestDraft   `json:"drafts"`
	Records   []workflow.Record `json:"records"`
	Events    []AuditEvent      `json:"audit_events"`
	Documents []ManifestDoc     `json:"documents"`
	Files     []ManifestFileRef `json:"files"`
	// Comments is the number of the public's comments in comments.json
	// (each with its receipt and the drafter's handling of it).
	Comments int `json:"comments,omitempty"`
	// CommentDocuments are the files the public's comments came with,
	// each in the package under its hash like the other documents.
	CommentDocuments []ManifestCommentDoc `json:"comment_documents,omitempty"`
	Checkpoint       *Checkpoint          `json:"checkpoint"`
	Signature        *ManifestSig         `json:"signature,omitempty"`
}

// ManifestDraft is one draft version; its text is the file drafts/NN.txt.
type ManifestDraft struct {
	No     int    `json:"no"`
	SHA256 string `json:"sha256"`
	Note   string `json:"note"`
	At     string `json:"at"`
	Path   string `json:"path"`
}

// ManifestDoc is one attached document.
type ManifestDoc struct {
	Attachment
	Path string `json:"path"`
}

// ManifestCommentDoc is the attachment of one of the public's comments.
type ManifestCommentDoc struct {
	CommentID int64  `json:"comment_id"`
	Receipt   string `json:"receipt"`
	At        string `json:"at"` // when the comment was received
	Name      string `json:"name"`
	Hash      string `json:"hash"`
	Alg       string `json:"alg"`
	Size      int64  `json:"size"`
	MIME      string `json:"type"`
	Path      string `json:"path"`
}

// ManifestFileRef is the hash of one file of the package.
type ManifestFileRef struct {
	Path string `json:"path"`
	Alg  string `json:"alg"`
	Hash string `json:"hash"`
	Size int    `json:"size"`
}

// ManifestSig signs the manifest without its signature.
type ManifestSig struct {
	Alg       string `json:"alg"`
	KeyID     string `json:"key_id"`
	PublicKey string `json:"public_key"`
	Value     string `json:"value"` // base64
}

// signedBytes is what the manifest's signature covers.
func (m *Manifest) signedBytes() ([]byte, error) {
	c := *m
	c.Signature = nil
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	return append([]byte("decisiond-archive\n"), b...), nil
}

// CodeSigningKeyMissing: the deployment has no signing key (503).
const CodeSigningKeyMissing = "signing_key_missing"

// ArchiveInfo describes an exported package.
type ArchiveInfo struct {
	DecisionID int64  `json:"decision_id"`
	Alg        string `json:"alg"`
	Hash       string `json:"hash"`
	Size       int    `json:"size"`
	Name       string `json:"name"`
}

// ExportArchive builds the archive package of a decision the actor may see,
// records it (its hash, for record_archive) and the export itself (a
// security event), and returns the zip. Without a signing key the package
// cannot prove itself offline, so it is refused.
func (db *DB) ExportArchive(ctx context.Context, actor workflow.Actor, decisionID int64) ([]byte, *ArchiveInfo, error) {
	if db.opts.Signer == nil {
		return nil, nil, workflow.Errorf(CodeSigningKeyMissing, "未配置签名密钥，无法生成可离线校验的归档包（请配置 --signing-key）", "no signing key is configured; an archive package cannot be signed (configure --signing-key)")
	}
	row, _, _, err := db.visibleDecision(ctx, db.r, actor, decisionID, "")
	if err != nil {
		return nil, nil, err
	}
	cp, err := db.Checkpoint(ctx, "archive")
	if err != nil {
		return nil, nil, err
	}
	if cp == nil {
		if cp, err = db.LatestCheckpoint(ctx); err != nil {
			return nil, nil, err
		}
	}
	m := &Manifest{Format: ArchiveFormat, CreatedAt: ts(db.Now()), CreatedBy: actor.Name, Decision: row.decision(), Checkpoint: cp}
	units, err := db.units(ctx, db.r)
	if err != nil {
		return nil, nil, err
	}
	m.Organ = units[row.OrganID].Name
	if row.UndertakingUnitID != nil {
		m.Unit = units[*row.UndertakingUnitID].Name
	}
	if m.Records, err = db.records(ctx, db.r, decisionID); err != nil {
		return nil, nil, err
	}
	if err := db.r.SelectContext(ctx, &m.Events, db.r.Rebind(`SELECT `+auditCols+` FROM audit_events WHERE decision_id = ? ORDER BY seq`), decisionID); err != nil {
		return nil, nil, err
	}
	drafts, err := db.Drafts(ctx, System, decisionID)
	if err != nil {
		return nil, nil, err
	}
	atts, err := attachments(ctx, db.r, decisionID)
	if err != nil {
		return nil, nil, err
	}
	files := map[string][]byte{}
	for _, d := range drafts {
		p := fmt.Sprintf("drafts/%02d.txt", d.No)
		files[p] = []byte(d.Text)
		m.Drafts = append(m.Drafts, ManifestDraft{No: d.No, SHA256: d.SHA256, Note: d.Note, At: ts(d.At), Path: p})
	}
	seen := map[string]string{}
	for _, a := range atts {
		p, ok := seen[a.Hash]
		if !ok {
			_, content, err := db.documentOf(ctx, decisionID, a.Hash)
			if err != nil {
				return nil, nil, err
			}
			p = "documents/" + a.Hash + AllowedTypes[a.MIME]
			files[p], seen[a.Hash] = content, p
		}
		m.Documents = append(m.Documents, ManifestDoc{Attachment: a, Path: p})
	}
	// The public's comments (Art. 14–18) and how each was handled.
	comments, err := db.archiveComments(ctx, decisionID)
	if err != nil {
		return nil, nil, err
	}
	if len(comments) > 0 {
		if files[CommentsFile], err = json.MarshalIndent(comments, "", "  "); err != nil {
			return nil, nil, err
		}
		m.Comments = len(comments)
	}
	// Their attachments, as documents under their hash (the same bytes
	// attached twice are one file).
	for _, c := range comments {
		a := c.Attachment
		if a == nil {
			continue
		}
		d, content, err := db.documentContent(ctx, a.Hash)
		if err != nil {
			return nil, nil, fmt.Errorf("comment %d: %w", c.ID, err)
		}
		p, ok := seen[d.Hash]
		if !ok {
			p = "documents/" + d.Hash + AllowedTypes[d.MIME]
			files[p], seen[d.Hash] = content, p
		}
		m.CommentDocuments = append(m.CommentDocuments, ManifestCommentDoc{CommentID: c.ID, Receipt: c.Receipt, At: ts(c.At), Name: a.Name,
			Hash: d.Hash, Alg: d.Alg, Size: d.Size, MIME: d.MIME, Path: p})
	}
	files["index.html"], err = archiveIndex(m)
	if err != nil {
		return nil, nil, err
	}
	alg := crypt.HashAlgOf(db.opts.Crypto)
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		h, _ := crypt.Sum(alg, files[p])
		m.Files = append(m.Files, ManifestFileRef{Path: p, Alg: alg, Hash: h, Size: len(files[p])})
	}
	sb, err := m.signedBytes()
	if err != nil {
		return nil, nil, err
	}
	sig, err := db.opts.Signer.Sign(sb)
	if err != nil {
		return nil, nil, err
	}
	pub, _ := db.opts.Signer.PublicPEM()
	m.Signature = &ManifestSig{Alg: db.opts.Signer.Alg(), KeyID: db.opts.Signer.KeyID(), PublicKey: string(pub), Value: base64.StdEncoding.EncodeToString(sig)}
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, nil, err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, b []byte) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: db.Now().UTC()})
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	if err := add(ManifestFile, manifest); err != nil {
		return nil, nil, err
	}
	for _, p := range paths {
		if err := add(p, files[p]); err != nil {
			return nil, nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, nil, err
	}
	out := buf.Bytes()
	h, _ := crypt.Sum(alg, out)
	info := &ArchiveInfo{DecisionID: decisionID, Alg: alg, Hash: h, Size: len(out), Name: fmt.Sprintf("decision-%d-archive-%s.zip", decisionID, h[:12])}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		now := db.Now()
		if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO archive_packages (decision_id, hash, alg, size, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`),
			decisionID, h, alg, len(out), actor.UserID, ts(now)); err != nil {
			return err
		}
		role := "system"
		if len(actor.Roles) > 0 && !actor.System {
			role = string(actor.Roles[0])
		}
		return db.appendAudit(ctx, tx, &AuditEvent{ActorID: actor.UserID, ActorName: actor.Name, Role: role, Event: "export",
			OrganID: &row.OrganID}, now, map[string]any{"what": "archive_package", "decision_id": decisionID, "hash": h, "alg": alg,
			"size": len(out), "address": actor.Addr})
	})
	if err != nil {
		return nil, nil, err
	}
	return out, info, nil
}

var indexTmpl = template.Must(template.New("index").Funcs(template.FuncMap{"inc": func(i int) int { return i + 1 }}).Parse(`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>卷内目录 — {{.Decision.Title}}</title>
<style>
@page { size: A4; margin: 37mm 26mm 35mm 28mm; @bottom-center { content: "— " counter(page) " —"; } }
body { font-family: "仿宋_GB2312", "FangSong", "Noto Serif CJK SC", serif; font-size: 16pt; }
h1 { font-family: "方正小标宋简体", "Noto Serif CJK SC", serif; font-size: 22pt; text-align: center; font-weight: normal; }
table { border-collapse: collapse; width: 100%; font-size: 12pt; }
th, td { border: 1px solid #000; padding: 4px 6px; text-align: left; vertical-align: top; }
th { font-family: "黑体", "Noto Sans CJK SC", sans-serif; font-weight: normal; }
p.meta { font-size: 12pt; }
</style></head><body>
<h1>卷内目录</h1>
<p class="meta">决策事项：{{.Decision.Title}}（编号 {{.Decision.ID}}）<br>决策机关：{{.Organ}}　承办单位：{{.Unit}}<br>归档包生成时间：{{.CreatedAt}}</p>
<table>
<thead><tr><th>序号</th><th>题名</th><th>日期</th><th>页数/大小</th><th>责任者</th></tr></thead>
<tbody>
{{range $i, $r := .Rows}}<tr><td>{{inc $i}}</td><td>{{$r.Title}}</td><td>{{$r.Date}}</td><td>{{$r.Size}}</td><td>{{$r.Who}}</td></tr>
{{end}}</tbody></table>
</body></html>
`))

type indexRow struct{ Title, Date, Size, Who string }

// archiveIndex renders the printable 卷内目录: each act with its record,
// each draft version and each document, in time order.
func archiveIndex(m *Manifest) ([]byte, error) {
	proc := workflow.New()
	var rows []indexRow
	chinaDate := func(s string) string {
		t := parseTS(s).In(workflow.ChinaTime)
		return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
	}
	for _, r := range m.Records {
		title := r.Event
		if def, ok := proc.Event(r.Event); ok {
			title = def.ZH
		}
		rows = append(rows, indexRow{Title: title + "记录", Date: chinaDate(ts(r.At)), Size: fmt.Sprintf("%d 字节", len(r.Data)), Who: r.ActorName})
	}
	for _, d := range m.Drafts {
		rows = append(rows, indexRow{Title: fmt.Sprintf("决策草案第%d稿 %s", d.No, d.Note), Date: chinaDate(d.At), Size: d.Path, Who: m.Unit})
	}
	for _, d := range m.Documents {
		rows = append(rows, indexRow{Title: d.Title, Date: chinaDate(d.At), Size: fmt.Sprintf("%d 字节", d.Size), Who: m.Unit})
	}
	if m.Comments > 0 {
		rows = append(rows, indexRow{Title: fmt.Sprintf("公众意见及处理情况（%d条）", m.Comments), Date: chinaDate(m.CreatedAt), Size: CommentsFile, Who: "社会公众；" + m.Unit})
	}
	for _, d := range m.CommentDocuments {
		rows = append(rows, indexRow{Title: fmt.Sprintf("公众意见附件：%s（回执 %s）", d.Name, d.Receipt), Date: chinaDate(d.At), Size: fmt.Sprintf("%d 字节", d.Size), Who: "社会公众"})
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Date < rows[j].Date })
	var b bytes.Buffer
	err := indexTmpl.Execute(&b, map[string]any{"Decision": m.Decision, "Organ": m.Organ, "Unit": m.Unit,
		"CreatedAt": parseTS(m.CreatedAt).In(workflow.ChinaTime).Format("2006-01-02 15:04"), "Rows": rows})
	return b.Bytes(), err
}

// ArchiveReport is what verifying a package found.
type ArchiveReport struct {
	OK       bool   `json:"ok"`
	Decision int64  `json:"decision_id"`
	Events   int    `json:"events"`
	Files    int    `json:"files"`
	KeyID    string `json:"key_id"`
	Problem  string `json:"problem,omitempty"` // the first thing wrong
}

// VerifyArchive checks a package offline, with nothing but the package
// (and, optionally, the deployment's public key to pin): the manifest's
// signature; the signed checkpoint; every file against its hash; every
// audit event against its own hash; every record against the event that
// wrote it; the decision's version against its last event. It names the
// first thing wrong.
func VerifyArchive(r io.ReaderAt, size int64, pinned []byte) (*ArchiveReport, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("not a zip file: %w", err)
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	read := func(name string) ([]byte, error) {
		f, ok := files[name]
		if !ok {
			return nil, fmt.Errorf("%s is missing", name)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		return io.ReadAll(io.LimitReader(rc, 1<<30))
	}
	rep := &ArchiveReport{}
	bad := func(format string, a ...any) (*ArchiveReport, error) {
		rep.OK, rep.Problem = false, fmt.Sprintf(format, a...)
		return rep, nil
	}
	mb, err := read(ManifestFile)
	if err != nil {
		return bad("%s is not at the root of the package", ManifestFile)
	}
	var m Manifest
	if err := json.Unmarshal(mb, &m); err != nil {
		return bad("%s is not valid JSON: %v", ManifestFile, err)
	}
	rep.Decision, rep.Events, rep.Files = m.Decision.ID, len(m.Events), len(m.Files)
	if m.Format != ArchiveFormat {
		return bad("unknown package format %q", m.Format)
	}
	for _, f := range m.Files {
		b, err := read(f.Path)
		if err != nil {
			return bad("%s: %v", f.Path, err)
		}
		h, err := crypt.Sum(f.Alg, b)
		if err != nil {
			return bad("%s: %v", f.Path, err)
		}
		if h != f.Hash {
			return bad("%s: its %s hash is %s, the manifest says %s (the file was changed)", f.Path, f.Alg, h, f.Hash)
		}
	}
	listed := map[string]bool{ManifestFile: true}
	for _, f := range m.Files {
		listed[f.Path] = true
	}
	for name := range files {
		if !listed[name] {
			return bad("%s is in the package but not in the manifest", name)
		}
	}
	for _, d := range m.Documents {
		if !listed[d.Path] || !strings.Contains(d.Path, d.Hash) {
			return bad("document %q (%s) is not in the package under its hash", d.Title, d.Hash)
		}
		b, _ := read(d.Path)
		if h, _ := crypt.Sum(d.Alg, b); h != d.Hash {
			return bad("document %q: the content does not hash to %s", d.Title, d.Hash)
		}
	}
	// The public's attachments: each in the package under its hash, and
	// each one comments.json names is listed.
	listedFor := map[int64]string{}
	for _, d := range m.CommentDocuments {
		if !listed[d.Path] || !strings.Contains(d.Path, d.Hash) {
			return bad("the attachment of comment %d (%s) is not in the package under its hash", d.CommentID, d.Hash)
		}
		b, _ := read(d.Path)
		if h, _ := crypt.Sum(d.Alg, b); h != d.Hash {
			return bad("the attachment of comment %d: the content does not hash to %s", d.CommentID, d.Hash)
		}
		listedFor[d.CommentID] = d.Hash
	}
	if listed[CommentsFile] {
		b, _ := read(CommentsFile)
		var cs []struct {
			ID         int64 `json:"id"`
			Attachment *struct {
				Hash string `json:"hash"`
			} `json:"attachment"`
		}
		if err := json.Unmarshal(b, &cs); err != nil {
			return bad("%s is not valid JSON: %v", CommentsFile, err)
		}
		for _, c := range cs {
			if c.Attachment != nil && listedFor[c.ID] != c.Attachment.Hash {
				return bad("comment %d's attachment (%s) is not among the package's comment documents", c.ID, c.Attachment.Hash)
			}
		}
	}
	for _, d := range m.Drafts {
		b, err := read(d.Path)
		if err != nil {
			return bad("draft %d: %v", d.No, err)
		}
		if len(b) > 0 && workflow.DraftHash(string(b)) != d.SHA256 {
			return bad("draft %d: the text does not hash to %s", d.No, d.SHA256)
		}
	}
	bySeq := map[int64]*AuditEvent{}
	for i := range m.Events {
		e := &m.Events[i]
		h, err := e.computeHash()
		if err != nil || h != e.Hash {
			return bad("audit event seq %d: its hash does not match its content", e.Seq)
		}
		if e.DecisionID == nil || *e.DecisionID != m.Decision.ID {
			return bad("audit event seq %d belongs to another decision", e.Seq)
		}
		bySeq[e.Seq] = e
		if cp := m.Checkpoint; cp != nil && e.Seq == cp.Seq && e.Hash != cp.Hash {
			return bad("audit event seq %d differs from the signed checkpoint", e.Seq)
		}
		if cp := m.Checkpoint; cp != nil && e.Seq > cp.Seq {
			return bad("audit event seq %d is after the signed checkpoint (seq %d)", e.Seq, cp.Seq)
		}
	}
	for _, r := range m.Records {
		e, ok := findRecordEvent(m.Events, r)
		if !ok {
			return bad("record %d (%s): no audit event of the package wrote it", r.ID, r.Event)
		}
		if !recordMatches(e, r) {
			return bad("record %d (%s): its data differs from audit event seq %d", r.ID, r.Event, e.Seq)
		}
	}
	// The decision stands as its last versioned event left it (events of
	// version 0 — a reminder, the handling of comments — change nothing).
	var versioned []AuditEvent
	for _, e := range m.Events {
		if e.Version > 0 {
			versioned = append(versioned, e)
		}
	}
	if n := len(versioned); n > 0 {
		last := versioned[n-1]
		if last.Version != m.Decision.Version || workflow.State(last.To) != m.Decision.State {
			return bad("the decision (version %d, %s) differs from its last audit event seq %d (version %d, %s)",
				m.Decision.Version, m.Decision.State, last.Seq, last.Version, last.To)
		}
	}
	// Last, the proof over all of it: the manifest's signature and the
	// signed checkpoint it carries.
	if m.Signature == nil {
		return bad("the manifest is not signed")
	}
	rep.KeyID = m.Signature.KeyID
	pub := []byte(m.Signature.PublicKey)
	if len(pinned) > 0 {
		if crypt.KeyIDOf(pinned) != m.Signature.KeyID {
			return bad("the manifest is signed with key %s, not the deployment's key %s", m.Signature.KeyID, crypt.KeyIDOf(pinned))
		}
		pub = pinned
	}
	sig, err := base64.StdEncoding.DecodeString(m.Signature.Value)
	if err != nil {
		return bad("the manifest's signature is not base64")
	}
	sb, err := m.signedBytes()
	if err != nil {
		return nil, err
	}
	if err := crypt.Verify(m.Signature.Alg, pub, sb, sig); err != nil {
		return bad("manifest.json: the signature does not verify (the manifest was changed): %v", err)
	}
	if m.Checkpoint == nil {
		return bad("the package carries no signed checkpoint")
	}
	if err := m.Checkpoint.VerifySignature([]byte(m.Signature.PublicKey)); err != nil {
		return bad("checkpoint at seq %d: %v", m.Checkpoint.Seq, err)
	}
	rep.OK = true
	return rep, nil
}

// findRecordEvent finds the event that wrote a record: same event, state
// step, actor and time, and the same data (the event's data holds the
// record's data and, since content hashes, the hash of the record row).
func findRecordEvent(evs []AuditEvent, r workflow.Record) (*AuditEvent, bool) {
	var cand *AuditEvent
	for i := range evs {
		e := &evs[i]
		if e.Event == r.Event && e.From == string(r.From) && e.To == string(r.To) && e.ActorID == r.ActorID && parseTS(e.At).Equal(r.At) {
			if recordMatches(e, r) {
				return e, true
			}
			cand = e
		}
	}
	return cand, cand != nil
}

// recordMatches compares a record with the event that wrote it: the data
// without the engine's content hashes, and the record row's content hash
// when the event carries one.
func recordMatches(e *AuditEvent, r workflow.Record) bool {
	var ed map[string]any
	if err := json.Unmarshal(e.Data, &ed); err != nil {
		return false
	}
	content, _ := ed[contentKey].(map[string]any)
	delete(ed, contentKey)
	eb, _ := json.Marshal(ed)
	if !jsonEqual(eb, r.Data) {
		return false
	}
	if h, ok := content["record"].(string); ok {
		var compact bytes.Buffer // the manifest is indented; the row holds compact JSON
		if err := json.Compact(&compact, r.Data); err != nil {
			return false
		}
		rc := recordContent{DecisionID: *e.DecisionID, Event: r.Event, From: string(r.From), To: string(r.To), ActorID: r.ActorID,
			Data: compact.String(), DraftHash: r.DraftHash, At: e.At}
		return rc.hash() == h
	}
	return true
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return bytes.Equal(a, b)
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return bytes.Equal(xb, yb)
}

// ArchivePackages lists the packages exported for a decision (newest last).
func archivePackages(ctx context.Context, q sqlx.QueryerContext, decisionID int64) ([]string, error) {
	var hs []string
	err := sqlx.SelectContext(ctx, q, &hs, sqlx.Rebind(bindOf(q), `SELECT hash FROM archive_packages WHERE decision_id = ? ORDER BY id`), decisionID)
	return hs, err
}
