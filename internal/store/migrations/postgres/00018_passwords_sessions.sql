-- +goose Up
-- Passwords and browser sessions. A password is kept only as its hash; a
-- session only as the SHA-256 hash of its cookie's value, with the time it
-- was last used, so that it can expire after a spell without use.
CREATE TABLE user_passwords (
    user_id     BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    hash        TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE web_sessions (
    hash          TEXT PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);

-- +goose Down
DROP TABLE web_sessions;
DROP TABLE user_passwords;
