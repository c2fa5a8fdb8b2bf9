"""Sign-in (throttled), password reset (Django's views, our templates), home, one's own account
and API tokens.

`home`, `login`, `logout` and `password_reset*` stay un-namespaced so LOGIN_URL and
LOGIN_REDIRECT_URL and Django's own reset views find them; the rest is under `accounts:`.
"""

from django.contrib.auth import views as auth
from django.urls import include, path

from rapport.accounts import views
from rapport.today.views import home

account_patterns = [
    path("", views.account, name="account"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]

urlpatterns = [
    path("", home, name="home"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("account/", include((account_patterns, "accounts"))),
]
