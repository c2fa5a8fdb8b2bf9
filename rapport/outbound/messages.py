"""What Rapport says when a request to another server fails: a fixed set of messages written
for a librarian. Nothing in them comes from the other side except an HTTP status code."""

#: Redirects followed before giving up (fetch follows them; post, for webhooks, follows none).
MAX_REDIRECTS = 5

NOT_WEB = "That is not a web address; it should start with https:// (or http://)."
PRIVATE = "That address is on a private network, which Rapport does not fetch from."
NO_SUCH_SITE = "There is no site at that address; check it for a typing error."
REFUSED = "The site refused the connection; check the address, or try again later."
UNREACHABLE = "Rapport could not reach the site; it, or the network to it, may be down."
CLOSED = "The site closed the connection without answering."
NOT_HTTP = "The site's answer could not be read (it did not answer as a web server does)."
TLS_NOT_VERIFIED = (
    "The site's secure connection could not be verified (its certificate is not valid for "
    "that address)."
)
TLS_FAILED = "A secure connection to the site could not be made."
TOO_MANY_REDIRECTS = (
    f"The site sent Rapport on from address to address more than {MAX_REDIRECTS} times; "
    "give the final address instead."
)
BAD_REDIRECT = "The site sent Rapport on to something that is not a web address."


def timed_out(seconds: float) -> str:
    return f"The site did not answer in time (Rapport waits {seconds:g} seconds)."


def http_error(status: int) -> str:
    return f"The site answered with an error (HTTP {status})."


def too_large(max_bytes: int) -> str:
    return f"The response was larger than {max_bytes / 1_000_000:g} MB, more than Rapport reads."


class FetchError(Exception):
    """A request to another server failed; the message says why, in words for a librarian,
    and `status` is the HTTP status when the server answered with an error."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
