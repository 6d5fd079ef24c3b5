"""Learner records: programmes with their ILR template, and each enrolled learner's record (issue 13)."""
