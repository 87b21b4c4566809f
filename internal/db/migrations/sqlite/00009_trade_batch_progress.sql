-- +goose Up
-- A running import's progress, for the app instances that do not run it
-- (PostgreSQL deployments with several instances).
ALTER TABLE trade_batches ADD COLUMN rows_read INTEGER NOT NULL DEFAULT 0;
ALTER TABLE trade_batches ADD COLUMN storing BOOLEAN NOT NULL DEFAULT FALSE;
