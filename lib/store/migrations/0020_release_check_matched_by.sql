-- How each learner of a release check was found on the Exam Board list: by ENR, or by name only when the list gave
-- no ID (a warning quality confirms). Checks recorded before this say nothing (NULL).
ALTER TABLE release_check_learners ADD COLUMN matched_by VARCHAR;
