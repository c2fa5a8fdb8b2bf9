"""Fetching a URL with the standard library, turning every way it can fail into a FetchError
whose message a librarian can act on."""

import socket
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlsplit

USER_AGENT = "Rapport (current awareness for embedded librarians)"


class FetchError(Exception):
    """A feed or record could not be fetched; the message says why in plain words."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Fetched:
    body: bytes
    url: str
    headers: dict[str, str] = field(default_factory=dict)


def fetch(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
    max_bytes: int = 5_000_000,
) -> Fetched:
    """The body of an http(s) URL, at most max_bytes long."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"“{url}” is not a web address (it should start with https://).")
    host = parts.hostname
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(max_bytes + 1)
            final_url = response.geturl()
            got = {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as exc:
        exc.close()  # the error carries the open response
        reason = exc.reason or "error"
        raise FetchError(
            f"{host} answered {exc.code} {reason} for {url}.", status=exc.code
        ) from None
    except urllib.error.URLError as exc:
        cause = exc.reason
        if isinstance(cause, TimeoutError):
            raise FetchError(f"{host} did not answer within {timeout:g} seconds.") from None
        if isinstance(cause, ConnectionRefusedError):
            raise FetchError(f"{host} refused the connection; is the address right?") from None
        if isinstance(cause, socket.gaierror):
            raise FetchError(f"There is no server called {host}; check the address.") from None
        raise FetchError(f"Could not reach {host}: {cause}.") from None
    except TimeoutError:
        raise FetchError(f"{host} did not answer within {timeout:g} seconds.") from None
    except (OSError, ValueError) as exc:  # resets, bad status lines, broken TLS
        raise FetchError(f"Could not read from {host}: {exc}.") from None
    if len(body) > max_bytes:
        raise FetchError(
            f"{url} is larger than {max_bytes / 1_000_000:g} MB; Rapport reads no more than that."
        )
    return Fetched(body, final_url, got)


def get(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
    max_bytes: int = 5_000_000,
) -> bytes:
    """Just the body of a URL (see fetch)."""
    return fetch(url, headers=headers, timeout=timeout, max_bytes=max_bytes).body
