-- +goose Up
-- Species and species groups: FAO ASFIS 3-alpha codes for species; lower-case keys for groups.
CREATE TABLE species (
    code            TEXT PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('species', 'group')),
    scientific_name TEXT NOT NULL DEFAULT '',
    name_es         TEXT NOT NULL,
    name_en         TEXT NOT NULL DEFAULT '',
    isscaap         TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL DEFAULT ''
);

-- Places statistics refer to: the world, countries, regions, provinces, landing sites.
CREATE TABLE places (
    code    TEXT PRIMARY KEY,
    kind    TEXT NOT NULL CHECK (kind IN ('world', 'country', 'region', 'province', 'district', 'landing_site')),
    parent  TEXT REFERENCES places (code),
    name_es TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    source  TEXT NOT NULL DEFAULT ''
);

-- One figure of production, landings or harvest. A missing year, month or
-- end year is 0, so that the natural key below is unique on both backends.
CREATE TABLE production_observations (
    id             INTEGER PRIMARY KEY,
    species        TEXT NOT NULL REFERENCES species (code),
    presentation   TEXT NOT NULL CHECK (presentation IN ('all', 'fresh', 'frozen', 'canned', 'dried_salted')),
    origin         TEXT NOT NULL CHECK (origin IN ('all', 'capture', 'aquaculture')),
    place          TEXT NOT NULL REFERENCES places (code),
    measure        TEXT NOT NULL CHECK (measure IN ('quantity', 'average_quantity', 'share', 'growth_rate')),
    year           INTEGER NOT NULL DEFAULT 0,
    month          INTEGER NOT NULL DEFAULT 0 CHECK (month BETWEEN 0 AND 12),
    year_to        INTEGER NOT NULL DEFAULT 0,
    period_text    TEXT NOT NULL DEFAULT '',
    share_of       TEXT NOT NULL DEFAULT '',
    value          REAL NOT NULL,
    unit           TEXT NOT NULL,
    amount         REAL,
    currency       TEXT NOT NULL DEFAULT '',
    source         TEXT NOT NULL,
    source_ref     TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL CHECK (status IN ('final', 'provisional', 'estimated', 'revised')),
    note           TEXT NOT NULL DEFAULT '',
    institution_id INTEGER REFERENCES institutions (id),
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    UNIQUE (species, presentation, origin, place, measure, year, month, year_to, share_of, source)
);
CREATE INDEX production_observations_place_species ON production_observations (place, species, year);

-- Earlier values of revised observations.
CREATE TABLE production_revisions (
    id             INTEGER PRIMARY KEY,
    observation_id INTEGER NOT NULL REFERENCES production_observations (id) ON DELETE CASCADE,
    value          REAL NOT NULL,
    unit           TEXT NOT NULL,
    status         TEXT NOT NULL,
    source_ref     TEXT NOT NULL,
    note           TEXT NOT NULL,
    replaced_at    TIMESTAMP NOT NULL,
    replaced_by    TEXT NOT NULL
);
CREATE INDEX production_revisions_observation ON production_revisions (observation_id);
