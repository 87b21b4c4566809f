-- +goose Up
-- Trade flows are stored as series: one row per reporter, flow, code,
-- period, second partner and batch, with its partners' figures in a JSON
-- array. A file gives about twenty partners per series, so an import writes
-- that many times fewer rows and index entries; trade_flows stays as a view
-- with one row per figure.
--
-- figures: [[partner, value_usd, net_weight_kg, qty], …], with a figure's
-- value_basis, qty_unit and flag after those when they differ from the
-- series' own (which the import takes from its first figure).
-- world_usd: the World figure's value (partner 0), NULL when the series has none.
-- partner_usd: the sum of the other figures' values.
-- A reporter's total for a flow, code and year is its World figure when a
-- batch gave one, else the sum of its partner figures (in all batches);
-- trade_series_totals answers that from the index alone.
CREATE TABLE trade_series (
    id             INTEGER PRIMARY KEY,
    batch_id       INTEGER NOT NULL REFERENCES trade_batches (id) ON DELETE CASCADE,
    reporter       INTEGER NOT NULL,
    flow           TEXT NOT NULL,
    commodity      TEXT NOT NULL,
    year           INTEGER NOT NULL,
    month          INTEGER NOT NULL DEFAULT 0,
    partner2       INTEGER NOT NULL DEFAULT 0,
    classification TEXT NOT NULL,
    world_usd      REAL,
    partner_usd    REAL NOT NULL,
    value_basis    TEXT NOT NULL DEFAULT '',
    qty_unit       TEXT NOT NULL DEFAULT '',
    flag           TEXT NOT NULL DEFAULT '',
    figures        TEXT NOT NULL
);
-- A series' common values are those of its figure with the lowest partner.
INSERT INTO trade_series (batch_id, reporter, flow, commodity, year, month, partner2, classification, world_usd, partner_usd,
    value_basis, qty_unit, flag, figures)
SELECT f.batch_id, f.reporter, f.flow, f.commodity, f.year, f.month, f.partner2, f.classification,
    MAX(CASE WHEN f.partner = 0 THEN f.value_usd END), TOTAL(CASE WHEN f.partner <> 0 THEN f.value_usd END),
    c.value_basis, c.qty_unit, c.flag,
    json_group_array(CASE WHEN (f.value_basis, f.qty_unit, f.flag) = (c.value_basis, c.qty_unit, c.flag)
        THEN json_array(f.partner, f.value_usd, f.net_weight_kg, f.qty)
        ELSE json_array(f.partner, f.value_usd, f.net_weight_kg, f.qty, f.value_basis, f.qty_unit, f.flag) END ORDER BY f.partner)
FROM trade_flows f JOIN trade_flows c ON (c.reporter, c.flow, c.commodity, c.year, c.month, c.partner2, c.classification, c.batch_id)
    = (f.reporter, f.flow, f.commodity, f.year, f.month, f.partner2, f.classification, f.batch_id)
    AND c.partner = (SELECT MIN(m.partner) FROM trade_flows m
        WHERE (m.reporter, m.flow, m.commodity, m.year, m.month, m.partner2, m.classification, m.batch_id)
            = (f.reporter, f.flow, f.commodity, f.year, f.month, f.partner2, f.classification, f.batch_id))
GROUP BY f.reporter, f.flow, f.commodity, f.year, f.month, f.partner2, f.classification, f.batch_id;
CREATE UNIQUE INDEX trade_series_key ON trade_series (reporter, flow, commodity, year, month, partner2, classification, batch_id);
CREATE INDEX trade_series_batch ON trade_series (batch_id);
CREATE INDEX trade_series_totals ON trade_series (commodity, flow, year, month, partner2, reporter, classification, world_usd, partner_usd);
DROP TABLE trade_flows;
DROP TABLE trade_totals;
CREATE VIEW trade_flows AS
SELECT s.batch_id, s.reporter, f.value ->> 0 AS partner, s.partner2, s.flow, s.classification, s.commodity, s.year, s.month,
    f.value ->> 1 AS value_usd, COALESCE(f.value ->> 4, s.value_basis) AS value_basis, f.value ->> 2 AS net_weight_kg,
    f.value ->> 3 AS qty, COALESCE(f.value ->> 5, s.qty_unit) AS qty_unit, COALESCE(f.value ->> 6, s.flag) AS flag
FROM trade_series s, json_each(s.figures) f;
