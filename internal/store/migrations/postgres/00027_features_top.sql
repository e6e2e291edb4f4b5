-- +goose Up
-- A feature's stored position is a key that orders the features of its
-- release: the position the API shows is the key less the release's
-- features_top, plus one. A feature that comes in at the top of a release
-- takes the key below the release's smallest, features_top - 1, and
-- features_top follows it; the other features' keys stay, and so their
-- shown positions move down one, as when each was rewritten, but without a
-- write per feature. Existing rows keep their positions (features_top 1).
ALTER TABLE releases ADD COLUMN features_top BIGINT NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE releases DROP COLUMN features_top;
