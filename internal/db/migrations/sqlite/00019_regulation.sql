-- +goose Up
-- Regulation and procedures (seed activity 2.1.1-v, with 1.3.4, 3.1.3,
-- 3.1.5, 3.4.3, 2.2.3 and 4.3.2): norms and their relations, procedures
-- (TUPA style) with their requirements, steps and legal basis, the actual
-- cases filed under them, export requirements and tariffs by product and
-- market, and the calendar and UIT that terms and fees are counted in.
-- Dates are YYYY-MM-DD text ('' when unknown), as elsewhere.

-- Peru's holidays: the days that are not business days besides weekends,
-- each with its legal source (Ley 27444 counts terms in business days).
CREATE TABLE holidays (
    day     TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('national', 'regional', 'non_working')),
    source  TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

-- The UIT (unidad impositiva tributaria) of each year, in soles, with the
-- decreto supremo that set it: procedure fees are shares of it.
CREATE TABLE uit_values (
    year      INTEGER PRIMARY KEY,
    value_pen REAL NOT NULL CHECK (value_pen > 0),
    source    TEXT NOT NULL,
    version   INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE norms (
    id             INTEGER PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE,
    kind           TEXT NOT NULL CHECK (kind IN ('law', 'decree_law', 'legislative_decree', 'supreme_decree',
                       'ministerial_resolution', 'directorial_resolution', 'regional_ordinance', 'technical_standard',
                       'foreign_norm', 'trade_agreement')),
    number         TEXT NOT NULL,
    title          TEXT NOT NULL,
    issuer         TEXT NOT NULL DEFAULT '',
    published      TEXT NOT NULL DEFAULT '',
    in_force_from  TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL CHECK (status IN ('in_force', 'amended', 'repealed')),
    summary        TEXT NOT NULL DEFAULT '',
    text_url       TEXT NOT NULL DEFAULT '',  -- the full text as a link
    text_sha256    TEXT NOT NULL DEFAULT '',  -- or as a stored file, by content hash
    text_name      TEXT NOT NULL DEFAULT '',
    source         TEXT NOT NULL DEFAULT '',  -- where this record's facts come from
    draft          BOOLEAN NOT NULL DEFAULT FALSE,
    institution_id INTEGER REFERENCES institutions (id),
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);

-- norm_id amends, repeals or regulates target_id; read both ways.
CREATE TABLE norm_relations (
    norm_id   INTEGER NOT NULL REFERENCES norms (id) ON DELETE CASCADE,
    kind      TEXT NOT NULL CHECK (kind IN ('amends', 'repeals', 'regulates')),
    target_id INTEGER NOT NULL REFERENCES norms (id),
    PRIMARY KEY (norm_id, kind, target_id)
);
CREATE INDEX norm_relations_target ON norm_relations (target_id);

CREATE TABLE norm_topics (
    norm_id INTEGER NOT NULL REFERENCES norms (id) ON DELETE CASCADE,
    topic   TEXT NOT NULL,
    PRIMARY KEY (norm_id, topic)
);

CREATE TABLE norm_species (
    norm_id INTEGER NOT NULL REFERENCES norms (id) ON DELETE CASCADE,
    species TEXT NOT NULL REFERENCES species (code),
    PRIMARY KEY (norm_id, species)
);

-- The plan activities (codes such as 3.1.3) a norm answers.
CREATE TABLE norm_activities (
    norm_id  INTEGER NOT NULL REFERENCES norms (id) ON DELETE CASCADE,
    activity TEXT NOT NULL,
    PRIMARY KEY (norm_id, activity)
);
CREATE INDEX norm_activities_activity ON norm_activities (activity);

CREATE TABLE procedures (
    id             INTEGER PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    authority_id   INTEGER NOT NULL REFERENCES institutions (id),  -- the institution that runs it
    legal_days     INTEGER NOT NULL CHECK (legal_days >= 0),        -- business days
    silence        TEXT NOT NULL CHECK (silence IN ('positive', 'negative', 'automatic')),
    fee_pen        REAL CHECK (fee_pen >= 0),                       -- NULL: not known; 0: free
    fee_year       INTEGER,                                         -- the year the fee is of
    source         TEXT NOT NULL DEFAULT '',
    draft          BOOLEAN NOT NULL DEFAULT FALSE,
    institution_id INTEGER REFERENCES institutions (id),            -- who keeps the record
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);

-- A procedure's requirements (the checklist) and steps, in order.
CREATE TABLE procedure_items (
    procedure_id INTEGER NOT NULL REFERENCES procedures (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('requirement', 'step')),
    position     INTEGER NOT NULL,
    text         TEXT NOT NULL,
    PRIMARY KEY (procedure_id, kind, position)
);

-- A procedure's legal basis.
CREATE TABLE procedure_norms (
    procedure_id INTEGER NOT NULL REFERENCES procedures (id) ON DELETE CASCADE,
    norm_id      INTEGER NOT NULL REFERENCES norms (id),
    PRIMARY KEY (procedure_id, norm_id)
);
CREATE INDEX procedure_norms_norm ON procedure_norms (norm_id);

CREATE TABLE procedure_activities (
    procedure_id INTEGER NOT NULL REFERENCES procedures (id) ON DELETE CASCADE,
    activity     TEXT NOT NULL,
    PRIMARY KEY (procedure_id, activity)
);
CREATE INDEX procedure_activities_activity ON procedure_activities (activity);

-- The files actually filed under a procedure. The applicant is an actor
-- when an actor with that RUC is registered (joined on read, so a later
-- registration links the earlier cases).
CREATE TABLE procedure_cases (
    id             INTEGER PRIMARY KEY,
    procedure_id   INTEGER NOT NULL REFERENCES procedures (id),
    file_number    TEXT NOT NULL DEFAULT '',  -- the authority's expediente
    applicant_ruc  TEXT NOT NULL DEFAULT '',
    applicant_name TEXT NOT NULL DEFAULT '',
    filed          TEXT NOT NULL,
    observed       TEXT NOT NULL DEFAULT '',
    resolved       TEXT NOT NULL DEFAULT '',  -- '' while the case is open
    outcome        TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('', 'approved', 'denied', 'withdrawn', 'abandoned')),
    note           TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX procedure_cases_procedure ON procedure_cases (procedure_id, filed);
CREATE UNIQUE INDEX procedure_cases_file ON procedure_cases (procedure_id, file_number) WHERE file_number <> '';

-- What a market asks of a product: a document (who issues it, the norms
-- behind it, the procedure that gives it) or a tariff (MFN, or the
-- preferential rate under a trade agreement, for a year). A product is a
-- product line key or HS / national code digits, which cover the codes
-- they begin ("0307" covers 030792). A market is a trade partner code.
CREATE TABLE export_requirements (
    id             INTEGER PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE,
    product        TEXT NOT NULL,
    market         INTEGER NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('sanitary_certificate', 'origin_certificate', 'catch_certificate',
                       'labelling', 'plant_registration', 'other', 'tariff_mfn', 'tariff_preferential')),
    document       TEXT NOT NULL DEFAULT '',
    document_en    TEXT NOT NULL DEFAULT '',
    issuer         TEXT NOT NULL DEFAULT '',
    procedure_id   INTEGER REFERENCES procedures (id),
    agreement_id   INTEGER REFERENCES norms (id),
    rate_pct       REAL,
    valid_year     INTEGER,
    description    TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    source         TEXT NOT NULL DEFAULT '',
    draft          BOOLEAN NOT NULL DEFAULT FALSE,
    institution_id INTEGER REFERENCES institutions (id),
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX export_requirements_market ON export_requirements (market);

CREATE TABLE export_requirement_norms (
    requirement_id INTEGER NOT NULL REFERENCES export_requirements (id) ON DELETE CASCADE,
    norm_id        INTEGER NOT NULL REFERENCES norms (id),
    PRIMARY KEY (requirement_id, norm_id)
);
CREATE INDEX export_requirement_norms_norm ON export_requirement_norms (norm_id);

-- The search index of norms, procedures and requirements: each record's
-- terms (folded, stemmed in Go), so that both backends answer alike.
CREATE TABLE regulation_terms (
    entity    TEXT NOT NULL CHECK (entity IN ('norm', 'procedure', 'requirement')),
    record_id INTEGER NOT NULL,
    term      TEXT NOT NULL,
    weight    INTEGER NOT NULL,
    PRIMARY KEY (entity, record_id, term)
);
CREATE INDEX regulation_terms_term ON regulation_terms (term);
