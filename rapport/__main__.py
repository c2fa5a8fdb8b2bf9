"""The `rapport` command: Django's management commands under one name."""

import os
import sys


def refuse_bad_arguments(args: list[str]) -> None:
    """Exit with a message when an argument holds text no database can store: a lone
    surrogate is how Python keeps the bytes of a terminal that does not speak UTF-8. Every
    command's arguments are checked here, once, as the middleware checks every request."""
    from rapport.text import bad_character, bad_text_message, printable

    for arg in args:
        problem = bad_character(arg)
        if problem:
            shown = printable(arg if len(arg) <= 60 else arg[:59] + "…")
            sys.exit(f"rapport: {bad_text_message(problem, shown)} Is the terminal set to UTF-8?")


def main() -> None:
    refuse_bad_arguments(sys.argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["rapport", *sys.argv[1:]])


if __name__ == "__main__":
    main()
