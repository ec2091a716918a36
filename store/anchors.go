package store

import (
	"context"
	"fmt"

	"decisiond/workflow"
)

// Anchors (Art. 3 ¶3; the public record): every published catalogue version
// carries the audit chain's head at the moment of publication — its publish
// event's seq and full hash — printed on the public pages and in every
// export. The publish event's data holds the SHA-256 of the version's
// content, so a printed anchor vouches for the chain before it and for the
// items. Verify checks every anchor after walking the chain.

// AnchorProblem names a broken anchor and says why it is broken.
type AnchorProblem struct {
	VersionID int64  `json:"catalogue_version_id"`
	Organ     string `json:"organ"`
	Year      int    `json:"year"`
	No        int    `json:"no"`
	Seq       int64  `json:"seq"`
	Hash      string `json:"hash"`
	Reason    string `json:"reason"`
}

// String names the anchor the way an operator reads it.
func (p AnchorProblem) String() string {
	return fmt.Sprintf("%s %d年度目录第%d版 (catalogue version %d) anchor seq %d %s: %s", p.Organ, p.Year, p.No, p.VersionID, p.Seq, p.Hash, p.Reason)
}

// VerifyAnchors checks the anchor of every published catalogue version:
// the chain verifies up to it (firstBad is the first broken seq of the
// chain walk, 0 when none), the event at its seq still has its hash and is
// that version's publish event, and the content hash that event recorded
// is the hash of the items stored now. It returns the number of anchors
// and the broken ones.
func (db *DB) VerifyAnchors(ctx context.Context, firstBad int64) (int, []AnchorProblem, error) {
	vs, err := db.PublishedCatalogues(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("read anchors: %w", err)
	}
	var probs []AnchorProblem
	for _, v := range vs {
		p := AnchorProblem{VersionID: v.ID, Organ: v.OrganName, Year: v.Year, No: v.No}
		if v.Anchor == nil {
			p.Reason = "the published version has no anchor"
			probs = append(probs, p)
			continue
		}
		p.Seq, p.Hash = v.Anchor.Seq, v.Anchor.Hash
		reason, err := db.checkAnchor(ctx, v, firstBad)
		if err != nil {
			return 0, nil, err
		}
		if reason != "" {
			p.Reason = reason
			probs = append(probs, p)
		}
	}
	return len(vs), probs, nil
}

func (db *DB) checkAnchor(ctx context.Context, v workflow.CatalogueVersion, firstBad int64) (string, error) {
	a := v.Anchor
	if firstBad > 0 && firstBad <= a.Seq {
		return fmt.Sprintf("the audit chain is broken at seq %d, before the anchor", firstBad), nil
	}
	var evs []AuditEvent
	if err := db.r.SelectContext(ctx, &evs, db.r.Rebind(`SELECT `+auditCols+` FROM audit_events WHERE seq = ?`), a.Seq); err != nil {
		return "", err
	}
	if len(evs) == 0 {
		return "no audit event at the anchor's seq", nil
	}
	e := evs[0]
	if e.Hash != a.Hash {
		return fmt.Sprintf("the event at seq %d now has hash %s, not the published anchor", a.Seq, e.Hash), nil
	}
	data := jsonObject(string(e.Data))
	if e.Event != "catalogue_publish" || fmt.Sprint(data["catalogue_version_id"]) != fmt.Sprint(v.ID) {
		return fmt.Sprintf("the event at seq %d is not this version's publication", a.Seq), nil
	}
	items, err := db.catalogueEntries(ctx, db.r, v.ID)
	if err != nil {
		return "", err
	}
	if h := workflow.CatalogueContentHash(items); data["content_sha256"] != h || v.ContentSHA256 != h {
		return "the stored items no longer match the content hash recorded at publication", nil
	}
	return "", nil
}

// withAnchors completes a chain walk with the check of every anchor.
func (db *DB) withAnchors(ctx context.Context, res *VerifyResult) (*VerifyResult, error) {
	n, probs, err := db.VerifyAnchors(ctx, res.FirstBadSeq)
	if err != nil {
		return nil, err
	}
	res.Anchors, res.BrokenAnchors = n, probs
	if len(probs) > 0 {
		res.OK = false
	}
	return res, nil
}
