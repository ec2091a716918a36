package store

import (
	"context"
	"strings"
	"time"

	"decisiond/workflow"
)

// What the public reads of decisions: a published, disclosed decision's own
// page (workflow.PubliclyVisible). Anything else does not exist for the
// public (not_found), exactly like an id that was never used.

// PublicDecision is a published decision with what its public page shows.
type PublicDecision struct {
	Decision  workflow.Decision
	OrganName string
	// Approve is the adopting meeting's record (成文日期), Publish the
	// publication (channels, adoption explanation, 发文字号), End the act
	// that stopped, superseded or completed it (nil while in force).
	Approve, Publish, End *workflow.Record
	// Text is the adopted draft's text (正文).
	Text string
	// Replacement is the new decision a major adjustment opened (Art. 37).
	Replacement *PublicDecisionRef
	// Participation is its public participation: the comments received
	// online and the adoption report per main opinion (nil when it had
	// neither).
	Participation *ParticipationSummary
}

// PublicDecisionRef names another decision and whether its page is public.
type PublicDecisionRef struct {
	ID          int64          `json:"id"`
	Title       string         `json:"title"`
	State       workflow.State `json:"state"`
	OrganName   string         `json:"organ"`
	PublishedOn string         `json:"published_on"`
	PublishedAt time.Time      `json:"published_at"`
	Public      bool           `json:"public"`
}

var errNoPublicDecision = workflow.Errorf(workflow.CodeNotFound, "未找到该公开的决策", "no such published decision")

// PublicDecision returns a decision whose page is public (not_found
// otherwise).
func (db *DB) PublicDecision(ctx context.Context, id int64) (*PublicDecision, error) {
	row, err := db.loadDecisionRow(ctx, db.r, id, "")
	if err != nil {
		return nil, errNoPublicDecision
	}
	recs, err := db.records(ctx, db.r, id)
	if err != nil {
		return nil, err
	}
	p := &PublicDecision{Decision: row.decision()}
	for i := range recs {
		r := &recs[i]
		switch r.Event {
		case workflow.EvApprove:
			p.Approve = r
		case workflow.EvPublish:
			p.Publish = r
		case workflow.EvStop, workflow.EvAdjust, workflow.EvComplete:
			p.End = r
		}
	}
	if !workflow.PubliclyVisible(p.Decision, p.Publish) {
		return nil, errNoPublicDecision
	}
	if err := db.r.GetContext(ctx, &p.OrganName, db.r.Rebind(`SELECT name FROM units WHERE id = ?`), row.OrganID); err != nil {
		return nil, err
	}
	var texts []string
	if err := db.r.SelectContext(ctx, &texts, db.r.Rebind(`SELECT text FROM drafts WHERE decision_id = ? AND sha256 = ? ORDER BY no DESC LIMIT 1`),
		id, row.CurrentDraftHash); err != nil {
		return nil, err
	}
	if len(texts) > 0 {
		p.Text = texts[0]
	}
	if p.Participation, err = db.participationSummary(ctx, id, recs); err != nil {
		return nil, err
	}
	if p.End != nil && p.End.Event == workflow.EvAdjust {
		var spawned []int64
		if err := db.r.SelectContext(ctx, &spawned, db.r.Rebind(`SELECT id FROM decisions WHERE parent_id = ? ORDER BY id`), id); err != nil {
			return nil, err
		}
		if len(spawned) > 0 {
			refs, err := db.publicRefs(ctx, `d.id = ?`, []any{spawned[len(spawned)-1]})
			if err != nil {
				return nil, err
			}
			if len(refs) > 0 {
				p.Replacement = &refs[0]
			}
		}
	}
	return p, nil
}

// PublicDecisions lists the decisions whose pages are public, newest
// publication first.
func (db *DB) PublicDecisions(ctx context.Context) ([]PublicDecisionRef, error) {
	var states []string
	var args []any
	for _, s := range workflow.PublicStates() {
		states, args = append(states, "?"), append(args, string(s))
	}
	refs, err := db.publicRefs(ctx, `d.non_disclosable = FALSE AND d.state IN (`+strings.Join(states, ",")+`)`, args)
	if err != nil {
		return nil, err
	}
	out := refs[:0]
	for _, r := range refs {
		if r.Public {
			out = append(out, r)
		}
	}
	for i := 1; i < len(out); i++ { // newest publication first (insertion sort: short lists)
		for j := i; j > 0 && out[j].PublishedAt.After(out[j-1].PublishedAt); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}

func (db *DB) publicRefs(ctx context.Context, cond string, args []any) ([]PublicDecisionRef, error) {
	var rows []struct {
		decisionRow
		OrganName string `db:"organ_name"`
	}
	if err := db.r.SelectContext(ctx, &rows, db.r.Rebind(`SELECT `+prefixCols("d.", decisionCols)+`, u.name AS organ_name
		FROM decisions d JOIN units u ON u.id = d.organ_id WHERE `+cond+` ORDER BY d.id`), args...); err != nil {
		return nil, err
	}
	out := make([]PublicDecisionRef, 0, len(rows))
	for i := range rows {
		d := rows[i].decision()
		ref := PublicDecisionRef{ID: d.ID, Title: d.Title, State: d.State, OrganName: rows[i].OrganName}
		var pub []struct {
			Data string `db:"data"`
			At   string `db:"at"`
		}
		if err := db.r.SelectContext(ctx, &pub, db.r.Rebind(`SELECT data, at FROM records WHERE decision_id = ? AND event = ? ORDER BY id DESC LIMIT 1`),
			d.ID, workflow.EvPublish); err != nil {
			return nil, err
		}
		if len(pub) > 0 {
			rec := &workflow.Record{Event: workflow.EvPublish, Data: []byte(pub[0].Data)}
			ref.Public = workflow.PubliclyVisible(d, rec)
			ref.PublishedOn = workflow.PublishedOn(rec)
			ref.PublishedAt = parseTS(pub[0].At)
		}
		out = append(out, ref)
	}
	return out, nil
}
