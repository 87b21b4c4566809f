-- +goose Up
-- The registry of actors of the chain (seed activities 1.1.1, 2.1.1-i, 2.1.2, 3.1.1, 3.3.1).
CREATE TABLE actors (
    id                     INTEGER PRIMARY KEY,
    key                    TEXT NOT NULL UNIQUE,  -- re-imports match on it: the RUC, or a stable key
    name                   TEXT NOT NULL,
    ruc                    TEXT UNIQUE,
    search_text            TEXT NOT NULL,         -- lower case, without accents: name, RUC, description
    district               TEXT REFERENCES places (code),
    address                TEXT NOT NULL DEFAULT '',
    latitude               REAL,
    longitude              REAL,
    description            TEXT NOT NULL DEFAULT '',
    description_en         TEXT NOT NULL DEFAULT '',
    website                TEXT NOT NULL DEFAULT '',
    contact_name           TEXT NOT NULL DEFAULT '',
    contact_name_public    BOOLEAN NOT NULL DEFAULT FALSE,
    email                  TEXT NOT NULL DEFAULT '',
    email_public           BOOLEAN NOT NULL DEFAULT FALSE,
    phone                  TEXT NOT NULL DEFAULT '',
    phone_public           BOOLEAN NOT NULL DEFAULT FALSE,
    presentations          TEXT NOT NULL DEFAULT '',  -- presentation codes, comma-separated
    services               TEXT NOT NULL DEFAULT '',
    financing_type         TEXT NOT NULL DEFAULT '' CHECK (financing_type IN ('', 'returnable', 'non_returnable', 'both')),
    financing_eligible     TEXT NOT NULL DEFAULT '',
    financing_requirements TEXT NOT NULL DEFAULT '',
    financing_amounts      TEXT NOT NULL DEFAULT '',
    institution_id         INTEGER REFERENCES institutions (id),
    active                 BOOLEAN NOT NULL DEFAULT TRUE,
    registered_at          TIMESTAMP NOT NULL,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL
);
CREATE INDEX actors_district ON actors (district);

CREATE TABLE actor_kinds (
    actor_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    kind     TEXT NOT NULL,
    PRIMARY KEY (actor_id, kind)
);
CREATE INDEX actor_kinds_kind ON actor_kinds (kind);

CREATE TABLE actor_species (
    actor_id INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    species  TEXT NOT NULL REFERENCES species (code),
    PRIMARY KEY (actor_id, species)
);

CREATE TABLE actor_certifications (
    id         INTEGER PRIMARY KEY,
    actor_id   INTEGER NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('sanitary_registration', 'plant_licence', 'haccp', 'other')),
    number     TEXT NOT NULL DEFAULT '',
    issuer     TEXT NOT NULL DEFAULT '',
    valid_to   TEXT NOT NULL DEFAULT ''  -- YYYY-MM-DD, empty when it does not expire
);
CREATE INDEX actor_certifications_actor ON actor_certifications (actor_id);
