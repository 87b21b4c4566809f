-- +goose Up
-- Operating plans (POP): objectives → strategies → activities, with periods,
-- targets, indicators and participating institutions (seed activity 4.1.3).
CREATE TABLE plans (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    title_en    TEXT NOT NULL DEFAULT '',
    issuer      TEXT NOT NULL DEFAULT '',
    published   TEXT NOT NULL DEFAULT '',
    start_year  INTEGER NOT NULL,
    end_year    INTEGER NOT NULL,
    source      TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE plan_objectives (
    id        INTEGER PRIMARY KEY,
    plan_id   INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    code      TEXT NOT NULL,
    statement TEXT NOT NULL,
    UNIQUE (plan_id, code)
);

CREATE TABLE plan_strategies (
    id           INTEGER PRIMARY KEY,
    objective_id INTEGER NOT NULL REFERENCES plan_objectives (id) ON DELETE CASCADE,
    code         TEXT NOT NULL,
    title        TEXT NOT NULL
);

CREATE TABLE plan_activities (
    id          INTEGER PRIMARY KEY,
    plan_id     INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    strategy_id INTEGER NOT NULL REFERENCES plan_strategies (id) ON DELETE CASCADE,
    code        TEXT NOT NULL,
    title       TEXT NOT NULL,
    period      TEXT NOT NULL,
    start_year  INTEGER NOT NULL,
    end_year    INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    UNIQUE (plan_id, code)
);

CREATE TABLE plan_targets (
    id          INTEGER PRIMARY KEY,
    activity_id INTEGER NOT NULL REFERENCES plan_activities (id) ON DELETE CASCADE,
    statement   TEXT NOT NULL,
    year        INTEGER NOT NULL,
    year_stated BOOLEAN NOT NULL,  -- false: the year is the activity period's end
    value       REAL,
    unit        TEXT NOT NULL DEFAULT ''
);

CREATE TABLE plan_indicators (
    id          INTEGER PRIMARY KEY,
    activity_id INTEGER NOT NULL REFERENCES plan_activities (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('count', 'percent', 'document', 'yes_no', 'amount', 'days')),
    unit        TEXT NOT NULL DEFAULT ''
);

-- Participating institutions as the plan names them, linked when known.
CREATE TABLE plan_activity_institutions (
    activity_id    INTEGER NOT NULL REFERENCES plan_activities (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    institution_id INTEGER REFERENCES institutions (id),
    position       INTEGER NOT NULL
);
CREATE INDEX plan_activity_institutions_inst ON plan_activity_institutions (institution_id);

-- Annual operating plans (POA): the activities chosen for a year.
CREATE TABLE plan_annual_items (
    id                        INTEGER PRIMARY KEY,
    activity_id               INTEGER NOT NULL REFERENCES plan_activities (id) ON DELETE CASCADE,
    year                      INTEGER NOT NULL,
    budget                    REAL,
    currency                  TEXT NOT NULL DEFAULT 'PEN',
    funding_source            TEXT NOT NULL DEFAULT '',
    responsible_institution_id INTEGER REFERENCES institutions (id),
    responsible_person        TEXT NOT NULL DEFAULT '',
    UNIQUE (activity_id, year)
);

-- Progress reports: per activity and period ("2007" or "2007-S1").
CREATE TABLE plan_reports (
    id             INTEGER PRIMARY KEY,
    activity_id    INTEGER NOT NULL REFERENCES plan_activities (id) ON DELETE CASCADE,
    period         TEXT NOT NULL,
    year           INTEGER NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('not_started', 'in_progress', 'done', 'delayed', 'cancelled')),
    narrative      TEXT NOT NULL DEFAULT '',
    state          TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'approved', 'returned')),
    institution_id INTEGER REFERENCES institutions (id),
    reported_by    TEXT NOT NULL,
    review_note    TEXT NOT NULL DEFAULT '',
    reviewed_by    TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    UNIQUE (activity_id, period)
);

CREATE TABLE plan_report_values (
    report_id    INTEGER NOT NULL REFERENCES plan_reports (id) ON DELETE CASCADE,
    indicator_id INTEGER NOT NULL REFERENCES plan_indicators (id) ON DELETE CASCADE,
    value        REAL NOT NULL,
    PRIMARY KEY (report_id, indicator_id)
);

CREATE TABLE plan_report_evidence (
    id         INTEGER PRIMARY KEY,
    report_id  INTEGER NOT NULL REFERENCES plan_reports (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    url        TEXT NOT NULL DEFAULT '',  -- a link, or empty for an uploaded file
    sha256     TEXT NOT NULL DEFAULT '',  -- an uploaded file's content hash: its name in the file store
    size       INTEGER NOT NULL DEFAULT 0,
    media_type TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);

-- The plan's competitiveness analysis: FODA items and the diamond's attributes.
CREATE TABLE plan_analysis_items (
    id        INTEGER PRIMARY KEY,
    plan_id   INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    kind      TEXT NOT NULL CHECK (kind IN ('strength', 'weakness', 'opportunity', 'threat', 'diamond')),
    component TEXT NOT NULL DEFAULT '',  -- the diamond's component
    level     TEXT NOT NULL DEFAULT '',  -- the component's level as the figure gives it
    text      TEXT NOT NULL,
    rating    TEXT NOT NULL DEFAULT '',  -- the diamond attribute's signs, as printed
    position  INTEGER NOT NULL
);
