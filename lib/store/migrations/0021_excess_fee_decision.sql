-- Word counts are guidance: over it, the quality check decides. The blocks of 10,000 words over that the team
-- agreed to bill (NULL: not over, or rejected for a concise re-submission at no cost instead).
ALTER TABLE submissions ADD COLUMN excess_fee_blocks INTEGER;
