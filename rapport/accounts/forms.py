"""Forms of the account pages. Sign-in is Django's form with throttling; reset is Django's own."""

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from rapport.accounts import throttle


class SignInForm(AuthenticationForm):
    """Django's sign-in form, refusing to check a password while the account or the address is
    locked (`rapport.accounts.throttle`), and counting each wrong one."""

    locked = False

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data
        address = throttle.client_address(self.request) if self.request else None
        self._refuse_if_locked(username, address)
        self.user_cache = authenticate(self.request, username=username, password=password)
        if self.user_cache is None:
            throttle.record_failure(username=username, address=address)
            self._refuse_if_locked(username, address)  # that one was the last allowed
            raise self.get_invalid_login_error()
        self.confirm_login_allowed(self.user_cache)
        throttle.record_success(username=username)
        return self.cleaned_data

    def _refuse_if_locked(self, username: str, address: str | None) -> None:
        try:
            throttle.check_sign_in(username=username, address=address)
        except throttle.Locked as locked:
            self.locked = True
            raise ValidationError(locked.message, code="locked") from None


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Token name", max_length=100, help_text="Where you will use it, e.g. “laptop”."
    )


class EmailForm(forms.Form):
    email = forms.CharField(
        label="E-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="Where your daily list and password resets go.",
    )


class PasswordForm(forms.Form):
    current = forms.CharField(
        label="Current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not a common password, not all digits.",
    )
    again = forms.CharField(
        label="New password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
