-- +goose Up
-- Calendar years loaded or corrected by an administrator; they override the
-- built-in official data for the same year.
CREATE TABLE calendar_years (
    year      INTEGER PRIMARY KEY,
    data      TEXT    NOT NULL,
    source    TEXT    NOT NULL,
    loaded_by BIGINT  NOT NULL,
    loaded_at TEXT    NOT NULL
);

-- Rule packs as data; settings.active_rule_pack names the one in force and
-- settings.config_version changes with every change of either table.
CREATE TABLE rule_packs (
    code       TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- +goose Down
DROP TABLE rule_packs;
DROP TABLE calendar_years;
