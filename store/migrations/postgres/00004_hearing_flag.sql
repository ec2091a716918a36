-- +goose Up
-- A decision whose catalogue item requires a hearing (是否听证) holds one
-- before participation completes (Art. 16; QH (八)).
ALTER TABLE decisions ADD COLUMN hearing_required BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE decisions DROP COLUMN hearing_required;
