-- +goose Up
-- The public's comments on a draft open for comment (Art. 14–18, issue 13).
-- A comment is an act of the anonymous public: its row is tied to its audit
-- event (comment_received, no decision id, the decision's organ) by a
-- content hash, so verify vouches for it. The address is kept only as a
-- salted hash (the salt is the deployment's, outside the database). The
-- receipt number (回执编号) is random, so a receipt cannot be guessed. A
-- comment may carry one file, stored as a document (content-addressed) in
-- the same transaction as the comment.
CREATE TABLE comments (
    id          INTEGER PRIMARY KEY,
    decision_id INTEGER NOT NULL REFERENCES decisions(id),
    round_id    INTEGER NOT NULL REFERENCES records(id), -- the start_participation record of its comment period
    receipt     TEXT    NOT NULL UNIQUE,
    draft_no    INTEGER NOT NULL,
    draft_hash  TEXT    NOT NULL,                         -- the draft version commented on
    text        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    contact     TEXT    NOT NULL,
    addr_hash   TEXT    NOT NULL,
    at          TEXT    NOT NULL,
    audit_seq   INTEGER NOT NULL REFERENCES audit_events(seq),
    -- The optional attachment (a document, content-addressed; '' when none)
    -- and its file name as cleaned; both are in the content hash.
    attachment_hash TEXT NOT NULL DEFAULT '',
    attachment_name TEXT NOT NULL DEFAULT ''
);
CREATE INDEX comments_decision ON comments(decision_id, round_id, id);
CREATE INDEX comments_at ON comments(at);
CREATE INDEX comments_audit ON comments(audit_seq);

-- The drafter's handling of comments, append-only: the latest row of a
-- comment is how it stands — grouped into a main opinion (主要意见) or
-- marked (duplicate / off-topic / abusive) with the reason. One act may
-- handle many comments: its audit event binds all its rows.
CREATE TABLE comment_handling (
    id           INTEGER PRIMARY KEY,
    comment_id   INTEGER NOT NULL REFERENCES comments(id),
    decision_id  INTEGER NOT NULL REFERENCES decisions(id),
    kind         TEXT    NOT NULL CHECK (kind IN ('group', 'duplicate', 'off_topic', 'abusive')),
    opinion      TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    duplicate_of INTEGER REFERENCES comments(id),
    actor_id     INTEGER NOT NULL,
    at           TEXT    NOT NULL,
    audit_seq    INTEGER NOT NULL REFERENCES audit_events(seq)
);
CREATE INDEX comment_handling_comment ON comment_handling(comment_id, id);
CREATE INDEX comment_handling_audit ON comment_handling(audit_seq);

-- +goose StatementBegin
CREATE TRIGGER comments_no_update BEFORE UPDATE ON comments
BEGIN SELECT RAISE(ABORT, 'record_immutable: comments rows are never updated'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER comments_no_delete BEFORE DELETE ON comments
BEGIN SELECT RAISE(ABORT, 'record_immutable: comments rows are never deleted'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER comment_handling_no_update BEFORE UPDATE ON comment_handling
BEGIN SELECT RAISE(ABORT, 'record_immutable: comment_handling rows are never updated'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER comment_handling_no_delete BEFORE DELETE ON comment_handling
BEGIN SELECT RAISE(ABORT, 'record_immutable: comment_handling rows are never deleted'); END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE comment_handling;
DROP TABLE comments;
