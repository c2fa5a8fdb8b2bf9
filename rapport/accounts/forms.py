"""Forms of the account pages. Sign-in and password reset use Django's own."""

from django import forms


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Token name", max_length=100, help_text="Where you will use it, e.g. “laptop”."
    )
