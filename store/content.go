package store

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
)

// Content hashes tie the rows an act writes to its audit event: the event's
// data carries, under workflow.ContentKey, the SHA-256 of the canonical
// content of each row it wrote (the stage record, a draft, a legality
// opinion, the decision row as the act left it). The event itself is hashed
// into the chain, so Verify vouches for the rows too: any later change to a
// row, or a row deleted, no longer matches the chain.
//
// Ids the database assigns on insert are left out of the content (the
// record's audit_seq, the opinion's record_id tie them instead), and so is
// the id of the event itself.

// contentOf hashes a row's columns as canonical JSON (sorted keys) under a
// name that tells the tables apart.
func contentOf(table string, cols map[string]any) string {
	b, err := json.Marshal(cols)
	if err != nil {
		panic(err) // only strings, numbers, booleans and nil
	}
	h := sha256.New()
	h.Write([]byte(table + "\n"))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// recordContent is a stage record's content.
type recordContent struct {
	DecisionID int64  `db:"decision_id"`
	AuditSeq   int64  `db:"audit_seq"`
	Event      string `db:"event"`
	From       string `db:"from_state"`
	To         string `db:"to_state"`
	ActorID    int64  `db:"actor_id"`
	Data       string `db:"data"`
	DraftHash  string `db:"draft_hash"`
	At         string `db:"at"`
}

func (r *recordContent) hash() string {
	return r.hashWith(make([]byte, 0, 256+len(r.Data)))
}

// hashWith is contentOf("records", the record's columns) written by hand,
// in buf, because verify hashes every record (TestRecordContentBytes holds
// the two equal).
func (r *recordContent) hashWith(buf []byte) string {
	b := append(buf[:0], "records\n"...)
	b = append(b, `{"actor_id":`...)
	b = strconv.AppendInt(b, r.ActorID, 10)
	b = append(b, `,"at":`...)
	b = appendJSONString(b, r.At)
	b = append(b, `,"data":`...)
	b = appendJSONString(b, r.Data)
	b = append(b, `,"decision_id":`...)
	b = strconv.AppendInt(b, r.DecisionID, 10)
	b = append(b, `,"draft_hash":`...)
	b = appendJSONString(b, r.DraftHash)
	b = append(b, `,"event":`...)
	b = appendJSONString(b, r.Event)
	b = append(b, `,"from_state":`...)
	b = appendJSONString(b, r.From)
	b = append(b, `,"to_state":`...)
	b = appendJSONString(b, r.To)
	b = append(b, '}')
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// draftContent is a draft version's content.
type draftContent struct {
	DecisionID int64  `db:"decision_id"`
	No         int    `db:"no"`
	SHA256     string `db:"sha256"`
	Text       string `db:"text"`
	Note       string `db:"note"`
	AuthorID   int64  `db:"author_id"`
	At         string `db:"at"`
	AuditSeq   *int64 `db:"audit_seq"`
}

func (d *draftContent) hash() string {
	return contentOf("drafts", map[string]any{"decision_id": d.DecisionID, "no": d.No, "sha256": d.SHA256, "text": d.Text,
		"note": d.Note, "author_id": d.AuthorID, "at": d.At})
}

// opinionContent is a legality_opinions row's content.
type opinionContent struct {
	DecisionID    int64  `db:"decision_id"`
	RecordID      int64  `db:"record_id"`
	DraftHash     string `db:"draft_hash"`
	Outcome       string `db:"outcome"`
	RiskStatement string `db:"risk_statement"`
	Kind          string `db:"kind"`
	At            string `db:"at"`
	AuditSeq      *int64 `db:"audit_seq"`
}

func (o *opinionContent) hash() string {
	return contentOf("legality_opinions", map[string]any{"decision_id": o.DecisionID, "draft_hash": o.DraftHash, "outcome": o.Outcome,
		"risk_statement": o.RiskStatement, "kind": o.Kind, "at": o.At})
}

// hash is the decision row's content as the act left it.
func (r *decisionRow) hash() string {
	return contentOf("decisions", map[string]any{"id": r.ID, "title": r.Title, "organ_id": r.OrganID, "undertaking_unit_id": r.UndertakingUnitID,
		"category": r.Category, "domains": r.Domains, "technical": r.Technical, "risk_relevant": r.RiskRelevant,
		"non_disclosable": r.NonDisclosable, "affects_market": r.AffectsMarket, "public_concern": r.PublicConcern,
		"affects_specific_group": r.AffectsSpecificGroup, "catalogue_item_id": r.CatalogueItemID, "hearing_required": r.HearingRequired,
		"concerned_units": r.ConcernedUnits, "state": r.State, "version": r.Version, "current_draft_hash": r.CurrentDraftHash,
		"legality_floor": r.LegalityFloor, "parent_id": r.ParentID, "created_by": r.CreatedBy, "created_at": r.CreatedAt,
		"updated_at": r.UpdatedAt, "state_since": r.StateSince})
}

// withContent returns the audit data of an act: the record's data and, under
// workflow.ContentKey, the content hashes of the rows it wrote.
func withContent(data map[string]any, content map[string]string) map[string]any {
	out := make(map[string]any, len(data)+1)
	for k, v := range data {
		out[k] = v
	}
	out[contentKey] = content
	return out
}
