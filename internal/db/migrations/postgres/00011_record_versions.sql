-- +goose Up
-- Every record that a form or an API PUT edits carries a version, raised by
-- one on every change. A write names the version it was read at and is
-- refused when the record has moved on (UPDATE … WHERE id = $1 AND version = $2),
-- so two editors, through one instance or several, never overwrite each other
-- unseen.
ALTER TABLE actors ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE production_observations ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE offer_products ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE institutions ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE plan_reports ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE plan_annual_items ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
