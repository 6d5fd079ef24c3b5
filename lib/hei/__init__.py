"""HEI dual accreditation (ILM Mapped): mapped programmes, their changes, the EQA release check, credentials."""
