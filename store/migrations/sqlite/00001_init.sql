-- +goose Up
CREATE TABLE units (
    id        INTEGER PRIMARY KEY,
    name      TEXT    NOT NULL UNIQUE,
    kind      TEXT    NOT NULL CHECK (kind IN ('organ', 'unit')),
    parent_id INTEGER REFERENCES units(id)
);

CREATE TABLE users (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL UNIQUE,
    display_name TEXT    NOT NULL,
    roles        TEXT    NOT NULL,
    unit_id      INTEGER REFERENCES units(id),
    is_head      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   TEXT    NOT NULL
);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    token_hash TEXT    NOT NULL UNIQUE,
    label      TEXT    NOT NULL DEFAULT '',
    created_at TEXT    NOT NULL,
    revoked_at TEXT
);

CREATE TABLE decisions (
    id                     INTEGER PRIMARY KEY,
    title                  TEXT    NOT NULL,
    organ_id               INTEGER NOT NULL REFERENCES units(id),
    undertaking_unit_id    INTEGER REFERENCES units(id),
    category               TEXT    NOT NULL,
    domains                TEXT    NOT NULL DEFAULT '[]',
    technical              BOOLEAN NOT NULL DEFAULT FALSE,
    risk_relevant          BOOLEAN NOT NULL DEFAULT FALSE,
    non_disclosable        BOOLEAN NOT NULL DEFAULT FALSE,
    affects_market         BOOLEAN NOT NULL DEFAULT FALSE,
    public_concern         BOOLEAN NOT NULL DEFAULT FALSE,
    affects_specific_group BOOLEAN NOT NULL DEFAULT FALSE,
    catalogue_item_id      INTEGER,
    state                  TEXT    NOT NULL,
    version                INTEGER NOT NULL,
    current_draft_hash     TEXT    NOT NULL DEFAULT '',
    legality_floor         INTEGER NOT NULL DEFAULT 0,
    parent_id              INTEGER REFERENCES decisions(id),
    created_by             INTEGER NOT NULL REFERENCES users(id),
    created_at             TEXT    NOT NULL,
    updated_at             TEXT    NOT NULL,
    state_since            TEXT    NOT NULL
);
CREATE INDEX decisions_state ON decisions(state);
CREATE INDEX decisions_unit ON decisions(undertaking_unit_id);

CREATE TABLE drafts (
    id          INTEGER PRIMARY KEY,
    decision_id INTEGER NOT NULL REFERENCES decisions(id),
    no          INTEGER NOT NULL,
    sha256      TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    note        TEXT    NOT NULL DEFAULT '',
    author_id   INTEGER NOT NULL REFERENCES users(id),
    at          TEXT    NOT NULL,
    UNIQUE (decision_id, no)
);

CREATE TABLE audit_events (
    seq         INTEGER PRIMARY KEY,
    at          TEXT    NOT NULL,
    decision_id INTEGER,
    actor_id    INTEGER NOT NULL,
    actor_name  TEXT    NOT NULL,
    role        TEXT    NOT NULL,
    event       TEXT    NOT NULL,
    from_state  TEXT    NOT NULL DEFAULT '',
    to_state    TEXT    NOT NULL DEFAULT '',
    version     INTEGER NOT NULL DEFAULT 0,
    data        TEXT    NOT NULL,
    alg         TEXT    NOT NULL,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL UNIQUE
);
CREATE INDEX audit_decision ON audit_events(decision_id, seq);
CREATE INDEX audit_actor ON audit_events(actor_id, seq);

CREATE TABLE records (
    id          INTEGER PRIMARY KEY,
    decision_id INTEGER NOT NULL REFERENCES decisions(id),
    audit_seq   INTEGER NOT NULL REFERENCES audit_events(seq),
    event       TEXT    NOT NULL,
    from_state  TEXT    NOT NULL,
    to_state    TEXT    NOT NULL,
    actor_id    INTEGER NOT NULL REFERENCES users(id),
    data        TEXT    NOT NULL,
    draft_hash  TEXT    NOT NULL DEFAULT '',
    at          TEXT    NOT NULL
);
CREATE INDEX records_decision ON records(decision_id, id);

CREATE TABLE legality_opinions (
    id             INTEGER PRIMARY KEY,
    decision_id    INTEGER NOT NULL REFERENCES decisions(id),
    record_id      INTEGER NOT NULL REFERENCES records(id),
    draft_hash     TEXT    NOT NULL,
    outcome        TEXT    NOT NULL CHECK (outcome IN ('legal', 'legal_with_revisions', 'illegal', 'exploratory_with_risk')),
    risk_statement TEXT    NOT NULL DEFAULT '',
    at             TEXT    NOT NULL
);
CREATE INDEX legality_opinions_decision ON legality_opinions(decision_id, id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The audit log, stage records (dissent is stored verbatim, Art. 30, 38 ¶3)
-- and legality opinions are append-only.
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_immutable: audit events are never updated'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_immutable: audit events are never deleted'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER records_no_update BEFORE UPDATE ON records
BEGIN SELECT RAISE(ABORT, 'record_immutable: stage records are never edited'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER records_no_delete BEFORE DELETE ON records
BEGIN SELECT RAISE(ABORT, 'record_immutable: stage records are never deleted'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER legality_opinions_no_update BEFORE UPDATE ON legality_opinions
BEGIN SELECT RAISE(ABORT, 'record_immutable: legality opinions are never edited'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER legality_opinions_no_delete BEFORE DELETE ON legality_opinions
BEGIN SELECT RAISE(ABORT, 'record_immutable: legality opinions are never deleted'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER drafts_no_update BEFORE UPDATE ON drafts
BEGIN SELECT RAISE(ABORT, 'record_immutable: draft versions are never edited'); END;
-- +goose StatementEnd

-- THE CORE INVARIANT (Art. 25 ¶2): no decision enters collective_decision
-- unless its latest counting legality opinion was given on its current
-- draft and is not illegal. Enforced here so that no path, not even a
-- hand-written UPDATE, can put a decision on the meeting agenda without it.
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
-- +goose StatementBegin
CREATE TRIGGER decisions_core_invariant_insert BEFORE INSERT ON decisions
WHEN NEW.state = 'collective_decision'
BEGIN
    SELECT RAISE(ABORT, 'legality_review_required: Art. 25 para 2 - a decision cannot be created on the meeting agenda');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER decisions_floor_monotonic BEFORE UPDATE OF legality_floor ON decisions
WHEN NEW.legality_floor < OLD.legality_floor
BEGIN
    SELECT RAISE(ABORT, 'legality_floor_monotonic: voided legality opinions cannot count again');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE settings;
DROP TABLE legality_opinions;
DROP TABLE records;
DROP TABLE audit_events;
DROP TABLE drafts;
DROP TABLE decisions;
DROP TABLE api_tokens;
DROP TABLE users;
DROP TABLE units;
