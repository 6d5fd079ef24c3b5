-- Failed sign-ins counted per username typed, whether or not an account has it, so that the answer never
-- tells which usernames exist; the delay they cause grows but stays short (lib/accounts/auth.py says why).
CREATE TABLE sign_in_throttle (
    username VARCHAR PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure TIMESTAMP NOT NULL,
    next_allowed TIMESTAMP
);
