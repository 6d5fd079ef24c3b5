-- What must happen once is made unique by the database, so two sessions doing one thing at once cannot both
-- succeed (the second gets a duplicate key, which the app answers as "someone else has just changed this item").

-- One successor per record: a Rejected or Referred item is re-submitted once.
CREATE UNIQUE INDEX submissions_one_resubmission ON submissions (resubmits_id);

-- One pending upload per learner and unit(s) at a time.
CREATE UNIQUE INDEX submissions_one_pending ON submissions (
    (CASE WHEN stage = 'pending' THEN learner_id::VARCHAR || '/' || unit_codes END));

-- One alert per centre and run of months (a run that continues extends its alert).
CREATE UNIQUE INDEX eqa_alerts_one_per_run ON eqa_alerts (centre_id, first_month);
