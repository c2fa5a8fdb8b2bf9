"""Sign-in, one's own account (e-mail, password) and personal API tokens. (The home page is
`rapport.today.views.home`.)"""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.views import LoginView
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rapport.accounts import services
from rapport.accounts.forms import EmailForm, PasswordForm, SignInForm, TokenForm
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


@page_view
def account(request: AuthedRequest) -> HttpResponse:
    """One's own account: change the e-mail address, or the password (the current one first).
    Each form posts here with its name in `form`; the other form stays empty."""
    user = request.user
    which = request.POST.get("form") if request.method == "POST" else None
    data = request.POST
    email_form = EmailForm(data if which == "email" else None, initial={"email": user.email})
    password_form = PasswordForm(data if which == "password" else None)
    bound = email_form if which == "email" else password_form if which == "password" else None
    if bound is not None and bound.is_valid():
        try:
            if bound is email_form:
                services.change_email(by=user, email=bound.cleaned_data["email"])
                messages.success(request, f"Your e-mail address is now {user.email}.")
            else:
                services.change_password(by=user, **bound.cleaned_data)
                update_session_auth_hash(request, user)  # stay signed in here
                messages.success(request, "Your password is changed.")
        except Invalid as err:
            apply_errors(bound, err)
        else:
            return redirect("accounts:account")
    context = {"email_form": email_form, "password_form": password_form}
    status = 422 if bound is not None and bound.errors else 200
    return render(request, "accounts/account.html", context, status=status)
