-- +goose Up
-- The natural key starts with the reporter, as files come (one reporter and
-- year after another) and as the reporter's analyses read (its partners by
-- year); that index serves them, so the separate reporter index goes.
ALTER TABLE trade_flows DROP CONSTRAINT trade_flows_pkey;
ALTER TABLE trade_flows ADD PRIMARY KEY (reporter, flow, commodity, year, month, partner, partner2, classification);
DROP INDEX trade_flows_reporter;

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
    batch_id       BIGINT NOT NULL REFERENCES trade_batches (id) ON DELETE CASCADE,
    world_rows     INTEGER NOT NULL,
    world_usd      DOUBLE PRECISION NOT NULL,
    partner_rows   INTEGER NOT NULL,
    partner_usd    DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (commodity, flow, year, reporter, classification, batch_id)
);
CREATE INDEX trade_totals_batch ON trade_totals (batch_id);
INSERT INTO trade_totals
SELECT commodity, flow, year, reporter, classification, batch_id,
    SUM(CASE WHEN partner = 0 THEN 1 ELSE 0 END), SUM(CASE WHEN partner = 0 THEN value_usd ELSE 0 END),
    SUM(CASE WHEN partner <> 0 THEN 1 ELSE 0 END), SUM(CASE WHEN partner <> 0 THEN value_usd ELSE 0 END)
FROM trade_flows WHERE month = 0 AND partner2 = 0
GROUP BY commodity, flow, year, reporter, classification, batch_id;
