-- +goose Up
-- The seed's figures as the seed prints them (issue 14).

-- An objective's short name ("Desarrollo de la oferta exportable").
ALTER TABLE plan_objectives ADD COLUMN name TEXT NOT NULL DEFAULT '';

-- A target statement with several milestones ("Al 2007 … dos Convenios y al
-- 2008 dos más") has one row per milestone, in order: 0 is the statement's
-- first, the others repeat its statement.
ALTER TABLE plan_targets ADD COLUMN milestone INTEGER NOT NULL DEFAULT 0;

-- What a batch's figures need said beside them (a source's own contradictions).
ALTER TABLE trade_batches ADD COLUMN note TEXT NOT NULL DEFAULT '';

-- Figures a source states in its text that fit no series: the fleet, the
-- fishers, hectares in concessions, prices, market sizes. Each keeps the
-- source's wording and where it says it.
CREATE TABLE facts (
    id        INTEGER PRIMARY KEY,
    topic     TEXT NOT NULL CHECK (topic IN ('production', 'markets')),
    section   TEXT NOT NULL,
    measure   TEXT NOT NULL,              -- what the figure is, in a few words
    statement TEXT NOT NULL,              -- the source's own words
    value     REAL NOT NULL,
    value_to  REAL,
    unit      TEXT NOT NULL,
    period    TEXT NOT NULL DEFAULT '',
    source    TEXT NOT NULL,
    note      TEXT NOT NULL DEFAULT '',
    position  INTEGER NOT NULL            -- the order of the source's text
);
