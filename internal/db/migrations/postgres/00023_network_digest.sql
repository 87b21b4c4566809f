-- +goose Up
-- The information network's subscription page (issue 17): a member may keep
-- the immediate mails it marked and turn the weekly digest off.
ALTER TABLE network_subscribers ADD COLUMN digest BOOLEAN NOT NULL DEFAULT TRUE;
