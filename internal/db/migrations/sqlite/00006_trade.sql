-- +goose Up
-- Each imported file is a batch; re-importing a file (same format and name) replaces its rows.
CREATE TABLE trade_batches (
    id          INTEGER PRIMARY KEY,
    format      TEXT NOT NULL,
    name        TEXT NOT NULL,
    source      TEXT NOT NULL DEFAULT '',
    rows        INTEGER NOT NULL DEFAULT 0,
    state       TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed')),
    error       TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE INDEX trade_batches_name ON trade_batches (format, name);

-- Trade flows. The natural key is unique: a figure is stored once, by the
-- latest batch that gave it.
CREATE TABLE trade_flows (
    batch_id       INTEGER NOT NULL REFERENCES trade_batches (id) ON DELETE CASCADE,
    reporter       INTEGER NOT NULL,
    partner        INTEGER NOT NULL,
    partner2       INTEGER NOT NULL DEFAULT 0,
    flow           TEXT NOT NULL,
    classification TEXT NOT NULL,
    commodity      TEXT NOT NULL,
    year           INTEGER NOT NULL,
    month          INTEGER NOT NULL DEFAULT 0,
    value_usd      REAL NOT NULL,
    value_basis    TEXT NOT NULL DEFAULT '',
    net_weight_kg  REAL,
    qty            REAL,
    qty_unit       TEXT NOT NULL DEFAULT '',
    flag           TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (commodity, flow, year, month, reporter, partner, partner2, classification)
);
CREATE INDEX trade_flows_reporter ON trade_flows (reporter, flow, commodity, year);
CREATE INDEX trade_flows_batch ON trade_flows (batch_id);

-- Shares of suppliers in a market as published (the seed's Cuadro 2), when
-- the values behind them are not at hand.
CREATE TABLE trade_published_shares (
    id          INTEGER PRIMARY KEY,
    market      INTEGER NOT NULL,
    supplier    INTEGER NOT NULL,
    commodity   TEXT NOT NULL,
    year        INTEGER NOT NULL,
    share_pct   REAL NOT NULL,
    source      TEXT NOT NULL,
    UNIQUE (market, supplier, commodity, year)
);

-- Market-intelligence reports (seed activity 2.1.5): a snapshot of what the
-- report showed and the import batches it was built from.
CREATE TABLE market_reports (
    id         INTEGER PRIMARY KEY,
    period     TEXT NOT NULL,
    lang       TEXT NOT NULL,
    lines      TEXT NOT NULL,
    batches    TEXT NOT NULL,
    data       TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX market_reports_period ON market_reports (period);
