-- A unit's assessment criteria as the team keeps them on Reference data, one per line ("1.1 Describe ...").
-- Empty: the criteria published in the unit specification (lib/rules/unit_criteria.py), what marking showed before.
ALTER TABLE units ADD COLUMN criteria VARCHAR;
