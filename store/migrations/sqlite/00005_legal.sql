-- +goose Up
-- Legal fidelity, second pass (issue 7).

-- Art. 13: the departments concerned a decision declares (unit ids, JSON).
ALTER TABLE decisions ADD COLUMN concerned_units TEXT NOT NULL DEFAULT '[]';

-- Drafts and legality opinions name the audit event that wrote them; the
-- event's data carries their content hash (store.Verify). Rows written
-- before this migration have none (NULL) and are verified against their
-- stage records instead.
ALTER TABLE drafts ADD COLUMN audit_seq INTEGER REFERENCES audit_events(seq);
ALTER TABLE legality_opinions ADD COLUMN audit_seq INTEGER REFERENCES audit_events(seq);
-- Art. 28: the review body's confirmation that a legal_with_revisions
-- opinion was followed is kept beside the opinions, bound to the revised
-- draft ('opinion' or 'confirmation').
ALTER TABLE legality_opinions ADD COLUMN kind TEXT NOT NULL DEFAULT 'opinion';

-- Drafts are never deleted either (updates were already refused).
-- +goose StatementBegin
CREATE TRIGGER drafts_no_delete BEFORE DELETE ON drafts
BEGIN SELECT RAISE(ABORT, 'record_immutable: draft versions are never deleted'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER legality_opinions_kind BEFORE INSERT ON legality_opinions
WHEN NEW.kind NOT IN ('opinion', 'confirmation')
BEGIN SELECT RAISE(ABORT, 'legality_opinion_kind: kind is opinion or confirmation'); END;
-- +goose StatementEnd

-- THE CORE INVARIANT (Art. 25 ¶2), with Art. 28: the latest counting row
-- is on the current draft, not illegal, and a legal_with_revisions opinion
-- counts only through the review body's confirmation on the revised draft.
DROP TRIGGER decisions_core_invariant_update;
-- +goose StatementBegin
CREATE TRIGGER decisions_core_invariant_update BEFORE UPDATE OF state, current_draft_hash, legality_floor ON decisions
WHEN NEW.state = 'collective_decision'
BEGIN
    SELECT RAISE(ABORT, 'legality_review_required: Art. 25 para 2 - no passing legality opinion on the current draft')
    WHERE NOT EXISTS (
        SELECT 1 FROM legality_opinions o
        WHERE o.id = (SELECT MAX(id) FROM legality_opinions
                      WHERE decision_id = NEW.id AND id > NEW.legality_floor)
          AND o.draft_hash = NEW.current_draft_hash
          AND o.outcome <> 'illegal'
          AND (o.outcome <> 'legal_with_revisions' OR o.kind = 'confirmation'));
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER decisions_core_invariant_update;
-- +goose StatementBegin
CREATE TRIGGER decisions_core_invariant_update BEFORE UPDATE OF state, current_draft_hash, legality_floor ON decisions
WHEN NEW.state = 'collective_decision'
BEGIN
    SELECT RAISE(ABORT, 'legality_review_required: Art. 25 para 2 - no passing legality opinion on the current draft')
    WHERE NOT EXISTS (
        SELECT 1 FROM legality_opinions o
        WHERE o.id = (SELECT MAX(id) FROM legality_opinions
                      WHERE decision_id = NEW.id AND id > NEW.legality_floor)
          AND o.draft_hash = NEW.current_draft_hash
          AND o.outcome <> 'illegal');
END;
-- +goose StatementEnd
DROP TRIGGER legality_opinions_kind;
DROP TRIGGER drafts_no_delete;
ALTER TABLE legality_opinions DROP COLUMN kind;
ALTER TABLE legality_opinions DROP COLUMN audit_seq;
ALTER TABLE drafts DROP COLUMN audit_seq;
ALTER TABLE decisions DROP COLUMN concerned_units;
