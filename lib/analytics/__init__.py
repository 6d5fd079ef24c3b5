"""Analytics: referral rates, batch review and Feedback Summary Reports, EQA alerts, invoicing, home figures."""
