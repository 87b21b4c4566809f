-- +goose Up
-- Zones and the aquaculture cadastre (seed activities 1.1.1, 1.4.1, 3.1.4,
-- 3.1.5): one table for the layers that have a geometry, with each layer's
-- typed attributes (the CHECKs keep them to their layer), the geometry as
-- GeoJSON in WGS84 and as the source gave it, and the bounding box. A
-- feature is also listed in zone_cells under every 0.02° grid cell its box
-- touches (cell -1 for the few that touch more than 1024), so that a box or
-- a point query reads a handful of index entries on either database.
CREATE TABLE zones (
    id                INTEGER PRIMARY KEY,
    layer             TEXT NOT NULL CHECK (layer IN ('aquaculture-rights', 'production-areas', 'natural-banks', 'landing-sites', 'suitable-zones')),
    code              TEXT NOT NULL,
    name              TEXT NOT NULL DEFAULT '',
    geometry          TEXT NOT NULL,             -- GeoJSON geometry, WGS84 longitude/latitude
    source_geometry   TEXT NOT NULL,             -- GeoJSON geometry in the source's coordinates
    source_srs        TEXT NOT NULL,             -- EPSG:N
    min_lon           REAL NOT NULL,
    min_lat           REAL NOT NULL,
    max_lon           REAL NOT NULL,
    max_lat           REAL NOT NULL,
    hectares          REAL,                      -- computed from the geometry on the ellipsoid (polygons)
    valid_from        TEXT NOT NULL DEFAULT '',  -- YYYY-MM-DD; empty: unbounded
    valid_to          TEXT NOT NULL DEFAULT '',
    species           TEXT NOT NULL DEFAULT '',  -- FAO 3-alpha codes, comma-separated
    kind              TEXT NOT NULL DEFAULT '' CHECK (kind IN ('', 'concession', 'authorization')),
    holder            TEXT NOT NULL DEFAULT '',
    holder_ruc        TEXT NOT NULL DEFAULT '',  -- links the holder to the registry of actors
    resolution        TEXT NOT NULL DEFAULT '',
    resolution_date   TEXT NOT NULL DEFAULT '',
    hectares_declared REAL,
    status            TEXT NOT NULL DEFAULT '' CHECK (status IN ('', 'in_force', 'expired', 'revoked')),
    class             TEXT NOT NULL DEFAULT '' CHECK (class IN ('', 'A', 'B', 'C')),
    class_date        TEXT NOT NULL DEFAULT '',
    district          TEXT NOT NULL DEFAULT '',
    operator          TEXT NOT NULL DEFAULT '',
    vessels           INTEGER,
    fishers           INTEGER,
    notes             TEXT NOT NULL DEFAULT '',
    source            TEXT NOT NULL DEFAULT '',
    institution_id    INTEGER REFERENCES institutions (id),
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    UNIQUE (layer, code),
    CHECK (layer = 'aquaculture-rights' OR (kind = '' AND holder = '' AND holder_ruc = '' AND hectares_declared IS NULL AND status = '')),
    CHECK (layer = 'production-areas' OR (class = '' AND class_date = '')),
    CHECK (layer = 'landing-sites' OR (operator = '' AND vessels IS NULL AND fishers IS NULL))
);
CREATE INDEX zones_bbox ON zones (layer, min_lon, min_lat, max_lon, max_lat);
CREATE INDEX zones_holder_ruc ON zones (holder_ruc) WHERE holder_ruc <> '';

CREATE TABLE zone_cells (
    layer   TEXT NOT NULL,
    cell    BIGINT NOT NULL,
    zone_id INTEGER NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
    PRIMARY KEY (layer, cell, zone_id)
);
CREATE INDEX zone_cells_zone ON zone_cells (zone_id);

-- Each sanitary classification a production area has had.
CREATE TABLE zone_class_history (
    id          INTEGER PRIMARY KEY,
    zone_id     INTEGER NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
    class       TEXT NOT NULL CHECK (class IN ('', 'A', 'B', 'C')),
    class_date  TEXT NOT NULL DEFAULT '',
    resolution  TEXT NOT NULL DEFAULT '',
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX zone_class_history_zone ON zone_class_history (zone_id, class_date);

-- Closures of production areas (biotoxins, red tides…): an area is closed
-- on a day when a closure covers it; ends is empty while it lasts.
CREATE TABLE zone_closures (
    id             INTEGER PRIMARY KEY,
    area_id        INTEGER NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
    reason         TEXT NOT NULL CHECK (reason IN ('psp', 'asp', 'dsp', 'other_biotoxin', 'red_tide', 'microbiology', 'other')),
    starts         TEXT NOT NULL,             -- YYYY-MM-DD
    ends           TEXT NOT NULL DEFAULT '',  -- YYYY-MM-DD, inclusive; empty: still closed
    resolution     TEXT NOT NULL DEFAULT '',
    notes          TEXT NOT NULL DEFAULT '',
    institution_id INTEGER REFERENCES institutions (id),
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    UNIQUE (area_id, starts)
);

-- Accounts that follow an area's closures, and what they were last told.
CREATE TABLE zone_subscriptions (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    area_id    INTEGER NOT NULL REFERENCES zones (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, area_id)
);
CREATE INDEX zone_subscriptions_area ON zone_subscriptions (area_id);

-- The open or closed state last announced for each area, so that each
-- opening and closing is announced once, by one instance.
CREATE TABLE zone_area_status (
    area_id    INTEGER PRIMARY KEY REFERENCES zones (id) ON DELETE CASCADE,
    closed     BOOLEAN NOT NULL,
    changed_on TEXT NOT NULL
);
