"""The secret links to a person's alert pages: one made for each email, only its hash kept.

A person's preferences, feedback and unsubscribe pages open without an account: the token in
the link is the key. Like API tokens and calendar feeds, the token itself is never stored,
only its SHA-256, so the database and its backups cannot be used to reach anyone's page. As
the raw value cannot be read back, every email (a digest, an invitation) carries a link of its
own, made as the email is written; each keeps working, so an old email's unsubscribe link
still unsubscribes, until the person's librarian revokes them all at once with New link (a
forwarded email, a lost phone). See docs/digests.md.
"""

from rapport.awareness.models import AlertLink, Subscription, hash_link_token, new_link_token
from rapport.errors import NotFound

#: The longest token a link may carry (ours have 36 characters; those made before links were
#: hashed, 32).
MAX_LENGTH = 64
BAD_LINK = (
    "This link is not valid. Use the newest alert email, or ask your librarian for a new link."
)


def issue(subscription: Subscription) -> str:
    """A new link's token for this subscription, also set as `subscription.token`; only its
    hash is saved. Call inside the transaction that sends or shows it."""
    raw = new_link_token()
    AlertLink.objects.create(subscription=subscription, token_hash=hash_link_token(raw))
    subscription.token = raw
    return raw


def find(raw: str) -> Subscription:
    """The subscription a link's token opens, with `token` set to it. Unknown tokens, revoked
    ones and those of archived people get the same answer."""
    if not raw or len(raw) > MAX_LENGTH:
        raise NotFound(BAD_LINK)
    link = (
        AlertLink.objects.select_related("subscription__person")
        .filter(token_hash=hash_link_token(raw), subscription__person__archived_at=None)
        .first()
    )
    if link is None:
        raise NotFound(BAD_LINK)
    subscription = link.subscription
    subscription.token = raw
    return subscription


def revoke_all(subscription: Subscription) -> int:
    """Every link of this subscription stops working; returns how many there were."""
    count, _ = AlertLink.objects.filter(subscription=subscription).delete()
    subscription.token = ""
    return count
