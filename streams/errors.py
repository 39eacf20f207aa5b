"""The one exception type the CLI turns into a one-line message."""


class UserError(Exception):
    """A failure the user can fix: printed as one line, exit status 1, no traceback."""
