-- +goose Up
-- The technical archive (seed activities 1.1.2, 2.1.1-iii): documents with
-- their metadata, files (kept by content hash under DATA-DIR/files, each new
-- file of a document a new version beside the old one), the text read from
-- them, downloads by month and the search index. News and press notes
-- (4.3.1), reviewed like progress reports. The information network (1.1.3):
-- e-mail subscriptions and what was mailed to whom.
CREATE TABLE archive_documents (
    id             INTEGER PRIMARY KEY,
    title          TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('research', 'thesis', 'manual', 'study', 'guide',
                       'technical_standard', 'report', 'presentation', 'other')),
    authors        TEXT NOT NULL DEFAULT '',  -- names, separated by "; "
    year           INTEGER NOT NULL,
    date           TEXT NOT NULL DEFAULT '',  -- YYYY-MM-DD, when known
    language       TEXT NOT NULL,
    abstract       TEXT NOT NULL DEFAULT '',
    keywords       TEXT NOT NULL DEFAULT '',  -- separated by "; "
    licence        TEXT NOT NULL DEFAULT '',
    access         TEXT NOT NULL CHECK (access IN ('public', 'signed_in', 'institution')),
    institution_id INTEGER REFERENCES institutions (id),  -- the institution that keeps it
    source_key     TEXT UNIQUE,               -- a document SRIIM makes itself ("brochure:2026")
    created_by     TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX archive_documents_created ON archive_documents (created_at);

-- The institutions that made a document, as named, linked when known.
CREATE TABLE archive_document_institutions (
    document_id    INTEGER NOT NULL REFERENCES archive_documents (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    name           TEXT NOT NULL,
    institution_id INTEGER REFERENCES institutions (id),
    PRIMARY KEY (document_id, position)
);
CREATE INDEX archive_document_institutions_inst ON archive_document_institutions (institution_id);

CREATE TABLE archive_document_species (
    document_id INTEGER NOT NULL REFERENCES archive_documents (id) ON DELETE CASCADE,
    species     TEXT NOT NULL REFERENCES species (code),
    PRIMARY KEY (document_id, species)
);

-- The plan activities a document serves, by code ("1.1.2").
CREATE TABLE archive_document_activities (
    document_id   INTEGER NOT NULL REFERENCES archive_documents (id) ON DELETE CASCADE,
    activity_code TEXT NOT NULL,
    PRIMARY KEY (document_id, activity_code)
);
CREATE INDEX archive_document_activities_code ON archive_document_activities (activity_code);

CREATE TABLE archive_document_links (
    document_id INTEGER NOT NULL REFERENCES archive_documents (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    url         TEXT NOT NULL,
    label       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (document_id, position)
);

-- A document's files. Files with the same slot are versions of one file;
-- the highest version is the current one, the others stay downloadable.
CREATE TABLE archive_files (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES archive_documents (id) ON DELETE CASCADE,
    slot        INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    name        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    media_type  TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (document_id, slot, version)
);
CREATE INDEX archive_files_sha256 ON archive_files (sha256);

-- The text read from a file's content, once per content.
CREATE TABLE archive_texts (
    sha256  TEXT PRIMARY KEY,
    status  TEXT NOT NULL CHECK (status IN ('ok', 'truncated', 'empty', 'failed', 'unsupported')),
    problem TEXT NOT NULL DEFAULT '',
    text    TEXT NOT NULL DEFAULT ''
);

CREATE TABLE archive_downloads (
    file_id INTEGER NOT NULL REFERENCES archive_files (id) ON DELETE CASCADE,
    month   TEXT NOT NULL,  -- YYYY-MM
    n       INTEGER NOT NULL,
    PRIMARY KEY (file_id, month)
);

-- The search index, of terms made in Go (internal/fulltext), the same on
-- both backends: every term of a document (to match), and the terms of its
-- title, keywords, abstract and its body's main terms (to rank). The rowid
-- is the document's id; contentless, so the text is stored only once. The
-- terms come separated by spaces, folded already: the ascii tokenizer,
-- which keeps every other byte in its token, is all they need.
CREATE VIRTUAL TABLE archive_search_terms USING fts5 (
    terms, content = '', contentless_delete = 1, detail = none, tokenize = 'ascii');
CREATE VIRTUAL TABLE archive_search_fields USING fts5 (
    title, keywords, abstract, topics, content = '', contentless_delete = 1, detail = column, tokenize = 'ascii');

-- Raised by one with every change of the archive, so that each instance
-- knows when to reload what it keeps in memory for search (facets, access).
CREATE TABLE archive_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO archive_state (id, generation) VALUES (1, 0);

-- A report's evidence may be a document of the archive.
ALTER TABLE plan_report_evidence ADD COLUMN document_id INTEGER REFERENCES archive_documents (id);

-- News and press notes: written by an institution's editors, published by
-- the Mesa de Trabajo (administrators).
CREATE TABLE news_items (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('news', 'press')),
    date           TEXT NOT NULL,  -- YYYY-MM-DD, the day it reports
    state          TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'published', 'returned')),
    institution_id INTEGER REFERENCES institutions (id),
    created_by     TEXT NOT NULL,
    review_note    TEXT NOT NULL DEFAULT '',
    reviewed_by    TEXT NOT NULL DEFAULT '',
    published_at   TIMESTAMP,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX news_items_published ON news_items (state, published_at);

-- A news item's text in each language it is written in (Markdown body).
CREATE TABLE news_texts (
    news_id INTEGER NOT NULL REFERENCES news_items (id) ON DELETE CASCADE,
    lang    TEXT NOT NULL CHECK (lang IN ('es', 'en')),
    title   TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    body    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (news_id, lang)
);

-- What a news item is about: documents, plan activities, species, actors.
CREATE TABLE news_links (
    news_id INTEGER NOT NULL REFERENCES news_items (id) ON DELETE CASCADE,
    kind    TEXT NOT NULL CHECK (kind IN ('document', 'activity', 'species', 'actor')),
    ref     TEXT NOT NULL,
    PRIMARY KEY (news_id, kind, ref)
);

CREATE TABLE news_photos (
    id         INTEGER PRIMARY KEY,
    news_id    INTEGER NOT NULL REFERENCES news_items (id) ON DELETE CASCADE,
    sha256     TEXT NOT NULL,
    media_type TEXT NOT NULL,
    width      INTEGER NOT NULL,
    height     INTEGER NOT NULL,
    alt_es     TEXT NOT NULL,
    alt_en     TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);

-- The information network: people subscribed by e-mail, no account needed.
-- An address is confirmed before anything is mailed to it (double opt-in);
-- the unsubscribe token is in every mail. An address that unsubscribes is
-- forgotten (replaced by a placeholder); its dates stay for the counts.
CREATE TABLE network_subscribers (
    id                INTEGER PRIMARY KEY,
    email             TEXT NOT NULL UNIQUE,
    lang              TEXT NOT NULL CHECK (lang IN ('es', 'en')),
    state             TEXT NOT NULL CHECK (state IN ('pending', 'active', 'unsubscribed')),
    confirm_hash      TEXT NOT NULL DEFAULT '',  -- SHA-256 of the confirmation token
    pending           TEXT NOT NULL DEFAULT '',  -- the subscriptions asked for, as JSON, until confirmed
    confirm_expires   TIMESTAMP,
    unsubscribe_token TEXT NOT NULL UNIQUE,
    created_at        TIMESTAMP NOT NULL,
    confirmed_at      TIMESTAMP,
    unsubscribed_at   TIMESTAMP,
    version           INTEGER NOT NULL DEFAULT 1
);

-- What a subscriber follows: a topic, for one species or all ('');
-- urgent ones are mailed at once, besides the weekly digest.
CREATE TABLE network_subscriptions (
    subscriber_id INTEGER NOT NULL REFERENCES network_subscribers (id) ON DELETE CASCADE,
    topic         TEXT NOT NULL CHECK (topic IN ('news', 'documents', 'market_reports', 'closures')),
    species       TEXT NOT NULL DEFAULT '',
    urgent        BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (subscriber_id, topic, species)
);

-- Each mail of the network: claimed before it is sent, so that two
-- instances (or a digest run again) never send it twice.
CREATE TABLE network_deliveries (
    key           TEXT NOT NULL,  -- "digest:2026-W48", "urgent:news:12"
    subscriber_id INTEGER NOT NULL REFERENCES network_subscribers (id) ON DELETE CASCADE,
    state         TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'failed')),
    items         INTEGER NOT NULL DEFAULT 0,
    at            TIMESTAMP NOT NULL,
    PRIMARY KEY (key, subscriber_id)
);
