-- +goose Up
-- Legal fidelity, second pass (issue 7).

-- Art. 13: the departments concerned a decision declares (unit ids, JSON).
ALTER TABLE decisions ADD COLUMN concerned_units TEXT NOT NULL DEFAULT '[]';

-- Drafts and legality opinions name the audit event that wrote them; the
-- event's data carries their content hash (store.Verify). Rows written
-- before this migration have none (NULL) and are verified against their
-- stage records instead.
ALTER TABLE drafts ADD COLUMN audit_seq BIGINT REFERENCES audit_events(seq);
ALTER TABLE legality_opinions ADD COLUMN audit_seq BIGINT REFERENCES audit_events(seq);
-- Art. 28: the review body's confirmation that a legal_with_revisions
-- opinion was followed is kept beside the opinions, bound to the revised
-- draft.
ALTER TABLE legality_opinions ADD COLUMN kind TEXT NOT NULL DEFAULT 'opinion'
    CHECK (kind IN ('opinion', 'confirmation'));

-- Drafts are never deleted either (updates were already refused); no
-- append-only table is truncated.
DROP TRIGGER drafts_immutable ON drafts;
CREATE TRIGGER drafts_immutable BEFORE UPDATE OR DELETE ON drafts
    FOR EACH ROW EXECUTE FUNCTION refuse_change('record_immutable');
CREATE TRIGGER drafts_no_truncate BEFORE TRUNCATE ON drafts
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('record_immutable');
CREATE TRIGGER records_no_truncate BEFORE TRUNCATE ON records
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('record_immutable');
CREATE TRIGGER legality_opinions_no_truncate BEFORE TRUNCATE ON legality_opinions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('record_immutable');

-- THE CORE INVARIANT (Art. 25 ¶2), with Art. 28: the latest counting row
-- is on the current draft, not illegal, and a legal_with_revisions opinion
-- counts only through the review body's confirmation on the revised draft.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION decisions_core_invariant() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.legality_floor < OLD.legality_floor THEN
        RAISE EXCEPTION 'legality_floor_monotonic: voided legality opinions cannot count again'
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.state = 'collective_decision' AND NOT EXISTS (
        SELECT 1 FROM legality_opinions o
        WHERE o.id = (SELECT MAX(id) FROM legality_opinions
                      WHERE decision_id = NEW.id AND id > NEW.legality_floor)
          AND o.draft_hash = NEW.current_draft_hash
          AND o.outcome <> 'illegal'
          AND (o.outcome <> 'legal_with_revisions' OR o.kind = 'confirmation')) THEN
        RAISE EXCEPTION 'legality_review_required: Art. 25 para 2 - no passing legality opinion on the current draft'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION decisions_core_invariant() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.legality_floor < OLD.legality_floor THEN
        RAISE EXCEPTION 'legality_floor_monotonic: voided legality opinions cannot count again'
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.state = 'collective_decision' AND NOT EXISTS (
        SELECT 1 FROM legality_opinions o
        WHERE o.id = (SELECT MAX(id) FROM legality_opinions
                      WHERE decision_id = NEW.id AND id > NEW.legality_floor)
          AND o.draft_hash = NEW.current_draft_hash
          AND o.outcome <> 'illegal') THEN
        RAISE EXCEPTION 'legality_review_required: Art. 25 para 2 - no passing legality opinion on the current draft'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
DROP TRIGGER legality_opinions_no_truncate ON legality_opinions;
DROP TRIGGER records_no_truncate ON records;
DROP TRIGGER drafts_no_truncate ON drafts;
DROP TRIGGER drafts_immutable ON drafts;
CREATE TRIGGER drafts_immutable BEFORE UPDATE ON drafts
    FOR EACH ROW EXECUTE FUNCTION refuse_change('record_immutable');
ALTER TABLE legality_opinions DROP COLUMN kind;
ALTER TABLE legality_opinions DROP COLUMN audit_seq;
ALTER TABLE drafts DROP COLUMN audit_seq;
ALTER TABLE decisions DROP COLUMN concerned_units;
