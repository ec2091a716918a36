-- +goose Up
-- Documents, content-addressed: the hash is the key, so the same file
-- uploaded twice is stored once. The content lives here or, when the
-- deployment keeps documents in a folder, in that folder under its hash.
CREATE TABLE documents (
    hash       TEXT    PRIMARY KEY,
    alg        TEXT    NOT NULL,
    size       INTEGER  NOT NULL,
    mime       TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    content    BLOB,
    created_by INTEGER  NOT NULL,
    created_at TEXT    NOT NULL
);

-- A document attached to the act that produced it (its hash is in that
-- act's audit event). Never deleted: a later attachment may supersede it.
CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY,
    decision_id INTEGER  NOT NULL REFERENCES decisions(id),
    record_id   INTEGER  NOT NULL REFERENCES records(id),
    audit_seq   INTEGER  NOT NULL REFERENCES audit_events(seq),
    event       TEXT    NOT NULL,
    hash        TEXT    NOT NULL REFERENCES documents(hash),
    title       TEXT    NOT NULL,
    supersedes  INTEGER  REFERENCES attachments(id),
    at          TEXT    NOT NULL
);
CREATE INDEX attachments_decision ON attachments(decision_id, id);

-- Archive packages exported for a decision (一事一档); record_archive names one.
CREATE TABLE archive_packages (
    id          INTEGER PRIMARY KEY,
    decision_id INTEGER  NOT NULL REFERENCES decisions(id),
    hash        TEXT    NOT NULL,
    alg         TEXT    NOT NULL,
    size        INTEGER  NOT NULL,
    created_by  INTEGER  NOT NULL,
    created_at  TEXT    NOT NULL
);
CREATE INDEX archive_packages_decision ON archive_packages(decision_id);

-- Signed checkpoints of the chain head; never events of the chain itself.
CREATE TABLE checkpoints (
    id         INTEGER PRIMARY KEY,
    seq        INTEGER  NOT NULL,
    hash       TEXT    NOT NULL,
    first_hash TEXT    NOT NULL,
    at         TEXT    NOT NULL,
    reason     TEXT    NOT NULL,
    sig_alg    TEXT    NOT NULL,
    key_id     TEXT    NOT NULL,
    public_key TEXT    NOT NULL,
    signature  TEXT    NOT NULL
);
CREATE INDEX checkpoints_seq ON checkpoints(seq);

-- Documents are never deleted or changed; attachments, packages and
-- checkpoints are append-only.
-- +goose StatementBegin
CREATE TRIGGER documents_no_update BEFORE UPDATE ON documents
BEGIN SELECT RAISE(ABORT, 'record_immutable: documents rows are never updated'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER documents_no_delete BEFORE DELETE ON documents
BEGIN SELECT RAISE(ABORT, 'record_immutable: documents rows are never deleted'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER attachments_no_update BEFORE UPDATE ON attachments
BEGIN SELECT RAISE(ABORT, 'record_immutable: attachments rows are never updated'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER attachments_no_delete BEFORE DELETE ON attachments
BEGIN SELECT RAISE(ABORT, 'record_immutable: attachments rows are never deleted'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER archive_packages_no_update BEFORE UPDATE ON archive_packages
BEGIN SELECT RAISE(ABORT, 'record_immutable: archive_packages rows are never updated'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER archive_packages_no_delete BEFORE DELETE ON archive_packages
BEGIN SELECT RAISE(ABORT, 'record_immutable: archive_packages rows are never deleted'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'record_immutable: checkpoints rows are never updated'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'record_immutable: checkpoints rows are never deleted'); END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE checkpoints;
DROP TABLE archive_packages;
DROP TABLE attachments;
DROP TABLE documents;
