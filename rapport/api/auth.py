"""Who is calling: a personal access token, or the signed-in browser session.

The two are tried in order. A request that carries a bearer token is judged by that token
alone: a revoked or mistyped token gets 401 even from a browser that is signed in, so a script
never works by accident on someone's session. Other Authorization schemes (a proxy's Basic
auth in front of the site) leave the session alone.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from rapport.accounts.models import User
from rapport.accounts.services import user_for_token


class ApiRequest(HttpRequest):
    """What a route receives: Ninja sets `auth` to the user the credentials belong to."""

    auth: User


class TokenAuth(HttpBearer):
    """`Authorization: Bearer rpt_…`, a personal access token created in Rapport."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return user_for_token(token.strip())


class SessionAuth(APIKeyCookie):
    """The Django session, as in the web pages; unsafe methods need the CSRF token too, or any
    site could make a signed-in browser write through the API."""

    def __init__(self) -> None:
        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any:
        if request.headers.get("Authorization", "").lower().startswith("bearer"):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            # Checked before CSRF so an anonymous caller hears "sign in", not "CSRF".
            return None
        if check_csrf(request) is not None:
            raise HttpError(
                403,
                "CSRF check failed: send the csrftoken cookie's value in an X-CSRFToken header, "
                "or call the API with a personal access token.",
            )
        return user

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return self(request)
