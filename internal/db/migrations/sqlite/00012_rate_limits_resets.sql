-- +goose Up
-- Rate limits as atomic counters: one row per key and fixed window, added to
-- with INSERT … ON CONFLICT DO UPDATE … RETURNING, so that parallel requests
-- (on any instance) cannot all pass a check before any of them is counted.
-- It replaces the failed-login rows, which were counted and then inserted.
CREATE TABLE rate_limits (
    key          TEXT NOT NULL,
    window_start INTEGER NOT NULL, -- Unix seconds
    n            INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
) WITHOUT ROWID;
CREATE INDEX rate_limits_window ON rate_limits (window_start);
DROP TABLE login_failures;

-- A reset started after a suspected compromise revokes the user's API tokens.
ALTER TABLE password_resets ADD COLUMN compromised BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX password_resets_user ON password_resets (user_id);

-- The species' sources cite the public lists, not an internal design note.
UPDATE species SET source = replace(replace(source,
    'FAO ASFIS 3-alpha code as listed in DESIGN.md', 'FAO ASFIS List of Species for Fishery Purposes (3-alpha code)'),
    'the seed (', 'the Plan Operativo de Moluscos (MINCETUR 2006; ');
