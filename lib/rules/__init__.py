"""Pure rules of the service, with no I/O: roles, working days, the workflow, statuses, file naming, reference data."""
