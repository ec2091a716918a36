-- +goose Up
-- The console (issue 9). Nothing here is evidence: deadlines are derived
-- from the records and rebuilt at will, notifications and their settings
-- are conveniences (only the office's reminder is audited, in the chain).

-- The open deadlines of each decision as of its last act (workflow.Deadlines),
-- so the work queue sorts overdue first and the reminders find what is due
-- without loading every decision's records. Rebuilt for one decision by
-- every act, for all by the background job (rule pack or calendar changed).
CREATE TABLE deadline_index (
    decision_id INTEGER NOT NULL REFERENCES decisions(id),
    kind        TEXT    NOT NULL,
    due_on      TEXT    NOT NULL,  -- YYYY-MM-DD
    overdue_on  TEXT    NOT NULL,  -- the first day it counts as overdue
    PRIMARY KEY (decision_id, kind)
);
CREATE INDEX deadline_index_due ON deadline_index(due_on);

-- In-app notifications (the bell); e-mailed when the person gave an address
-- and SMTP is configured. ref makes each notice once only.
CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    decision_id INTEGER NOT NULL REFERENCES decisions(id),
    kind        TEXT    NOT NULL CHECK (kind IN ('queue', 'due_soon', 'overdue', 'reminder')),
    ref         TEXT    NOT NULL,
    zh          TEXT    NOT NULL,
    en          TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    read_at     TEXT,
    emailed_at  TEXT,
    UNIQUE (user_id, kind, decision_id, ref)
);
CREATE INDEX notifications_user ON notifications(user_id, read_at);
CREATE INDEX notifications_mail ON notifications(emailed_at);

CREATE TABLE notification_settings (
    user_id    INTEGER PRIMARY KEY REFERENCES users(id),
    email      TEXT    NOT NULL DEFAULT '',
    -- only notifications made after the address was set are e-mailed
    from_id    INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT    NOT NULL
);

CREATE INDEX decisions_created_by ON decisions(created_by);

-- +goose Down
DROP INDEX decisions_created_by;
DROP TABLE notification_settings;
DROP TABLE notifications;
DROP TABLE deadline_index;
