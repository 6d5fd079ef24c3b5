-- Device cookies (OWASP's answer to lock-out by a guesser): a browser that has signed in to an account carries a
-- signed token naming it; that browser is let past the username's delay, and counts its own failures here.
CREATE TABLE device_lockouts (
    nonce VARCHAR PRIMARY KEY,
    username VARCHAR NOT NULL,
    failures INTEGER NOT NULL,
    last_failure TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);

-- Evidence far beyond any guidance is refused outright (the guidance per unit is a few thousand words).
INSERT INTO settings VALUES
    ('evidence_word_cap', '100000', 'Evidence with more words than this is refused at upload, whatever the unit''s guidance');
