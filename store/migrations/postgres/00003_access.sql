-- +goose Up
-- Organs are data: an organ names its head (a user) and its legality-review
-- body (a unit). short_name is the unique suffix people type (交通运输局).
ALTER TABLE units ADD COLUMN short_name TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN head_user_id BIGINT REFERENCES users(id);
ALTER TABLE units ADD COLUMN review_unit_id BIGINT REFERENCES units(id);

-- Sign-in, lockout, disabling (等保 2.0 level 3). Users are never deleted,
-- so an id is never reused.
ALTER TABLE users ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN password_set_at TEXT;
ALTER TABLE users ADD COLUMN password_temporary BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN demo BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN disabled_at TEXT;
ALTER TABLE users ADD COLUMN failed_logins BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until TEXT;

-- Tokens expire; demo tokens work only while the server runs with --demo.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN demo BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- Server-side sessions of the pages; only a hash of the session id is kept.
CREATE TABLE sessions (
    id_hash      TEXT    PRIMARY KEY,
    user_id      BIGINT  NOT NULL REFERENCES users(id),
    created_at   TEXT    NOT NULL,
    last_seen_at TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL,
    address      TEXT    NOT NULL DEFAULT '',
    demo         BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX sessions_user ON sessions(user_id);

-- The execution units a decision's approving meeting named (executors'
-- scope); written by Apply with the approve act.
CREATE TABLE decision_units (
    decision_id BIGINT NOT NULL REFERENCES decisions(id),
    unit_id     BIGINT NOT NULL REFERENCES units(id),
    PRIMARY KEY (decision_id, unit_id)
);
CREATE INDEX decision_units_unit ON decision_units(unit_id);

-- The organ an audit event belongs to (a decision's organ; for security and
-- administrative events the organ of the person concerned): leaders read
-- their organ's trail. Part of the hashed content when set.
ALTER TABLE audit_events ADD COLUMN organ_id BIGINT;
CREATE INDEX audit_organ ON audit_events(organ_id, seq);
CREATE INDEX decisions_organ ON decisions(organ_id);

CREATE TRIGGER users_no_delete BEFORE DELETE ON users FOR EACH ROW EXECUTE FUNCTION refuse_change('user_permanent');

-- The single administrator role is split into the three of 三员分立.
UPDATE users SET roles = 'sysadmin' WHERE roles = 'admin';
-- The head flag becomes the organ's data.
UPDATE units SET head_user_id = (SELECT MIN(u.id) FROM users u WHERE u.is_head AND u.unit_id = units.id) WHERE kind = 'organ';

-- +goose Down
DROP TRIGGER users_no_delete ON users;
DROP INDEX decisions_organ;
DROP INDEX audit_organ;
DROP TABLE decision_units;
DROP TABLE sessions;
