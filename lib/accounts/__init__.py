"""Accounts: passwords, signing in and out, and which pages each role sees."""
