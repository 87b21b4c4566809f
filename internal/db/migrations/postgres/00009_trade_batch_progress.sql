-- +goose Up
-- A running import's progress, for the app instances that do not run it
-- (PostgreSQL deployments with several instances).
ALTER TABLE trade_batches ADD COLUMN rows_read BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN storing BOOLEAN NOT NULL DEFAULT FALSE;
