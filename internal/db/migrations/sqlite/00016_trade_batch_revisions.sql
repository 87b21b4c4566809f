-- +goose Up
-- The HS revision each reporter used in each year, where an imported file
-- says so (UN Comtrade API v1: classificationCode of rows searched as "HS",
-- or marked isOriginalClassification).
CREATE TABLE trade_batch_revisions (
    batch_id BIGINT NOT NULL REFERENCES trade_batches (id) ON DELETE CASCADE,
    reporter INTEGER NOT NULL,
    year INTEGER NOT NULL,
    classification TEXT NOT NULL,
    PRIMARY KEY (batch_id, reporter, year, classification)
);
