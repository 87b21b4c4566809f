-- +goose Up
-- The language a subscription request asks for waits, as its subscriptions
-- do, for the address's confirmation: anyone may fill the public form with
-- a member's address, and the member's mails keep their language until it
-- confirms ('' when the request keeps it).
ALTER TABLE network_subscribers ADD COLUMN pending_lang TEXT NOT NULL DEFAULT '' CHECK (pending_lang IN ('', 'es', 'en'));
