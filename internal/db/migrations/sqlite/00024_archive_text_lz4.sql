-- +goose Up
-- PostgreSQL's step compresses the archive's texts with LZ4; SQLite keeps
-- them as they are.
SELECT 1;
