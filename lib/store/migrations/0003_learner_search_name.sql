-- The learner's whole name in lower case, kept with the row so that "Learner contains …" on a
-- million-row Tracker does not build and lower-case every name on every query.
ALTER TABLE learners ADD COLUMN search_name VARCHAR;
UPDATE learners SET search_name = lower(first_name || ' ' || last_name);
