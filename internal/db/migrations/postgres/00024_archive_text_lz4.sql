-- +goose Up
-- The text read from the archive's files is compressed with LZ4 rather than
-- pglz (issue 17): pglz spent about 1.5 ms of the server's processor on each
-- 20 KB text imported and again on each text a search's page reads for its
-- snippets; LZ4 does both several times faster, for a tenth more space.
-- Texts already stored keep pglz until they are written again.
ALTER TABLE archive_texts ALTER COLUMN text SET COMPRESSION lz4;
