-- +goose Up
-- Lists at scale (issue 11): a state filter and a title search within an
-- organ are answered from these indexes alone — the count of matches and
-- the page — without reading the decisions' rows.
CREATE INDEX decisions_organ_state ON decisions(organ_id, state, id);
CREATE INDEX decisions_organ_title ON decisions(organ_id, title, id);
-- Overdue deadlines across decisions start from the deadlines overdue.
CREATE INDEX deadline_index_overdue ON deadline_index(overdue_on, decision_id);

-- +goose Down
DROP INDEX deadline_index_overdue;
DROP INDEX decisions_organ_title;
DROP INDEX decisions_organ_state;
