-- +goose Up
-- SQLite's change journal leaves the database: the store's writer
-- connection reports each row it inserts, updates or deletes through
-- SQLite's pre-update hook, so commits no longer write journal rows and
-- connections no longer parse a journal trigger per table. The triggers
-- that filled this table are removed before any pending migration runs
-- (migrations.DropSQLiteJournal).
DROP TABLE change_journal;

-- +goose Down
CREATE TABLE change_journal (
    seq     INTEGER PRIMARY KEY,
    tbl     TEXT NOT NULL,
    op      TEXT NOT NULL,
    old_row TEXT,
    new_row TEXT
);
