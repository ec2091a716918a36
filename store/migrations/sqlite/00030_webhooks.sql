-- +goose Up
-- Webhooks (issue 12): subscriptions per event type, administered by the
-- system administrator (audited). Deliveries are an outbox: they are
-- written inside the act's own transaction, so a delivery exists exactly
-- when its act committed, and a background worker sends them.
CREATE TABLE webhooks (
    id          INTEGER PRIMARY KEY,
    url         TEXT    NOT NULL,
    events      TEXT    NOT NULL,            -- JSON list of event codes; ["*"]: every act
    organ_id    INTEGER REFERENCES units(id), -- only this organ's decisions (NULL: every organ)
    description TEXT    NOT NULL DEFAULT '',
    secret      TEXT    NOT NULL,            -- the HMAC key; shown once, never listed
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_by  INTEGER NOT NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    webhook_id      INTEGER NOT NULL REFERENCES webhooks(id),
    audit_seq       INTEGER NOT NULL REFERENCES audit_events(seq),
    event           TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    lease_until     TEXT,
    last_status     INTEGER,
    last_error      TEXT    NOT NULL DEFAULT '',
    created_at      TEXT    NOT NULL,
    delivered_at    TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
CREATE INDEX webhook_deliveries_seq ON webhook_deliveries(audit_seq);

-- Every attempt's outcome, kept for the administrators.
CREATE TABLE webhook_attempts (
    id          INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries(id),
    at          TEXT    NOT NULL,
    http_status INTEGER,
    error       TEXT    NOT NULL DEFAULT '',
    duration_ms INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts(delivery_id, id);

-- +goose Down
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
