-- +goose Up
-- Events of the plan's activities (courses, workshops, technical
-- assistance, missions, fairs, business rounds, congresses, contests,
-- meetings of the Mesa de Trabajo) and who took part: each person once
-- (by identity document), with the actor they represented at each event.
CREATE TABLE events (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('course', 'workshop', 'technical_assistance', 'technology_mission', 'fair',
                                                 'business_round', 'congress', 'contest', 'mesa_meeting')),
    title          TEXT NOT NULL,
    title_en       TEXT NOT NULL DEFAULT '',
    description    TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    starts_on      TEXT NOT NULL,  -- YYYY-MM-DD
    ends_on        TEXT NOT NULL,  -- YYYY-MM-DD, the last day
    district       TEXT REFERENCES places (code),
    venue          TEXT NOT NULL DEFAULT '',
    institution_id INTEGER REFERENCES institutions (id),  -- keeps the record
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX events_starts_on ON events (starts_on);

CREATE TABLE event_organisers (
    event_id       INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    PRIMARY KEY (event_id, institution_id)
);

CREATE TABLE event_activities (
    event_id    INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    activity_id INTEGER NOT NULL REFERENCES plan_activities (id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, activity_id)
);
CREATE INDEX event_activities_activity ON event_activities (activity_id);

CREATE TABLE event_topics (
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    topic    TEXT NOT NULL,
    PRIMARY KEY (event_id, topic)
);

CREATE TABLE event_species (
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    species  TEXT NOT NULL REFERENCES species (code),
    PRIMARY KEY (event_id, species)
);

-- Materials: a stored file (by content hash), a link, or a document of the
-- archive (by its id), kept as a reference so that either can hold it.
CREATE TABLE event_materials (
    id       INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title    TEXT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('file', 'url', 'document')),
    ref      TEXT NOT NULL
);
CREATE INDEX event_materials_event ON event_materials (event_id);

CREATE TABLE people (
    id            INTEGER PRIMARY KEY,
    document      TEXT NOT NULL UNIQUE,  -- as normalised: DNI digits, or type and number ("CE 001234567")
    document_type TEXT NOT NULL CHECK (document_type IN ('dni', 'ce', 'passport', 'other')),
    name          TEXT NOT NULL,
    sex           TEXT NOT NULL DEFAULT '' CHECK (sex IN ('', 'F', 'M')),
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

CREATE TABLE event_participants (
    id           INTEGER PRIMARY KEY,
    event_id     INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    person_id    INTEGER NOT NULL REFERENCES people (id),
    actor_id     INTEGER REFERENCES actors (id) ON DELETE SET NULL,  -- the actor represented, when registered
    organisation TEXT NOT NULL DEFAULT '',  -- as the sheet writes it
    ruc          TEXT NOT NULL DEFAULT '',
    role         TEXT NOT NULL DEFAULT '',
    age_band     TEXT NOT NULL DEFAULT '' CHECK (age_band IN ('', 'under_18', '18_29', '30_44', '45_59', '60_plus')),
    created_at   TIMESTAMP NOT NULL,
    UNIQUE (event_id, person_id)
);
CREATE INDEX event_participants_person ON event_participants (person_id);
CREATE INDEX event_participants_actor ON event_participants (actor_id);

-- An attendance sheet read and checked, waiting for a person to confirm or
-- reject its near matches before it is applied (payload: its rows and
-- proposals as JSON).
CREATE TABLE attendance_imports (
    id         INTEGER PRIMARY KEY,
    event_id   INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    filename   TEXT NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('staged', 'applied', 'discarded')),
    payload    TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    applied_at TIMESTAMP
);

-- A plan indicator computed from the system's data: the source, its
-- parameters (URL query form), the years it covers (0: the activity's
-- first year; the current year) and the target it is checked against.
CREATE TABLE indicator_bindings (
    indicator_id INTEGER PRIMARY KEY REFERENCES plan_indicators (id) ON DELETE CASCADE,
    source       TEXT NOT NULL,
    params       TEXT NOT NULL DEFAULT '',
    from_year    INTEGER NOT NULL DEFAULT 0,
    to_year      INTEGER NOT NULL DEFAULT 0,
    target       TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);

-- Reminders of due reports mailed to an institution's editors, each once.
CREATE TABLE report_reminders (
    plan_id        INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    institution_id INTEGER NOT NULL REFERENCES institutions (id) ON DELETE CASCADE,
    year           INTEGER NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('due_soon', 'late')),
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sent_at        TIMESTAMP NOT NULL,
    PRIMARY KEY (plan_id, institution_id, year, kind, user_id)
);

-- When a report was last sent to the Mesa de Trabajo, for timeliness.
ALTER TABLE plan_reports ADD COLUMN submitted_at TIMESTAMP;
