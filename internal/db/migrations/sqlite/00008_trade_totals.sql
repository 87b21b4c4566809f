-- +goose Up
-- Trade flows are stored in their natural key's order (WITHOUT ROWID): one
-- B-tree instead of a table and its key index. The key starts with the
-- reporter, as files come (one reporter and year after another) and as the
-- reporter's analyses read (its partners by year).
CREATE TABLE trade_flows_keyed (
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
    PRIMARY KEY (reporter, flow, commodity, year, month, partner, partner2, classification)
) WITHOUT ROWID;
INSERT INTO trade_flows_keyed SELECT batch_id, reporter, partner, partner2, flow, classification, commodity, year, month,
    value_usd, value_basis, net_weight_kg, qty, qty_unit, flag FROM trade_flows;
DROP TABLE trade_flows;
ALTER TABLE trade_flows_keyed RENAME TO trade_flows;
CREATE INDEX trade_flows_batch ON trade_flows (batch_id);

-- Each batch's part of each reporter's annual total for a flow and code
-- (partner2 = 0): its World row (partner 0) and the sum and count of its
-- partner rows. A reporter's total is its World row when one batch gave it,
-- else the sum of the partner rows of all batches. The import keeps this
-- table, so rankings read a few rows per reporter and year instead of every
-- partner row.
CREATE TABLE trade_totals (
    commodity      TEXT NOT NULL,
    flow           TEXT NOT NULL,
    year           INTEGER NOT NULL,
    reporter       INTEGER NOT NULL,
    classification TEXT NOT NULL,
    batch_id       INTEGER NOT NULL REFERENCES trade_batches (id) ON DELETE CASCADE,
    world_rows     INTEGER NOT NULL,
    world_usd      REAL NOT NULL,
    partner_rows   INTEGER NOT NULL,
    partner_usd    REAL NOT NULL,
    PRIMARY KEY (commodity, flow, year, reporter, classification, batch_id)
) WITHOUT ROWID;
CREATE INDEX trade_totals_batch ON trade_totals (batch_id);
INSERT INTO trade_totals
SELECT commodity, flow, year, reporter, classification, batch_id,
    SUM(CASE WHEN partner = 0 THEN 1 ELSE 0 END), SUM(CASE WHEN partner = 0 THEN value_usd ELSE 0 END),
    SUM(CASE WHEN partner <> 0 THEN 1 ELSE 0 END), SUM(CASE WHEN partner <> 0 THEN value_usd ELSE 0 END)
FROM trade_flows WHERE month = 0 AND partner2 = 0
GROUP BY commodity, flow, year, reporter, classification, batch_id;
