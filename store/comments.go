package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"decisiond/workflow"

	"github.com/jmoiron/sqlx"
)

// The public's comments on a draft open for comment (Art. 14–18).
//
// A comment is an act of the anonymous public: one audit event
// (comment_received; no decision id, the decision's organ, actor 0
// 匿名公众, version 0) binds the comment's row by its content hash, so
// verify vouches for it; the row is append-only (triggers). The address is
// kept only as a salted hash (HMAC-SHA-256 under the deployment's salt,
// Options.AddressSalt, which is never written to the database or the
// audit data). Comments take the group-commit path like acts: a receipt is
// answered only after its commit is durable.
//
// The drafter's handling (grouping into a main opinion, or marking as a
// duplicate, off-topic or abusive with the reason) is append-only too; the
// latest row of a comment is how it stands. One act of handling is one
// audit event of the decision (comments_handled, version 0) binding all
// the rows it wrote.

// PublicActorName is the actor of the public's acts in the audit trail.
const PublicActorName = "匿名公众"

// publicRole is the role of the public's acts in the audit trail.
const publicRole = "public"

var errNoConsultation = workflow.Errorf(workflow.CodeNotFound, "未找到该公开征求意见", "no such public consultation")

// CommentReceipt is what a member of the public gets back: the receipt
// number (回执编号) and the time the comment was taken (server clock).
type CommentReceipt struct {
	Receipt string    `json:"receipt"`
	At      time.Time `json:"at"`
}

// commentContent is a comments row's content.
type commentContent struct {
	DecisionID int64  `db:"decision_id"`
	RoundID    int64  `db:"round_id"`
	Receipt    string `db:"receipt"`
	DraftNo    int    `db:"draft_no"`
	DraftHash  string `db:"draft_hash"`
	Text       string `db:"text"`
	Name       string `db:"name"`
	Contact    string `db:"contact"`
	AddrHash   string `db:"addr_hash"`
	At         string `db:"at"`
	AuditSeq   int64  `db:"audit_seq"`
	// The attachment: its document's hash and its cleaned file name (""
	// when none).
	AttachmentHash string `db:"attachment_hash"`
	AttachmentName string `db:"attachment_name"`
}

func (c *commentContent) hash() string {
	return contentOf("comments", map[string]any{"decision_id": c.DecisionID, "round_id": c.RoundID, "receipt": c.Receipt,
		"draft_no": c.DraftNo, "draft_hash": c.DraftHash, "text": c.Text, "name": c.Name, "contact": c.Contact,
		"addr_hash": c.AddrHash, "at": c.At, "attachment_hash": c.AttachmentHash, "attachment_name": c.AttachmentName})
}

// handlingContent is a comment_handling row's content.
type handlingContent struct {
	CommentID   int64  `db:"comment_id"`
	DecisionID  int64  `db:"decision_id"`
	Kind        string `db:"kind"`
	Opinion     string `db:"opinion"`
	Reason      string `db:"reason"`
	DuplicateOf *int64 `db:"duplicate_of"`
	ActorID     int64  `db:"actor_id"`
	At          string `db:"at"`
	AuditSeq    int64  `db:"audit_seq"`
}

func (h *handlingContent) hash() string {
	return contentOf("comment_handling", map[string]any{"comment_id": h.CommentID, "decision_id": h.DecisionID, "kind": h.Kind,
		"opinion": h.Opinion, "reason": h.Reason, "duplicate_of": h.DuplicateOf, "actor_id": h.ActorID, "at": h.At})
}

// handlingBatchHash binds the rows one act of handling wrote, in order.
func handlingBatchHash(rows []string) string {
	list := make([]any, len(rows))
	for i, r := range rows {
		list[i] = r
	}
	return contentOf("comment_handling_batch", map[string]any{"rows": list})
}

// receiptAlphabet is Crockford's base 32: no I, L, O or U to misread.
const receiptAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// receiptPattern is the shape of a receipt number: the day it was taken
// (China time) and 60 random bits in three groups, e.g.
// 20261118-7KQ3-M9XD-2FHP.
var receiptPattern = regexp.MustCompile(`^\d{8}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$`)

// newReceipt makes a receipt number: unguessable, so that a receipt is the
// only key to its page.
func newReceipt(now time.Time) (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	var s strings.Builder
	s.WriteString(now.In(workflow.ChinaTime).Format("20060102"))
	for i, x := range b {
		if i%4 == 0 {
			s.WriteByte('-')
		}
		s.WriteByte(receiptAlphabet[x&31])
	}
	return s.String(), nil
}

// NormalizeReceipt reads a receipt number as a person types it (case and
// surrounding blanks do not matter); "" when it is not one.
func NormalizeReceipt(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if !receiptPattern.MatchString(s) {
		return ""
	}
	return s
}

// addrHash is the salted hash of a client's address.
func (db *DB) addrHash(addr string) string {
	m := hmac.New(sha256.New, db.opts.AddressSalt)
	m.Write([]byte(addr))
	return hex.EncodeToString(m.Sum(nil))
}

// startRecord is a decision's latest start_participation record (nil when
// it never opened a comment period).
func startRecord(ctx context.Context, q sqlx.QueryerContext, decisionID int64) (*workflow.Record, error) {
	var rows []recordRow
	if err := sqlx.SelectContext(ctx, q, &rows, sqlx.Rebind(bindOf(q), `SELECT id, event, from_state, to_state, actor_id, data, draft_hash, at
		FROM records WHERE decision_id = ? AND event = ? ORDER BY id DESC LIMIT 1`), decisionID, workflow.EvStartParticipation); err != nil {
		return nil, fmt.Errorf("load the comment period: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &recordsOf(rows)[0], nil
}

// SubmitComment takes a comment of the public on a decision in public
// participation, by the server's clock within its period, and answers the
// receipt once the comment is durably committed. addr is the client's
// address; only its salted hash is kept.
//
// A comment's attachment is stored as a document (content-addressed: the
// same bytes are stored once) in the comment's own transaction, so there
// is no comment without its file and no file acknowledged without its
// comment; the comment row names it by hash with its cleaned name, and
// both are in the content hash its audit event binds.
//
// Errors: validation_failed (the comment, workflow.NewComment.Check; an
// empty attachment), document_type_not_allowed (the attachment's content
// is not an allowed type), not_found (no consultation the public may
// see), consultation_closed (outside the period, or participation over),
// storage_full / storage_read_only.
func (db *DB) SubmitComment(ctx context.Context, decisionID int64, c workflow.NewComment, addr string) (_ *CommentReceipt, err error) {
	defer func() { db.acts.observe(db.proc, workflow.EvCommentReceived, err) }()
	if err := c.Check(); err != nil {
		return nil, err
	}
	var doc *Document
	if f := c.Attachment; f != nil {
		if doc, err = db.newDocument(f.Name, f.Content, workflow.CommentFieldAttachment, workflow.CommentFileNameMaxLen, "附件"); err != nil {
			return nil, err
		}
	}
	var out *CommentReceipt
	err = db.inGroup(ctx, func(tx *sqlx.Tx) error {
		row, err := db.loadDecisionRow(ctx, tx, decisionID, db.d.forUpdate)
		if err != nil {
			if isNotFound(err) {
				return errNoConsultation
			}
			return err
		}
		start, err := startRecord(ctx, tx, decisionID)
		if err != nil {
			return err
		}
		d := row.decision()
		if !workflow.ConsultationVisible(d, start) {
			return errNoConsultation
		}
		now := db.Now()
		if err := workflow.CommentsAccepted(d, start, now); err != nil {
			return err
		}
		var draftNo int
		if err := tx.GetContext(ctx, &draftNo, tx.Rebind(`SELECT COALESCE(MAX(no), 0) FROM drafts WHERE decision_id = ? AND sha256 = ?`),
			decisionID, row.CurrentDraftHash); err != nil {
			return fmt.Errorf("load the draft: %w", err)
		}
		receipt, err := newReceipt(now)
		if err != nil {
			return err
		}
		cc := commentContent{DecisionID: decisionID, RoundID: start.ID, Receipt: receipt, DraftNo: draftNo, DraftHash: row.CurrentDraftHash,
			Text: c.Text, Name: c.Name, Contact: c.Contact, AddrHash: db.addrHash(addr), At: ts(now)}
		text := sha256.Sum256([]byte(c.Text))
		data := map[string]any{"decision_id": decisionID, "receipt": receipt, "draft_hash": row.CurrentDraftHash, "text_sha256": hex.EncodeToString(text[:])}
		if doc != nil {
			// The file first: the comment's row names a stored document.
			// The audit data names the file by hash, type and size; its
			// name, like the text, is bound only through the content hash.
			doc.CreatedAt = ts(now)
			if _, err := db.storeDocument(ctx, tx, doc, c.Attachment.Content); err != nil {
				return err
			}
			cc.AttachmentHash, cc.AttachmentName = doc.Hash, doc.Name
			data["attachment"] = map[string]any{"hash": doc.Hash, "alg": doc.Alg, "type": doc.MIME, "size": doc.Size}
		}
		data[contentKey] = map[string]string{"comment": cc.hash()}
		ev := &AuditEvent{OrganID: &row.OrganID, ActorName: PublicActorName, Role: publicRole, Event: workflow.EvCommentReceived,
			From: row.State, To: row.State}
		if err := db.appendAudit(ctx, tx, ev, now, data); err != nil {
			return err
		}
		cc.AuditSeq = ev.Seq
		if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO comments (decision_id, round_id, receipt, draft_no, draft_hash, text, name, contact,
			addr_hash, at, audit_seq, attachment_hash, attachment_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), cc.DecisionID, cc.RoundID,
			cc.Receipt, cc.DraftNo, cc.DraftHash, cc.Text, cc.Name, cc.Contact, cc.AddrHash, cc.At, cc.AuditSeq, cc.AttachmentHash, cc.AttachmentName); err != nil {
			return fmt.Errorf("insert comment: %w", err)
		}
		out = &CommentReceipt{Receipt: receipt, At: now}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func isNotFound(err error) bool { return workflow.ErrorCode(err) == workflow.CodeNotFound }

// CommentAttachmentOf returns the attachment of a comment on a decision
// the actor may see, with its bytes; its Name is the name it came with.
// It is scoped as Comments is: a decision outside the actor's scope, a
// comment of another decision and a comment without an attachment are all
// not_found.
func (db *DB) CommentAttachmentOf(ctx context.Context, actor workflow.Actor, decisionID, commentID int64) (*Document, []byte, error) {
	if _, _, _, err := db.visibleDecision(ctx, db.r, actor, decisionID, ""); err != nil {
		return nil, nil, err
	}
	var c struct {
		Hash string `db:"attachment_hash"`
		Name string `db:"attachment_name"`
	}
	err := db.r.GetContext(ctx, &c, db.r.Rebind(`SELECT attachment_hash, attachment_name FROM comments
		WHERE id = ? AND decision_id = ? AND attachment_hash <> ''`), commentID, decisionID)
	if isNoRows(err) {
		return nil, nil, notFound("本决策没有这条意见的附件", "no such comment attachment in this decision")
	}
	if err != nil {
		return nil, nil, err
	}
	d, content, err := db.documentContent(ctx, c.Hash)
	if err != nil {
		return nil, nil, fmt.Errorf("comment %d: %w", commentID, err)
	}
	d.Name = c.Name
	return d, content, nil
}

// ---- the drafter's side ----

// Comment is one comment as the drafter reads it.
type Comment struct {
	ID         int64     `json:"id"`
	DecisionID int64     `json:"decision_id"`
	Receipt    string    `json:"receipt"`
	At         time.Time `json:"at"`
	// Round is the start_participation record of its comment period.
	Round     int64  `json:"round"`
	DraftNo   int    `json:"draft_no"`
	DraftHash string `json:"draft_hash"`
	Text      string `json:"text"`
	Name      string `json:"name"`
	Contact   string `json:"contact"`
	// Source is the start of the salted hash of the address: comments
	// with the same source came from the same address (the address itself
	// is not kept).
	Source   string           `json:"source"`
	AuditSeq int64            `json:"audit_seq"`
	Handling *CommentHandling `json:"handling"`
	// Attachment is the file the comment came with (absent when none);
	// the drafter's side downloads it, the public never does.
	Attachment *CommentAttachment `json:"attachment,omitempty"`
}

// CommentAttachment describes a comment's attachment: its cleaned file
// name, the hash of its document, its size and its type (sniffed from the
// content when it was received).
type CommentAttachment struct {
	Name        string `json:"name"`
	Hash        string `json:"hash"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
}

// CommentHandling is how a comment stands: the drafter's latest handling.
type CommentHandling struct {
	Kind        string    `json:"kind"`
	Opinion     string    `json:"opinion,omitempty"`
	Reason      string    `json:"reason,omitempty"`
	DuplicateOf *int64    `json:"duplicate_of,omitempty"`
	ActorID     int64     `json:"actor_id"`
	ActorName   string    `json:"actor"`
	At          time.Time `json:"at"`
	AuditSeq    int64     `json:"audit_seq"`
}

// Comment statuses a list filters on.
const (
	CommentOpen    = "open"    // not handled yet
	CommentGrouped = "grouped" // grouped into a main opinion
	CommentMarked  = "marked"  // marked duplicate, off-topic or abusive
)

// CommentFilter selects comments of one decision. Nil fields are not
// filtered on.
type CommentFilter struct {
	// Text is searched for in the text, the name and the receipt.
	Text *string
	// Status: open, grouped, marked, or a handling kind.
	Status *string
	// Opinion: the comments grouped into this main opinion.
	Opinion *string
	// AllRounds lists the comments of every comment period (default: the
	// latest period's).
	AllRounds bool
	Page
}

// Opinion is a main opinion (主要意见) of the current period with the
// comments grouped into it.
type Opinion struct {
	Opinion    string  `json:"opinion"`
	CommentIDs []int64 `json:"comment_ids"`
}

// CommentCounts are the figures of a decision's current comment period.
type CommentCounts struct {
	Total   int            `json:"total"`
	Open    int            `json:"open"`
	Grouped int            `json:"grouped"`
	Marked  map[string]int `json:"marked"`
}

// CommentList is a page of comments with the period's figures and main
// opinions.
type CommentList struct {
	Items    []Comment     `json:"items"`
	Total    int           `json:"total"` // that match the filter
	Counts   CommentCounts `json:"counts"`
	Opinions []Opinion     `json:"opinions"`
	// Round is the current comment period (its start_participation
	// record; 0 when none was opened).
	Round int64 `json:"round"`
	// Handleable: the decision is in public participation, so its
	// comments may be grouped and marked now.
	Handleable bool `json:"handleable"`
}

// latestHandling joins each comment (alias c) to its latest handling
// (alias h; NULL when none).
const latestHandling = ` LEFT JOIN comment_handling h ON h.id = (SELECT MAX(h2.id) FROM comment_handling h2 WHERE h2.comment_id = c.id)`

const commentSelect = `SELECT c.id, c.decision_id, c.round_id, c.receipt, c.draft_no, c.draft_hash, c.text, c.name, c.contact, c.addr_hash,
	c.at, c.audit_seq, c.attachment_hash, c.attachment_name, COALESCE(a.size, 0) AS a_size, COALESCE(a.mime, '') AS a_mime,
	h.kind AS h_kind, h.opinion AS h_opinion, h.reason AS h_reason, h.duplicate_of AS h_duplicate_of,
	h.actor_id AS h_actor_id, COALESCE(u.display_name, '') AS h_actor, h.at AS h_at, h.audit_seq AS h_audit_seq
	FROM comments c` + latestHandling + ` LEFT JOIN users u ON u.id = h.actor_id LEFT JOIN documents a ON a.hash = c.attachment_hash`

type commentRow struct {
	ID int64 `db:"id"`
	commentContent
	ASize        int64   `db:"a_size"`
	AMime        string  `db:"a_mime"`
	HKind        *string `db:"h_kind"`
	HOpinion     *string `db:"h_opinion"`
	HReason      *string `db:"h_reason"`
	HDuplicateOf *int64  `db:"h_duplicate_of"`
	HActorID     *int64  `db:"h_actor_id"`
	HActor       string  `db:"h_actor"`
	HAt          *string `db:"h_at"`
	HAuditSeq    *int64  `db:"h_audit_seq"`
}

func (r *commentRow) comment() Comment {
	c := Comment{ID: r.ID, DecisionID: r.DecisionID, Receipt: r.Receipt, At: parseTS(r.At), Round: r.RoundID, DraftNo: r.DraftNo,
		DraftHash: r.DraftHash, Text: r.Text, Name: r.Name, Contact: r.Contact, Source: r.AddrHash[:min(8, len(r.AddrHash))], AuditSeq: r.AuditSeq}
	if r.AttachmentHash != "" {
		c.Attachment = &CommentAttachment{Name: r.AttachmentName, Hash: r.AttachmentHash, Size: r.ASize, ContentType: r.AMime}
	}
	if r.HKind != nil {
		h := &CommentHandling{Kind: *r.HKind, DuplicateOf: r.HDuplicateOf, ActorName: r.HActor}
		if r.HOpinion != nil {
			h.Opinion = *r.HOpinion
		}
		if r.HReason != nil {
			h.Reason = *r.HReason
		}
		if r.HActorID != nil {
			h.ActorID = *r.HActorID
		}
		if r.HAt != nil {
			h.At = parseTS(*r.HAt)
		}
		if r.HAuditSeq != nil {
			h.AuditSeq = *r.HAuditSeq
		}
		c.Handling = h
	}
	return c
}

// Comments lists the comments of a decision the actor may see, newest
// first, with the current period's figures and main opinions.
// Errors: not_found, validation_failed (status).
func (db *DB) Comments(ctx context.Context, actor workflow.Actor, decisionID int64, f CommentFilter) (*CommentList, error) {
	row, _, _, err := db.visibleDecision(ctx, db.r, actor, decisionID, "")
	if err != nil {
		return nil, err
	}
	start, err := startRecord(ctx, db.r, decisionID)
	if err != nil {
		return nil, err
	}
	out := &CommentList{Items: []Comment{}, Opinions: []Opinion{}, Counts: CommentCounts{Marked: map[string]int{}},
		Handleable: workflow.State(row.State) == workflow.StPublicParticipation}
	for _, m := range workflow.CommentMarks {
		out.Counts.Marked[m] = 0
	}
	if start == nil {
		return out, nil
	}
	out.Round = start.ID
	where, args := []string{"c.decision_id = ?"}, []any{decisionID}
	if !f.AllRounds {
		where, args = append(where, "c.round_id = ?"), append(args, start.ID)
	}
	if f.Text != nil && strings.TrimSpace(*f.Text) != "" {
		like := "%" + likeEscape(strings.TrimSpace(*f.Text)) + "%"
		where, args = append(where, "(c.text LIKE ? OR c.name LIKE ? OR c.receipt LIKE ?)"), append(args, like, like, strings.ToUpper(like))
	}
	if f.Status != nil && *f.Status != "" {
		switch s := *f.Status; {
		case s == CommentOpen:
			where = append(where, "h.id IS NULL")
		case s == CommentGrouped:
			where = append(where, "h.kind = 'group'")
		case s == CommentMarked:
			where = append(where, "h.kind IN ('duplicate', 'off_topic', 'abusive')")
		case workflow.IsMark(s):
			where, args = append(where, "h.kind = ?"), append(args, s)
		default:
			return nil, invalidField("status", "状态应为 open、grouped、marked、duplicate、off_topic 或 abusive", "status must be open, grouped, marked, duplicate, off_topic or abusive")
		}
	}
	if f.Opinion != nil && *f.Opinion != "" {
		where, args = append(where, "h.kind = 'group' AND h.opinion = ?"), append(args, *f.Opinion)
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	if err := db.r.GetContext(ctx, &out.Total, db.r.Rebind(`SELECT COUNT(*) FROM comments c`+latestHandling+cond), args...); err != nil {
		return nil, err
	}
	limit, offset := f.Norm()
	var rows []commentRow
	if err := db.r.SelectContext(ctx, &rows, db.r.Rebind(commentSelect+cond+fmt.Sprintf(` ORDER BY c.id DESC LIMIT %d OFFSET %d`, limit, offset)), args...); err != nil {
		return nil, err
	}
	for i := range rows {
		out.Items = append(out.Items, rows[i].comment())
	}
	// The period's figures and main opinions (ids only).
	var states []struct {
		ID      int64   `db:"id"`
		Kind    *string `db:"kind"`
		Opinion *string `db:"opinion"`
	}
	if err := db.r.SelectContext(ctx, &states, db.r.Rebind(`SELECT c.id, h.kind, h.opinion FROM comments c`+latestHandling+
		` WHERE c.decision_id = ? AND c.round_id = ? ORDER BY c.id`), decisionID, start.ID); err != nil {
		return nil, err
	}
	idx := map[string]int{}
	for _, s := range states {
		out.Counts.Total++
		switch {
		case s.Kind == nil:
			out.Counts.Open++
		case *s.Kind == workflow.HandleGroup:
			out.Counts.Grouped++
			op := ""
			if s.Opinion != nil {
				op = *s.Opinion
			}
			i, ok := idx[op]
			if !ok {
				i = len(out.Opinions)
				idx[op] = i
				out.Opinions = append(out.Opinions, Opinion{Opinion: op})
			}
			out.Opinions[i].CommentIDs = append(out.Opinions[i].CommentIDs, s.ID)
		default:
			out.Counts.Marked[*s.Kind]++
		}
	}
	return out, nil
}

// HandleResult is the outcome of an act of handling.
type HandleResult struct {
	AuditSeq int64 `json:"audit_seq"`
	Handled  int   `json:"handled"`
}

// MaxHandled bounds the comments one act of handling takes.
const MaxHandled = workflow.MaxItems

// HandleComments records the drafter's handling of comments of the
// current period: grouped into a main opinion, or marked as a duplicate,
// off-topic or abusive with the reason. One audited act (comments_handled)
// for all of them; a comment's latest handling counts.
//
// Errors: forbidden (not the undertaking unit's staff), not_found,
// invalid_transition (the decision is not in public participation),
// validation_failed (the handling, an id that is not a comment of the
// current period, duplicate_of).
func (db *DB) HandleComments(ctx context.Context, actor workflow.Actor, decisionID int64, ids []int64, h workflow.Handling) (_ *HandleResult, err error) {
	if !actor.Has(workflow.RoleUndertaking) {
		return nil, workflow.MayHandleComments(actor, workflow.Decision{})
	}
	if err := h.Check(); err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	var inv workflow.Invalid
	switch {
	case len(ids) == 0:
		inv.Add("comments", "请选择要处理的公众意见", "choose the comments to handle")
	case len(ids) > MaxHandled:
		inv.Add("comments", fmt.Sprintf("一次最多处理%d条意见", MaxHandled), fmt.Sprintf("at most %d comments at a time", MaxHandled))
	}
	for i, id := range ids {
		if id < 1 || seen[id] {
			inv.Add(fmt.Sprintf("comments[%d]", i), "意见编号有误或重复", "not a comment number, or given twice")
		}
		seen[id] = true
	}
	if err := inv.Err(); err != nil {
		return nil, err
	}
	var res HandleResult
	err = db.inGroup(ctx, func(tx *sqlx.Tx) error {
		row, _, _, err := db.visibleDecision(ctx, tx, actor, decisionID, db.d.forUpdate)
		if err != nil {
			return err
		}
		d := row.decision()
		if err := workflow.MayHandleComments(actor, d); err != nil {
			return err
		}
		if d.State != workflow.StPublicParticipation {
			return workflow.Errorf(workflow.CodeInvalidTransition, "只有在公众参与阶段才能处理公众意见；意见采纳情况已随「完成公众参与」登记",
				"comments are handled only during public participation; the adoption report was recorded when participation was completed")
		}
		start, err := startRecord(ctx, tx, decisionID)
		if err != nil {
			return err
		}
		if start == nil {
			return workflow.Errorf(workflow.CodeInvalidTransition, "尚未公开征求意见", "no comment period was opened")
		}
		var found []struct {
			ID    int64 `db:"id"`
			Round int64 `db:"round_id"`
		}
		if err := tx.SelectContext(ctx, &found, tx.Rebind(`SELECT id, round_id FROM comments WHERE decision_id = ? AND id IN (`+marks(len(ids))+`)`),
			append([]any{decisionID}, anys(ids)...)...); err != nil {
			return err
		}
		current := map[int64]bool{}
		for _, c := range found {
			current[c.ID] = c.Round == start.ID
		}
		for i, id := range ids {
			if !current[id] {
				inv.Add(fmt.Sprintf("comments[%d]", i), "不是本次公开征求意见收到的公众意见", "not a comment of the current comment period")
			}
		}
		if h.DuplicateOf != nil {
			var n int
			if err := tx.GetContext(ctx, &n, tx.Rebind(`SELECT COUNT(*) FROM comments WHERE decision_id = ? AND id = ?`), decisionID, *h.DuplicateOf); err != nil {
				return err
			}
			if n == 0 || seen[*h.DuplicateOf] {
				inv.Add("duplicate_of", "所重复的意见应为本决策的另一条公众意见", "duplicate_of must be another comment of this decision")
			}
		}
		if err := inv.Err(); err != nil {
			return err
		}
		now := db.Now()
		rows := make([]handlingContent, len(ids))
		hashes := make([]string, len(ids))
		for i, id := range ids {
			rows[i] = handlingContent{CommentID: id, DecisionID: decisionID, Kind: h.Kind, Opinion: h.Opinion, Reason: h.Reason,
				DuplicateOf: h.DuplicateOf, ActorID: actor.UserID, At: ts(now)}
			hashes[i] = rows[i].hash()
		}
		ev := &AuditEvent{DecisionID: &d.ID, OrganID: &d.OrganID, ActorID: actor.UserID, ActorName: actor.Name, Role: string(workflow.RoleUndertaking),
			Event: workflow.EvCommentsHandled, From: string(d.State), To: string(d.State)}
		data := map[string]any{"comments": ids, "kind": h.Kind, contentKey: map[string]string{"comment_handling": handlingBatchHash(hashes)}}
		if h.Opinion != "" {
			data["opinion"] = h.Opinion
		}
		if h.Reason != "" {
			data["reason"] = h.Reason
		}
		if h.DuplicateOf != nil {
			data["duplicate_of"] = *h.DuplicateOf
		}
		if err := db.appendAudit(ctx, tx, ev, now, data); err != nil {
			return err
		}
		for i := range rows {
			r := &rows[i]
			r.AuditSeq = ev.Seq
			if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO comment_handling (comment_id, decision_id, kind, opinion, reason, duplicate_of,
				actor_id, at, audit_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`), r.CommentID, r.DecisionID, r.Kind, r.Opinion, r.Reason, r.DuplicateOf,
				r.ActorID, r.At, r.AuditSeq); err != nil {
				return fmt.Errorf("insert comment handling: %w", err)
			}
		}
		res = HandleResult{AuditSeq: ev.Seq, Handled: len(ids)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// commentFacts are the comments of a decision's current period as the
// coverage guard reads them: ids and whether the latest handling is a
// mark, never the text.
func commentFacts(ctx context.Context, q sqlx.QueryerContext, decisionID int64) ([]workflow.CommentFact, error) {
	var rows []struct {
		ID   int64   `db:"id"`
		Kind *string `db:"kind"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, sqlx.Rebind(bindOf(q), `SELECT c.id,
		(SELECT h.kind FROM comment_handling h WHERE h.comment_id = c.id ORDER BY h.id DESC LIMIT 1) AS kind
		FROM comments c WHERE c.decision_id = ? AND c.round_id = (SELECT MAX(r.id) FROM records r WHERE r.decision_id = ? AND r.event = ?)
		ORDER BY c.id`), decisionID, decisionID, workflow.EvStartParticipation); err != nil {
		return nil, fmt.Errorf("load comments: %w", err)
	}
	out := make([]workflow.CommentFact, len(rows))
	for i, r := range rows {
		out[i] = workflow.CommentFact{ID: r.ID, Marked: r.Kind != nil && workflow.IsMark(*r.Kind)}
	}
	return out, nil
}

// ---- what the public reads ----

// Consultation is a decision's public consultation page (公开征求意见).
type Consultation struct {
	ID                 int64
	Title, Organ, Unit string
	State              workflow.State
	Period             workflow.Period
	// Open: comments are taken now (the state and the period, server
	// clock).
	Open             bool
	Channels         []string
	Methods          []string
	Explanation      string
	ShortenedReason  string
	DraftNo          int
	DraftHash        string
	DraftText        string
	DraftNote        string
	Comments         int // received online in this period
	StartedAt        time.Time
	ClosedByReportAt time.Time // when participation was completed (zero while open)
}

// Consultations lists the decisions now in public participation that the
// public may see, the soonest closing first (no draft text).
func (db *DB) Consultations(ctx context.Context) ([]Consultation, error) {
	var ids []int64
	if err := db.r.SelectContext(ctx, &ids, db.r.Rebind(`SELECT id FROM decisions WHERE state = ? AND non_disclosable = FALSE ORDER BY id`),
		string(workflow.StPublicParticipation)); err != nil {
		return nil, err
	}
	out := []Consultation{}
	for _, id := range ids {
		c, err := db.consultation(ctx, id, false)
		if err != nil {
			if isNotFound(err) {
				continue
			}
			return nil, err
		}
		out = append(out, *c)
	}
	for i := 1; i < len(out); i++ { // soonest closing first (insertion sort: short lists)
		for j := i; j > 0 && out[j].Period.ClosesOn.Before(out[j-1].Period.ClosesOn); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}

// Consultation is one decision's consultation page with the draft under
// comment: while in participation the current draft, afterwards the draft
// as participation was completed. Errors: not_found (never opened for
// comment, or not to be disclosed).
func (db *DB) Consultation(ctx context.Context, id int64) (*Consultation, error) {
	return db.consultation(ctx, id, true)
}

func (db *DB) consultation(ctx context.Context, id int64, withText bool) (*Consultation, error) {
	row, err := db.loadDecisionRow(ctx, db.r, id, "")
	if err != nil {
		return nil, errNoConsultation
	}
	start, err := startRecord(ctx, db.r, id)
	if err != nil {
		return nil, err
	}
	d := row.decision()
	if !workflow.ConsultationVisible(d, start) {
		return nil, errNoConsultation
	}
	now := db.Now()
	c := &Consultation{ID: id, Title: d.Title, State: d.State, Period: workflow.NoticePeriod(start), StartedAt: start.At,
		Open: workflow.CommentsAccepted(d, start, now) == nil}
	units, err := db.units(ctx, db.r)
	if err != nil {
		return nil, err
	}
	c.Organ = units[d.OrganID].Name
	if d.UndertakingUnitID != nil {
		c.Unit = units[*d.UndertakingUnitID].Name
	}
	var data struct {
		Methods []string `json:"methods"`
		Notice  struct {
			Channels        []string `json:"channels"`
			Explanation     string   `json:"explanation"`
			ShortenedReason string   `json:"shortened_reason"`
		} `json:"notice"`
	}
	_ = json.Unmarshal(start.Data, &data)
	c.Methods, c.Channels = data.Methods, data.Notice.Channels
	c.Explanation, c.ShortenedReason = strings.TrimSpace(data.Notice.Explanation), strings.TrimSpace(data.Notice.ShortenedReason)
	// The draft under comment: the current one while comments are taken;
	// after the period, the one the completing act bound.
	hash := d.CurrentDraftHash
	if d.State != workflow.StPublicParticipation {
		end, err := roundEnd(ctx, db.r, id, start.ID)
		if err != nil {
			return nil, err
		}
		if end != nil {
			hash, c.ClosedByReportAt = end.DraftHash, end.At
		}
	}
	var dr []struct {
		No   int    `db:"no"`
		Text string `db:"text"`
		Note string `db:"note"`
	}
	if err := db.r.SelectContext(ctx, &dr, db.r.Rebind(`SELECT no, text, note FROM drafts WHERE decision_id = ? AND sha256 = ? ORDER BY no DESC LIMIT 1`),
		id, hash); err != nil {
		return nil, err
	}
	c.DraftHash = hash
	if len(dr) > 0 {
		c.DraftNo, c.DraftNote = dr[0].No, dr[0].Note
		if withText {
			c.DraftText = dr[0].Text
		}
	}
	if err := db.r.GetContext(ctx, &c.Comments, db.r.Rebind(`SELECT COUNT(*) FROM comments WHERE decision_id = ? AND round_id = ?`), id, start.ID); err != nil {
		return nil, err
	}
	return c, nil
}

// roundEnd is the complete_participation record that closed the comment
// period opened by the record round (nil while it is open, or when it
// ended otherwise).
func roundEnd(ctx context.Context, q sqlx.QueryerContext, decisionID, round int64) (*workflow.Record, error) {
	var rows []recordRow
	if err := sqlx.SelectContext(ctx, q, &rows, sqlx.Rebind(bindOf(q), `SELECT id, event, from_state, to_state, actor_id, data, draft_hash, at
		FROM records WHERE decision_id = ? AND id > ? AND event IN (?, ?) ORDER BY id LIMIT 1`),
		decisionID, round, workflow.EvStartParticipation, workflow.EvCompleteParticipation); err != nil {
		return nil, err
	}
	if len(rows) == 0 || rows[0].Event != workflow.EvCompleteParticipation {
		return nil, nil
	}
	return &recordsOf(rows)[0], nil
}

// AdoptionItem is one item of a participation's adoption report as the
// public reads it: the main opinion, whether it was adopted and why not,
// and how many comments received online it answers.
type AdoptionItem struct {
	Opinion  string `json:"opinion"`
	Adopted  bool   `json:"adopted"`
	Reason   string `json:"reason,omitempty"`
	Comments int    `json:"comments"`
	ids      []int64
}

// adoptionItems reads the adoption report of a complete_participation
// record.
func adoptionItems(r *workflow.Record) []AdoptionItem {
	var data struct {
		Report []struct {
			Opinion  string            `json:"opinion"`
			Adopted  bool              `json:"adopted"`
			Reason   string            `json:"reason"`
			Comments []json.RawMessage `json:"comments"`
		} `json:"adoption_report"`
	}
	_ = json.Unmarshal(r.Data, &data)
	out := make([]AdoptionItem, 0, len(data.Report))
	for _, it := range data.Report {
		a := AdoptionItem{Opinion: it.Opinion, Adopted: it.Adopted, Reason: it.Reason}
		for _, raw := range it.Comments {
			var n json.Number
			if json.Unmarshal(raw, &n) == nil {
				if id, err := n.Int64(); err == nil {
					a.ids = append(a.ids, id)
				}
			}
		}
		a.Comments = len(a.ids)
		out = append(out, a)
	}
	return out
}

// Receipt is what a receipt's page shows its holder: that the comment was
// received, on which draft, and — once the adoption report exists — how
// it was handled and why. Never the name, contact or address.
type Receipt struct {
	Receipt    string
	At         time.Time
	Text       string
	DecisionID int64
	Title      string
	Organ      string
	DraftNo    int
	DraftHash  string
	// ConsultationOpen: the comment period is still open.
	ConsultationOpen bool
	// Reported: participation was completed with its adoption report;
	// then Item is the item that answers the comment, or Mark its mark.
	Reported   bool
	ReportedAt time.Time
	Item       *AdoptionItem
	Mark       *CommentHandling
	// Published: the decision's own public page exists.
	Published bool
	// Attachment is the file the comment came with (nil: none); the page
	// names it and its size, and never offers it for download.
	Attachment *CommentAttachment
}

// ReceiptOf looks a receipt up (the number as NormalizeReceipt reads it).
// Errors: not_found (no such receipt, or its decision has since been
// marked not to be disclosed).
func (db *DB) ReceiptOf(ctx context.Context, no string) (*Receipt, error) {
	notFound := workflow.Errorf(workflow.CodeNotFound, "未找到该回执编号，请核对后重新输入", "no such receipt number; check it and try again")
	if no = NormalizeReceipt(no); no == "" {
		return nil, notFound
	}
	var rows []commentRow
	if err := db.r.SelectContext(ctx, &rows, db.r.Rebind(commentSelect+` WHERE c.receipt = ?`), no); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, notFound
	}
	c := rows[0].comment()
	row, err := db.loadDecisionRow(ctx, db.r, c.DecisionID, "")
	if err != nil {
		return nil, err
	}
	d := row.decision()
	if d.NonDisclosable {
		return nil, notFound
	}
	units, err := db.units(ctx, db.r)
	if err != nil {
		return nil, err
	}
	r := &Receipt{Receipt: c.Receipt, At: c.At, Text: c.Text, DecisionID: d.ID, Title: d.Title, Organ: units[d.OrganID].Name,
		DraftNo: c.DraftNo, DraftHash: c.DraftHash, Attachment: c.Attachment}
	start, err := startRecord(ctx, db.r, d.ID)
	if err != nil {
		return nil, err
	}
	r.ConsultationOpen = start != nil && start.ID == c.Round && workflow.CommentsAccepted(d, start, db.Now()) == nil
	end, err := roundEnd(ctx, db.r, d.ID, c.Round)
	if err != nil {
		return nil, err
	}
	if end != nil {
		r.Reported, r.ReportedAt = true, end.At
		for _, it := range adoptionItems(end) {
			for _, id := range it.ids {
				if id == c.ID && r.Item == nil {
					item := it
					r.Item = &item
				}
			}
		}
		if r.Item == nil && c.Handling != nil && workflow.IsMark(c.Handling.Kind) {
			r.Mark = c.Handling
		}
	}
	pub, err := db.publicRefs(ctx, `d.id = ?`, []any{d.ID})
	if err != nil {
		return nil, err
	}
	r.Published = len(pub) > 0 && pub[0].Public
	return r, nil
}

// ParticipationSummary is what a published decision's page says of its
// public participation: the comments received online, and the adoption
// report of the last participation, main opinion by main opinion.
type ParticipationSummary struct {
	Comments int            `json:"comments"`
	Marked   map[string]int `json:"marked"`
	Items    []AdoptionItem `json:"items"`
}

// participationSummary reads a decision's participation from its records
// (oldest first) and its comments.
func (db *DB) participationSummary(ctx context.Context, id int64, recs []workflow.Record) (*ParticipationSummary, error) {
	s := &ParticipationSummary{Marked: map[string]int{}, Items: []AdoptionItem{}}
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].Event == workflow.EvCompleteParticipation {
			s.Items = adoptionItems(&recs[i])
			break
		}
	}
	var kinds []*string
	if err := db.r.SelectContext(ctx, &kinds, db.r.Rebind(`SELECT h.kind FROM comments c`+latestHandling+` WHERE c.decision_id = ?`), id); err != nil {
		return nil, err
	}
	s.Comments = len(kinds)
	for _, k := range kinds {
		if k != nil && workflow.IsMark(*k) {
			s.Marked[*k]++
		}
	}
	if s.Comments == 0 && len(s.Items) == 0 {
		return nil, nil
	}
	return s, nil
}

// ArchiveComment is one comment in a decision's archive package: the
// comment as received (the address only as its source) and every handling
// of it, oldest first.
type ArchiveComment struct {
	Comment
	History []CommentHandling `json:"handling_history"`
}

// archiveComments are all of a decision's comments for its package,
// oldest first.
func (db *DB) archiveComments(ctx context.Context, decisionID int64) ([]ArchiveComment, error) {
	var rows []commentRow
	if err := db.r.SelectContext(ctx, &rows, db.r.Rebind(commentSelect+` WHERE c.decision_id = ? ORDER BY c.id`), decisionID); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	var hs []struct {
		handlingContent
		ActorName string `db:"actor_name"`
	}
	if err := db.r.SelectContext(ctx, &hs, db.r.Rebind(`SELECT h.comment_id, h.decision_id, h.kind, h.opinion, h.reason, h.duplicate_of, h.actor_id,
		h.at, h.audit_seq, COALESCE(u.display_name, '') AS actor_name FROM comment_handling h LEFT JOIN users u ON u.id = h.actor_id
		WHERE h.decision_id = ? ORDER BY h.id`), decisionID); err != nil {
		return nil, err
	}
	history := map[int64][]CommentHandling{}
	for _, h := range hs {
		history[h.CommentID] = append(history[h.CommentID], CommentHandling{Kind: h.Kind, Opinion: h.Opinion, Reason: h.Reason,
			DuplicateOf: h.DuplicateOf, ActorID: h.ActorID, ActorName: h.ActorName, At: parseTS(h.At), AuditSeq: h.AuditSeq})
	}
	out := make([]ArchiveComment, len(rows))
	for i := range rows {
		c := rows[i].comment()
		out[i] = ArchiveComment{Comment: c, History: history[c.ID]}
		if out[i].History == nil {
			out[i].History = []CommentHandling{}
		}
	}
	return out, nil
}
