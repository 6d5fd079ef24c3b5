"""Running the service: Walled Garden registration imports (and, to come, centres, accounts, reference data,
retention and the audit trail)."""
