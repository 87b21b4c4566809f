-- +goose Up
-- A norm's full text as a file (issue 18): the file store keeps its bytes
-- by content hash (norms.text_sha256 names them); this table keeps, once
-- per content, its kind and size and the text read from it, which the
-- regulation search indexes with the norm.
CREATE TABLE norm_texts (
    sha256     TEXT PRIMARY KEY,
    media_type TEXT NOT NULL,
    size       BIGINT NOT NULL,
    status     TEXT NOT NULL,
    problem    TEXT NOT NULL DEFAULT '',
    text       TEXT NOT NULL DEFAULT ''
);

-- The seed bound 1.3.4's "Costo de la habilitación" to a procedure code no
-- procedure has (the source was not offered then); it now counts the fees
-- of the activity's procedures. A binding someone changed since is theirs.
UPDATE indicator_bindings SET params = '', version = version + 1, updated_at = CURRENT_TIMESTAMP
WHERE source = 'regulation.procedure_fee' AND params = 'procedure=habilitacion_sanitaria';
