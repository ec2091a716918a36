-- +goose Up
-- Overdue deadlines across decisions (issue 11) are read from the index
-- alone — the kind and the due date with the overdue day and the decision
-- — so that each of the thousands of overdue rows costs one look-up of its
-- decision, not another of the deadline row as well.
DROP INDEX deadline_index_overdue;
CREATE INDEX deadline_index_overdue ON deadline_index(overdue_on, decision_id, kind, due_on);

-- +goose Down
DROP INDEX deadline_index_overdue;
CREATE INDEX deadline_index_overdue ON deadline_index(overdue_on, decision_id);
