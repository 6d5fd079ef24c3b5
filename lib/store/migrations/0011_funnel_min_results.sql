-- Referral rates: a group with fewer released unit results than this is not called above or below a funnel limit.
INSERT INTO settings VALUES
    ('funnel_min_results', '10', 'Referral rates judge a group against the funnel limits only from this many released unit results');
