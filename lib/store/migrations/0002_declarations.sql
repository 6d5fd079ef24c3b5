-- How the learner's authenticity declaration came with a first submission: embedded in the
-- evidence, or as a separate signed file. Re-submissions need none, so it may stay NULL.
ALTER TABLE submissions ADD COLUMN declaration VARCHAR;
