-- +goose Up
-- Moquegua's own exports and prices from the beach to the export market (issue 20).

-- Export declarations: each imported file is a batch. An import writes its
-- rows unseen, in short transactions, and publishes them in one step (state
-- 'done'); re-importing a file (same name) replaces the earlier batch, marked
-- 'replaced' when the new one is published and then removed. A batch whose
-- heartbeat stops (its process died) is failed and removed by the next import.
CREATE TABLE export_batches (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    source       TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed', 'replaced')),
    rows         INTEGER NOT NULL DEFAULT 0,
    error        TEXT NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    heartbeat_at TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP
);
CREATE INDEX export_batches_name ON export_batches (name, state);

-- The declarations, one row per declaration and line of the file, stored in
-- blocks of consecutive rows (a row per declaration would make an import
-- several times slower): declarations is a JSON array of
-- [line, ruc, dua, serie, subpartida, destination, port, fob_usd, net_kg,
--  gross_kg, quantity, unit, shipped_on, region], destination a UN Comtrade
-- partner code, region an ISO 3166-2 code (the department of production).
-- The view export_declarations shows one row per declaration.
CREATE TABLE export_blocks (
    id           INTEGER PRIMARY KEY,
    batch_id     INTEGER NOT NULL REFERENCES export_batches (id) ON DELETE CASCADE,
    first_line   INTEGER NOT NULL,
    declarations TEXT NOT NULL
);
CREATE INDEX export_blocks_batch ON export_blocks (batch_id, first_line);

CREATE VIEW export_declarations AS
SELECT b.batch_id, d.value ->> 0 AS line, d.value ->> 1 AS ruc, d.value ->> 2 AS dua, d.value ->> 3 AS serie,
    d.value ->> 4 AS subpartida, d.value ->> 5 AS destination, d.value ->> 6 AS port, d.value ->> 7 AS fob_usd,
    d.value ->> 8 AS net_kg, d.value ->> 9 AS gross_kg, d.value ->> 10 AS quantity, d.value ->> 11 AS unit,
    d.value ->> 12 AS shipped_on, d.value ->> 13 AS region
FROM export_blocks b JOIN export_batches x ON x.id = b.batch_id AND x.state = 'done', json_each(b.declarations) d;

-- Sums of the declarations by region, year, exporter, destination and
-- national line, written by the import beside the blocks: what the analyses
-- read. months holds the sums by month: a JSON array of 12 elements, each
-- null or [fob_usd, net_kg, declarations]. A key may have several parts in
-- one batch (an import that met many keys writes them in parts); readers add
-- them up.
CREATE TABLE export_years (
    region       TEXT NOT NULL,
    year         INTEGER NOT NULL,
    ruc          TEXT NOT NULL,
    destination  INTEGER NOT NULL,
    subpartida   TEXT NOT NULL,
    batch_id     INTEGER NOT NULL REFERENCES export_batches (id) ON DELETE CASCADE,
    part         INTEGER NOT NULL,
    fob_usd      REAL NOT NULL,
    net_kg       REAL NOT NULL,
    declarations INTEGER NOT NULL,
    months       TEXT NOT NULL,
    PRIMARY KEY (region, year, ruc, destination, subpartida, batch_id, part)
) WITHOUT ROWID;
CREATE INDEX export_years_batch ON export_years (batch_id);
CREATE INDEX export_years_ruc ON export_years (ruc, year);

-- The same sums by region, year and exporter, with the destinations it
-- shipped to (a JSON array of partner codes): what the ranking of exporters
-- reads, a tenth of the rows.
CREATE TABLE export_exporter_years (
    region       TEXT NOT NULL,
    year         INTEGER NOT NULL,
    ruc          TEXT NOT NULL,
    batch_id     INTEGER NOT NULL REFERENCES export_batches (id) ON DELETE CASCADE,
    part         INTEGER NOT NULL,
    fob_usd      REAL NOT NULL,
    net_kg       REAL NOT NULL,
    declarations INTEGER NOT NULL,
    destinations TEXT NOT NULL,
    PRIMARY KEY (region, year, ruc, batch_id, part)
) WITHOUT ROWID;
CREATE INDEX export_exporter_years_batch ON export_exporter_years (batch_id);

-- Each exporter's name as the latest published file gives it: linked to the
-- registry by RUC (actors.ruc); one not registered is a lead for the registry.
CREATE TABLE export_exporters (
    ruc      TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    batch_id INTEGER REFERENCES export_batches (id) ON DELETE SET NULL
);

-- A region's exports as a source publishes them, without declarations (the
-- seed's US$ 31,500 of 2004, 2.5.2): counted where no declaration of that
-- region, year and national line is published.
CREATE TABLE export_published (
    id         INTEGER PRIMARY KEY,
    region     TEXT NOT NULL,
    year       INTEGER NOT NULL,
    subpartida TEXT NOT NULL,
    fob_usd    REAL NOT NULL,
    source     TEXT NOT NULL,
    section    TEXT NOT NULL,
    statement  TEXT NOT NULL,
    UNIQUE (region, year, subpartida, source)
);

-- Whether an exporter shows its exports by market to everyone (it chooses;
-- its members and editors always see them).
CREATE TABLE export_visibility (
    actor_id   INTEGER PRIMARY KEY REFERENCES actors (id) ON DELETE CASCADE,
    public     BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
);

-- Prices: one observation of a species' price at a market level and place,
-- on a day, in a month (day 0) or a year (month 0 and day 0). price_to is
-- the upper end when a source gives a range ("entre 8 a 12 soles/Kg").
CREATE TABLE prices (
    id             INTEGER PRIMARY KEY,
    species        TEXT NOT NULL REFERENCES species (code),
    presentation   TEXT NOT NULL DEFAULT '',
    level          TEXT NOT NULL CHECK (level IN ('beach', 'wholesale', 'retail', 'export_fob')),
    place          TEXT NOT NULL,
    year           INTEGER NOT NULL,
    month          INTEGER NOT NULL DEFAULT 0,
    day            INTEGER NOT NULL DEFAULT 0,
    currency       TEXT NOT NULL CHECK (currency IN ('PEN', 'USD')),
    unit           TEXT NOT NULL DEFAULT 'kg',
    price          REAL NOT NULL,
    price_to       REAL,
    quantity_kg    REAL,
    source         TEXT NOT NULL,
    source_ref     TEXT NOT NULL DEFAULT '',
    note           TEXT NOT NULL DEFAULT '',
    institution_id INTEGER REFERENCES institutions (id),
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    UNIQUE (species, presentation, level, place, year, month, day, currency, source, source_ref)
);
CREATE INDEX prices_series ON prices (species, level, place, year, month);

-- Index series prices are compared with: INEI's consumer price index of
-- Lima Metropolitana (series 'cpi-lima'), soles per US dollar ('pen-usd').
-- month 0 is a yearly figure.
CREATE TABLE price_indices (
    series TEXT NOT NULL,
    year   INTEGER NOT NULL,
    month  INTEGER NOT NULL,
    value  REAL NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (series, year, month)
);

-- A user's request for an e-mail when a species' beach price at a landing
-- site moves more than threshold_pct from the previous month; each alert is
-- sent once per month (price_alerts_sent).
CREATE TABLE price_alerts (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    species       TEXT NOT NULL REFERENCES species (code),
    place         TEXT NOT NULL,
    threshold_pct REAL NOT NULL CHECK (threshold_pct > 0),
    created_at    TIMESTAMP NOT NULL,
    UNIQUE (user_id, species, place)
);
CREATE TABLE price_alerts_sent (
    alert_id INTEGER NOT NULL REFERENCES price_alerts (id) ON DELETE CASCADE,
    year     INTEGER NOT NULL,
    month    INTEGER NOT NULL,
    sent_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (alert_id, year, month)
);
