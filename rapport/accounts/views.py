"""Sign-in and personal API tokens. (The home page is `rapport.today.views.home`.)"""

from django.contrib import messages
from django.contrib.auth.views import LoginView
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rapport.accounts import services
from rapport.accounts.forms import SignInForm, TokenForm
from rapport.accounts.pages import AuthedRequest, apply_errors, page_view
from rapport.errors import Invalid


class SignInView(LoginView):
    """Django's sign-in page with throttling: a locked sign-in answers 429 with the reason."""

    form_class = SignInForm
    redirect_authenticated_user = True

    def form_invalid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_invalid(form)
        if form.locked:
            response.status_code = 429
        return response


@page_view
def tokens(request: AuthedRequest) -> HttpResponse:
    """List one's tokens; POST creates one and shows its raw value this once (never stored)."""
    form = TokenForm(request.POST or None)
    raw = None
    if form.is_valid():
        try:
            token, raw = services.create_api_token(by=request.user, name=form.cleaned_data["name"])
        except Invalid as err:
            apply_errors(form, err)
        else:
            form = TokenForm()
            messages.success(request, f"Created the token “{token.name}”.")
    context = {"form": form, "raw": raw, "tokens": request.user.api_tokens.all()}
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "accounts/tokens.html", context, status=status)


@require_POST
@page_view
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    token = services.revoke_api_token(by=request.user, token_id=pk)
    messages.success(request, f"Revoked the token “{token.name}”; it no longer works.")
    return redirect("accounts:tokens")
