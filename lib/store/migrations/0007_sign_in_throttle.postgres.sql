-- PostgreSQL's variant: DISTINCT ON where DuckDB has arg_max.
-- Failed sign-ins counted per username typed, whether or not an account has it, so that the answer never
-- tells which usernames exist; the delay they cause grows but stays short (lib/accounts/auth.py says why).
CREATE TABLE sign_in_throttle (
    username VARCHAR PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure TIMESTAMP NOT NULL,
    next_allowed TIMESTAMP
);

-- One live session per person, made sure of by the database: older open sessions (expired ones included)
-- are ended as the newest one's.
UPDATE sessions SET ended_at = started_at, end_reason = 'signed_in_elsewhere'
WHERE ended_at IS NULL AND token_hash NOT IN (
    SELECT DISTINCT ON (user_id) token_hash FROM sessions WHERE ended_at IS NULL
    ORDER BY user_id, started_at DESC);
CREATE UNIQUE INDEX sessions_one_live ON sessions ((CASE WHEN ended_at IS NULL THEN user_id END));
