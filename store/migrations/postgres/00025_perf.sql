-- +goose Up
-- An act reads only the records its guards read (workflow.EventDef.Reads):
-- by event, so its cost does not grow with the decision's history.
CREATE INDEX records_decision_event ON records(decision_id, event, id);

-- +goose Down
DROP INDEX records_decision_event;
