"""The one error reading raises: a file that cannot be read at all."""


class Unreadable(Exception):
    """The file cannot be read at all; str(err) is a message fit to show a librarian."""
