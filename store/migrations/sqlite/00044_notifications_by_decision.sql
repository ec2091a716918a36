-- +goose Up
-- The background's due notices (every 10 minutes) look for the deadlines
-- not yet noticed: a notification of the decision, kind and deadline. The
-- only index began with the user, so each of the thousands of due
-- deadlines scanned every notification — 55 s a round at 100,000
-- decisions and 420,000 notifications (issue 11).
CREATE INDEX notifications_decision ON notifications(decision_id, kind, ref);

-- +goose Down
DROP INDEX notifications_decision;
