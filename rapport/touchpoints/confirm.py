"""What the capture box asks before it logs a line that may not say what was meant.

Three things are asked, not guessed: a line naming nobody ("no one in particular"?), the same
line a second time within a minute (a double press, or did it happen twice?), and a word for
a day still to come ("tomorrow": a touchpoint records what happened, so is it a follow-up?).
The librarian answers by confirming (`ASKS`), or by changing the line.
"""

import datetime as dt
from collections.abc import Collection

from django.utils import timezone

from rapport.accounts.models import User
from rapport.errors import Invalid
from rapport.touchpoints.capture import Capture
from rapport.touchpoints.models import Touchpoint

NO_ONE, AGAIN, LATER = "no_one", "again", "later"
ASKS = frozenset((NO_ONE, AGAIN, LATER))
#: How soon the same line again is taken for a second press rather than a second event.
AGAIN_WITHIN = dt.timedelta(minutes=1)


class Unconfirmed(Invalid):
    """The line is fine but may not say what was meant: `asks` holds, for each thing to
    confirm, the question put to the librarian. Nothing was logged."""

    def __init__(self, asks: dict[str, str], later_on: dt.date | None = None) -> None:
        super().__init__(" ".join(asks.values()), {"line": list(asks.values())})
        self.asks = asks
        self.later_on = later_on


def day(d: dt.date) -> str:
    return f"{d:%a} {d.day} {d:%b}"


def check(by: User, line: str, cap: Capture, confirmed: Collection[str]) -> None:
    """Raise `Unconfirmed` with what is left to ask about this line, if anything."""
    asks: dict[str, str] = {}
    if not cap.mentions and NO_ONE not in confirmed:
        asks[NO_ONE] = (
            "Who was it with? Add them to the line as @Name, or log it with no one in particular."
        )
    if AGAIN not in confirmed:
        since = timezone.now() - AGAIN_WITHIN
        earlier = (
            Touchpoint.objects.filter(author=by, capture_line=line, logged_at__gte=since)
            .order_by("-logged_at")
            .values_list("logged_at", flat=True)
            .first()
        )
        if earlier is not None:
            at = f"{timezone.localtime(earlier):%H:%M}"
            asks[AGAIN] = (
                f"You logged this same line at {at}, less than a minute ago. "
                "Log it again only if it happened twice."
            )
    if cap.later and cap.later_on and LATER not in confirmed:
        asks[LATER] = (
            f"“{cap.later}” ({day(cap.later_on)}) is still to come, and a touchpoint records "
            "what happened: to be reminded then, open a request due that day; or keep the "
            "words in the note."
        )
    if asks:
        raise Unconfirmed(asks, cap.later_on)
