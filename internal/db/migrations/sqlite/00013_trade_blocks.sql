-- +goose Up
-- Trade flows are stored in blocks: one row holds the series of consecutive
-- reporters (up to a few hundred figures) that share a code, flow, period,
-- second partner and classification, in one batch. A file with one partner
-- per series then still writes few rows, and an import sorts its rows into
-- blocks whatever their order in the file (migration 00010 stored one row per
-- series).
--
-- series: [[reporter, figures], …] by reporter, figures as in 00010:
-- [[partner, value_usd, net_weight_kg, qty], …] by partner, with a figure's
-- value_basis, qty_unit and flag after those when they differ from the
-- block's own.
-- totals: [[reporter, world_usd, partner_usd], …], each series' part of the
-- reporter's total: its World figure (null when it has none) and the sum of
-- its other figures.
--
-- An import writes its blocks unseen, in short transactions, then publishes
-- them in one step (trade_published). Taking over the figures another batch
-- gave is prepared unseen too: a copy of that batch's block without them,
-- shown once published_by is published, and the block itself marked
-- replaced_by, hidden from then on.
CREATE TABLE trade_blocks (
    id             INTEGER PRIMARY KEY,
    batch_id       INTEGER NOT NULL REFERENCES trade_batches (id) ON DELETE CASCADE,
    commodity      TEXT NOT NULL,
    flow           TEXT NOT NULL,
    year           INTEGER NOT NULL,
    month          INTEGER NOT NULL,
    partner2       INTEGER NOT NULL,
    classification TEXT NOT NULL,
    first_reporter INTEGER NOT NULL,
    last_reporter  INTEGER NOT NULL,
    value_basis    TEXT NOT NULL,
    qty_unit       TEXT NOT NULL,
    flag           TEXT NOT NULL,
    totals         TEXT NOT NULL,
    series         TEXT NOT NULL,
    published_by   INTEGER,
    replaced_by    INTEGER
);
INSERT INTO trade_blocks (batch_id, commodity, flow, year, month, partner2, classification, first_reporter, last_reporter,
    value_basis, qty_unit, flag, totals, series)
SELECT batch_id, commodity, flow, year, month, partner2, classification, reporter, reporter, value_basis, qty_unit, flag,
    json_array(json_array(reporter, world_usd, partner_usd)), json_array(json_array(reporter, json(figures)))
FROM trade_series ORDER BY commodity, flow, year, month, partner2, classification, reporter;
CREATE INDEX trade_blocks_slice ON trade_blocks (commodity, flow, year, month, partner2, classification, first_reporter);
CREATE INDEX trade_blocks_batch ON trade_blocks (batch_id);
CREATE INDEX trade_blocks_published_by ON trade_blocks (published_by) WHERE published_by IS NOT NULL;
CREATE INDEX trade_blocks_replaced_by ON trade_blocks (replaced_by) WHERE replaced_by IS NOT NULL;
DROP VIEW trade_flows;
DROP TABLE trade_series;

-- The batches whose figures are shown.
CREATE TABLE trade_published (
    batch_id INTEGER PRIMARY KEY REFERENCES trade_batches (id) ON DELETE CASCADE
);
INSERT INTO trade_published SELECT id FROM trade_batches WHERE state = 'done';

-- One import at a time stores and publishes (on every instance): the
-- running batch that holds the lock, or none.
CREATE TABLE trade_import_lock (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    batch_id INTEGER
);
INSERT INTO trade_import_lock (id) VALUES (1);

-- Which process runs an import and when it last said it was alive, so that
-- an import whose process is gone is marked failed. A failed import stored
-- nothing: what it read goes to rows_read.
ALTER TABLE trade_batches ADD COLUMN runner TEXT NOT NULL DEFAULT '';
ALTER TABLE trade_batches ADD COLUMN heartbeat_at TIMESTAMP;
UPDATE trade_batches SET rows_read = rows, rows = 0 WHERE state = 'failed';

CREATE VIEW trade_blocks_shown AS
SELECT * FROM trade_blocks
WHERE COALESCE(published_by, batch_id) IN (SELECT batch_id FROM trade_published)
    AND (replaced_by IS NULL OR replaced_by NOT IN (SELECT batch_id FROM trade_published));

-- One row per series shown, with its part of the reporter's total.
CREATE VIEW trade_series AS
SELECT b.batch_id, t.value ->> 0 AS reporter, b.flow, b.commodity, b.year, b.month, b.partner2, b.classification,
    t.value ->> 1 AS world_usd, t.value ->> 2 AS partner_usd
FROM trade_blocks_shown b, json_each(b.totals) t;

-- One row per figure of every block, shown or not (join trade_blocks_shown
-- on block_id).
CREATE VIEW trade_block_figures AS
SELECT b.id AS block_id, s.value ->> 0 AS reporter, f.value ->> 0 AS partner, f.value ->> 1 AS value_usd,
    COALESCE(f.value ->> 4, b.value_basis) AS value_basis, f.value ->> 2 AS net_weight_kg, f.value ->> 3 AS qty,
    COALESCE(f.value ->> 5, b.qty_unit) AS qty_unit, COALESCE(f.value ->> 6, b.flag) AS flag
FROM trade_blocks b, json_each(b.series) s, json_each(s.value -> 1) f;

-- One row per figure shown.
CREATE VIEW trade_flows AS
SELECT b.batch_id, f.reporter, f.partner, b.partner2, b.flow, b.classification, b.commodity, b.year, b.month,
    f.value_usd, f.value_basis, f.net_weight_kg, f.qty, f.qty_unit, f.flag
FROM trade_blocks_shown b JOIN trade_block_figures f ON f.block_id = b.id;
