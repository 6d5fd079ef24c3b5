-- The fields the ILR 2025-26 schema requires of every return: the provider's UKPRN on its centre; of each learner
-- sex, ethnicity, learning difficulty / health problem, and postcodes before and at enrolment; of each learning
-- delivery its location's postcode (on the programme's template), its source of funding and completion status.
ALTER TABLE centres ADD COLUMN ukprn INTEGER;
CREATE UNIQUE INDEX centres_ukprn ON centres (ukprn);
ALTER TABLE programmes ADD COLUMN sof INTEGER;
ALTER TABLE programmes ADD COLUMN del_loc_postcode VARCHAR;
ALTER TABLE learner_records ADD COLUMN sex VARCHAR;
ALTER TABLE learner_records ADD COLUMN ethnicity INTEGER;
ALTER TABLE learner_records ADD COLUMN lldd_health_prob INTEGER;
ALTER TABLE learner_records ADD COLUMN postcode_prior VARCHAR;
ALTER TABLE learner_records ADD COLUMN sof INTEGER;
ALTER TABLE learner_records ADD COLUMN del_loc_postcode VARCHAR;
ALTER TABLE learner_records ADD COLUMN comp_status INTEGER;
