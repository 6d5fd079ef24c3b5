"""Refusals the user is told about in plain words (as opposed to bugs)."""


class Refused(ValueError):
    """The action is refused and nothing was changed; the message says why and what to do."""
