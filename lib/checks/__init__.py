"""Checks on uploaded files, with a budget: what is accepted (by content), word counts, active content refused.

Every check runs in a child process with a memory and CPU limit and reads the file from disk, streamed, with
caps on what it really inflates and reads (never trusting sizes the file declares). Each file is checked once:
verdicts are kept by SHA-256.
"""
