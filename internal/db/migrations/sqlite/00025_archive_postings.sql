-- +goose Up
-- PostgreSQL's step rebuilds its search index as posting lists by segment;
-- SQLite's FTS5 tables stay as they are.
SELECT 1;
