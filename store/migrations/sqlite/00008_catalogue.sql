-- +goose Up
-- The annual catalogue of major decisions (重大行政决策事项年度目录, Art. 3 ¶3;
-- QH (九)). A catalogue is one organ's list for one year; it has versions
-- (1: the catalogue, 2…: adjustments), each draft → approved →
-- party_consented → published. Every act is an audit event; these tables
-- hold the state the events produced.
CREATE TABLE catalogues (
    id         INTEGER PRIMARY KEY,
    organ_id   INTEGER NOT NULL REFERENCES units(id),
    year       INTEGER NOT NULL,
    created_at TEXT    NOT NULL,
    UNIQUE (organ_id, year)
);

CREATE TABLE catalogue_versions (
    id             INTEGER PRIMARY KEY,
    catalogue_id   INTEGER NOT NULL REFERENCES catalogues(id),
    no             INTEGER NOT NULL,
    kind           TEXT    NOT NULL CHECK (kind IN ('catalogue', 'adjustment')),
    state          TEXT    NOT NULL CHECK (state IN ('draft', 'approved', 'party_consented', 'published')),
    version        INTEGER NOT NULL,
    based_on       INTEGER REFERENCES catalogue_versions(id),
    approval       TEXT    NOT NULL DEFAULT '{}',
    consent        TEXT    NOT NULL DEFAULT '{}',
    publication    TEXT    NOT NULL DEFAULT '{}',
    published_at   TEXT,
    -- The anchor: the publish event's seq and hash (the chain's head at
    -- the moment of publication); that event's data holds content_sha256.
    anchor_seq     INTEGER REFERENCES audit_events(seq),
    anchor_hash    TEXT,
    content_sha256 TEXT    NOT NULL DEFAULT '',
    created_by     INTEGER NOT NULL,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    UNIQUE (catalogue_id, no),
    CHECK (state <> 'published' OR (anchor_seq IS NOT NULL AND anchor_hash IS NOT NULL AND published_at IS NOT NULL))
);

-- An item's identity across versions: a decision's catalogue_item_id.
CREATE TABLE catalogue_items (
    id           INTEGER PRIMARY KEY,
    catalogue_id INTEGER NOT NULL REFERENCES catalogues(id),
    created_in   INTEGER NOT NULL REFERENCES catalogue_versions(id)
);

-- The item as one version lists it (change: what an adjustment did to it).
CREATE TABLE catalogue_entries (
    version_id          INTEGER NOT NULL REFERENCES catalogue_versions(id),
    item_id             INTEGER NOT NULL REFERENCES catalogue_items(id),
    position            INTEGER NOT NULL,
    name                TEXT    NOT NULL,
    undertaking_unit_id INTEGER NOT NULL REFERENCES units(id),
    basis               TEXT    NOT NULL,
    procedures          TEXT    NOT NULL,
    hearing             BOOLEAN NOT NULL,
    planned             TEXT    NOT NULL,
    note                TEXT    NOT NULL DEFAULT '',
    change              TEXT    NOT NULL DEFAULT '' CHECK (change IN ('', 'added', 'changed', 'removed')),
    change_reason       TEXT    NOT NULL DEFAULT '',
    proposed_by         INTEGER,
    PRIMARY KEY (version_id, item_id)
);
CREATE INDEX catalogue_entries_item ON catalogue_entries(item_id);
CREATE INDEX decisions_catalogue_item ON decisions(catalogue_item_id);

-- Only a draft's items change; a published version never changes and no
-- version is ever deleted (Art. 3 ¶3: the public sees every version).
-- +goose StatementBegin
CREATE TRIGGER catalogue_entries_frozen_insert BEFORE INSERT ON catalogue_entries
WHEN (SELECT state FROM catalogue_versions WHERE id = NEW.version_id) <> 'draft'
BEGIN SELECT RAISE(ABORT, 'catalogue_frozen: only a draft catalogue version changes its items'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER catalogue_entries_frozen_update BEFORE UPDATE ON catalogue_entries
WHEN (SELECT state FROM catalogue_versions WHERE id = OLD.version_id) <> 'draft'
BEGIN SELECT RAISE(ABORT, 'catalogue_frozen: only a draft catalogue version changes its items'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER catalogue_entries_frozen_delete BEFORE DELETE ON catalogue_entries
WHEN (SELECT state FROM catalogue_versions WHERE id = OLD.version_id) <> 'draft'
BEGIN SELECT RAISE(ABORT, 'catalogue_frozen: only a draft catalogue version changes its items'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER catalogue_versions_frozen BEFORE UPDATE ON catalogue_versions
WHEN OLD.state = 'published'
BEGIN SELECT RAISE(ABORT, 'catalogue_frozen: a published catalogue version is never changed'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER catalogue_versions_no_delete BEFORE DELETE ON catalogue_versions
BEGIN SELECT RAISE(ABORT, 'catalogue_frozen: catalogue versions are never deleted'); END;
-- +goose StatementEnd

-- +goose Down
DROP INDEX decisions_catalogue_item;
DROP TABLE catalogue_entries;
DROP TABLE catalogue_items;
DROP TABLE catalogue_versions;
DROP TABLE catalogues;
