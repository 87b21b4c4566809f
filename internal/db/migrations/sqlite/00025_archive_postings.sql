-- +goose Up
-- The ranked fields' terms move from an FTS5 table to a plain one that every
-- instance reads into memory, to rank what a search finds without asking
-- the database for each field and word (issue 17). The terms of each
-- document (archive_search_terms, FTS5) stay. segment is PostgreSQL's
-- (its index is written by segment); here it is 0.
CREATE TABLE archive_search_docs (
    document_id INTEGER PRIMARY KEY REFERENCES archive_documents (id) ON DELETE CASCADE,
    segment     INTEGER NOT NULL DEFAULT 0,
    fields      TEXT NOT NULL
);
CREATE INDEX archive_search_docs_segment ON archive_search_docs (segment);

-- The documents are indexed again at the next start (archive.Service.Repair
-- indexes every document without a row in archive_search_docs).
DROP TABLE archive_search_fields;
