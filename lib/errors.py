"""Refusals the user is told about in plain words (as opposed to bugs)."""


class Refused(ValueError):
    """The action is refused and nothing was changed; the message says why and what to do."""


class NotFound(LookupError):
    """The row does not exist, or the signed-in user may not see it (they are told the same)."""


class NotAllowed(PermissionError):
    """The signed-in user's role may not do this."""
