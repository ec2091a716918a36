-- +goose Up
-- Searching the titles of 100,000 decisions (issue 11): a trigram index of
-- every title (SQLite's FTS5, tokenizer trigram, case folded), kept by
-- triggers, so that a search of three characters or more reads the
-- matching decisions from the index instead of testing every title with
-- LIKE. It holds no copy of the titles (content=decisions). Shorter
-- searches, and PostgreSQL (whose trigram index, pg_trgm, is an extension
-- the schema may not rely on), still use LIKE.
CREATE VIRTUAL TABLE decision_titles USING fts5(title, content='decisions', content_rowid='id', tokenize='trigram');
INSERT INTO decision_titles(decision_titles) VALUES ('rebuild');

-- +goose StatementBegin
CREATE TRIGGER decision_titles_insert AFTER INSERT ON decisions BEGIN
    INSERT INTO decision_titles (rowid, title) VALUES (new.id, new.title);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER decision_titles_update AFTER UPDATE OF title ON decisions WHEN old.title IS NOT new.title BEGIN
    INSERT INTO decision_titles (decision_titles, rowid, title) VALUES ('delete', old.id, old.title);
    INSERT INTO decision_titles (rowid, title) VALUES (new.id, new.title);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER decision_titles_delete AFTER DELETE ON decisions BEGIN
    INSERT INTO decision_titles (decision_titles, rowid, title) VALUES ('delete', old.id, old.title);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER decision_titles_delete;
DROP TRIGGER decision_titles_update;
DROP TRIGGER decision_titles_insert;
DROP TABLE decision_titles;
