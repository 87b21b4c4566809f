-- +goose Up
-- Key/value facts about this installation (first start, loaded datasets).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
