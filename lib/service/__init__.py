"""The ILM side's workflow: quality check, allocation, marking, sampling, release, the SLA and the settings."""
