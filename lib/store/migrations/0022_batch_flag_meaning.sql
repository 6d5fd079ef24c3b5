-- A batch is flagged only past the funnel's 99.8% limit (more referrals than chance explains); the rate setting
-- says of a flagged batch that its rate is that high.
UPDATE settings SET description = 'A flagged batch (more referrals than chance explains) at this referral rate or above says so'
WHERE key = 'batch_flag_rate_percent';
UPDATE settings SET description = 'Batch review judges only batches with at least this many released unit results (5 or more: smaller groups cannot be beyond the limit)'
WHERE key = 'batch_flag_min_results';
