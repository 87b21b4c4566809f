-- +goose Up
-- The records of the demonstration dataset (sriim seed --demo), each under
-- the name the dataset gives it, so that loading again adds only what is
-- missing and "sriim seed --demo --remove" takes out exactly these.
CREATE TABLE demo_records (
    name      TEXT PRIMARY KEY,
    entity    TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    position  INTEGER NOT NULL,
    UNIQUE (entity, entity_id)
);
