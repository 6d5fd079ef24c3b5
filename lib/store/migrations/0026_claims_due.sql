-- Released unit passes not yet claimed on Walled Garden, kept by release, claims, enquiry outcomes and restores
-- in their own transactions (lib/service/claims_due.py): the Home card and the claims list read these few
-- hundred rows instead of matching every pass ever released against every claim.
CREATE TABLE claims_due (
    submission_id INTEGER NOT NULL,
    unit_code VARCHAR NOT NULL,
    released_at TIMESTAMP NOT NULL,
    PRIMARY KEY (submission_id, unit_code)
);

INSERT INTO claims_due
SELECT s.id, u.unit_code, s.released_at
FROM submissions s JOIN submission_units u ON u.submission_id = s.id
WHERE s.stage = 'released' AND u.result = 'Pass'
  AND NOT EXISTS (SELECT 1 FROM claims k WHERE k.submission_id = s.id AND k.unit_code = u.unit_code);
