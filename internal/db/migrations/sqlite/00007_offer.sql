-- +goose Up
-- The exportable offer (seed activity 2.3.2): the products an exporter offers.
CREATE TABLE offer_products (
    id              INTEGER PRIMARY KEY,
    actor_id        INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    species         TEXT NOT NULL REFERENCES species (code),
    presentation    TEXT NOT NULL CHECK (presentation IN ('fresh', 'frozen', 'canned', 'dried_salted')),
    hs_code         TEXT NOT NULL DEFAULT '',
    name_es         TEXT NOT NULL DEFAULT '',
    name_en         TEXT NOT NULL DEFAULT '',
    description_es  TEXT NOT NULL DEFAULT '',
    description_en  TEXT NOT NULL DEFAULT '',
    capacity_t_year REAL,
    seasons         TEXT NOT NULL DEFAULT '',
    markets         TEXT NOT NULL DEFAULT '',  -- ISO alpha-3 codes, comma-separated
    photo           TEXT NOT NULL DEFAULT '',  -- the WebP's content hash in the file store
    photo_width     INTEGER NOT NULL DEFAULT 0,
    photo_height    INTEGER NOT NULL DEFAULT 0,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX offer_products_actor ON offer_products (actor_id);
CREATE INDEX offer_products_species ON offer_products (species);

-- Messages from buyers to exporters; private contacts are never shown to them.
CREATE TABLE offer_messages (
    id         INTEGER PRIMARY KEY,
    actor_id   INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    email      TEXT NOT NULL,
    company    TEXT NOT NULL DEFAULT '',
    country    TEXT NOT NULL DEFAULT '',
    message    TEXT NOT NULL,
    lang       TEXT NOT NULL DEFAULT 'es',
    address    TEXT NOT NULL,              -- the sender's IP, for rate limiting
    delivered  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX offer_messages_actor ON offer_messages (actor_id, created_at);
CREATE INDEX offer_messages_address ON offer_messages (address, created_at);
