"""The pages a person reaches from their alert emails, without an account: the secret token in
the link is the key. Their preferences (consent, frequency, pause, topics, unsubscribe), what
the library keeps about them, and the confirm step of the useful / not useful links.

Every change is a POST: mail scanners and link previews follow the links in an email, and must
not answer for the person. Only the List-Unsubscribe URL takes a POST without a CSRF token,
because mail programs send the RFC 8058 one-click request from outside any page.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from rapport.awareness import subscriptions
from rapport.awareness.models import Frequency, InterestState, MatchStatus, Subscription
from rapport.awareness.profiles import profile_for
from rapport.errors import Invalid, NotFound
from rapport.people.models import Membership, Person

ANSWER_LABELS = subscriptions.ANSWERS
#: How each kind of evidence is named to the person it is about.
EVIDENCE_SOURCES = {
    "touchpoint": "A question or contact",
    "publication": "Your paper",
    "stated": "A topic chosen",
    "feedback": "An alert you found useful",
}


def public_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Find the subscription by token (404 page, the same for unknown and revoked links), show
    a refused change as a message on the preferences page, and keep the page out of caches
    and search engines: it is about one person."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            sub = subscriptions.get_subscription(token)
            response = view(request, sub, *args, **kwargs)
        except NotFound as err:
            response = render(
                request, "awareness/public/not_found.html", {"error": err}, status=404
            )
        except Invalid as err:
            messages.error(request, err.message)
            response = HttpResponseRedirect(reverse("alerts:preferences", args=[token]))
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        # The site's same-origin Referrer-Policy already keeps the token out of the Referer that
        # item links send elsewhere; no-referrer would make browsers post `Origin: null` here,
        # which the CSRF check rightly refuses.
        return response

    return wrapper


def _back(sub: Subscription, anchor: str = "") -> HttpResponse:
    url = reverse("alerts:preferences", args=[sub.token])
    return HttpResponseRedirect(f"{url}#{anchor}" if anchor else url)


def _groups(person: Person) -> list[Membership]:
    today = timezone.localdate()
    return list(
        Membership.objects.filter(person=person, group__archived_at=None)
        .exclude(ended_on__lt=today)
        .select_related("group")
        .order_by("group__name")
    )


@public_view
@require_http_methods(["GET", "HEAD"])
def preferences(request: HttpRequest, sub: Subscription) -> HttpResponse:
    """Everything in one page: settings first, then what we keep about them."""
    person = sub.person
    interests = list(person.interests.all())
    profile = profile_for(person)
    shown = {t.term for t in profile.terms}
    context = {
        "sub": sub,
        "person": person,
        "summary": subscriptions.settings_summary(sub),
        "subscribed": sub.consented_at is not None and sub.unsubscribed_at is None,
        "frequencies": Frequency.choices,
        "terms": [
            {
                "term": t.term,
                "pinned": t.pinned,
                "because": t.because(),
                "evidence": [(EVIDENCE_SOURCES.get(e.source, e.source), e) for e in t.evidence],
            }
            for t in profile.terms
        ],
        # Topics chosen by hand that the profile does not show (yet): still theirs to remove.
        "stated": [
            i for i in interests if i.state != InterestState.REMOVED and i.term not in shown
        ],
        "removed": [i for i in interests if i.state == InterestState.REMOVED],
        "memberships": _groups(person),
        "publications": list(person.publications.all()[:200]),
        "sent": list(
            person.matches.filter(status=MatchStatus.SENT)
            .select_related("item", "digest")
            .order_by("-digest__sent_at", "-score")[:200]
        ),
    }
    return render(request, "awareness/public/preferences.html", context)


@public_view
@require_POST
def consent(request: HttpRequest, sub: Subscription) -> HttpResponse:
    subscriptions.give_consent(subscription=sub)
    messages.success(request, "Thank you: your alerts are on.")
    return _back(sub)


@public_view
@require_POST
def frequency(request: HttpRequest, sub: Subscription) -> HttpResponse:
    sub = subscriptions.set_frequency(subscription=sub, frequency=request.POST.get("frequency", ""))
    messages.success(request, f"Saved: {sub.get_frequency_display().lower()}.")
    return _back(sub, "frequency")


@public_view
@require_POST
def pause(request: HttpRequest, sub: Subscription) -> HttpResponse:
    paused = request.POST.get("paused") == "1"
    subscriptions.set_paused(subscription=sub, paused=paused)
    messages.success(request, "Alerts paused." if paused else "Alerts resumed.")
    return _back(sub)


@public_view
@require_POST
def add_topic(request: HttpRequest, sub: Subscription) -> HttpResponse:
    interest = subscriptions.add_topic(subscription=sub, term=request.POST.get("term", ""))
    messages.success(request, f"Added “{interest.term}” to your topics.")
    return _back(sub, "topics")


@public_view
@require_POST
def remove_topic(request: HttpRequest, sub: Subscription) -> HttpResponse:
    interest = subscriptions.remove_topic(subscription=sub, term=request.POST.get("term", ""))
    messages.success(request, f"Removed “{interest.term}”: it no longer counts for your alerts.")
    return _back(sub, "topics")


@csrf_exempt  # the RFC 8058 one-click POST comes from a mail program, not from our page
@public_view
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, sub: Subscription) -> HttpResponse:
    """GET asks; POST (the button, or a mail program's one-click request) unsubscribes."""
    if request.method != "POST":
        return render(request, "awareness/public/unsubscribe.html", {"sub": sub})
    one_click = request.POST.get("List-Unsubscribe") == "One-Click"
    sub = subscriptions.unsubscribe(
        subscription=sub, how="one-click from the email" if one_click else "preferences page"
    )
    if one_click:  # a mail program asked: answer plainly, it follows no redirect
        return render(request, "awareness/public/unsubscribed.html", {"sub": sub})
    messages.success(request, "You are unsubscribed: no more alerts.")
    return _back(sub)


@public_view
@require_http_methods(["GET", "HEAD", "POST"])
def feedback(request: HttpRequest, sub: Subscription, match_id: str, answer: str) -> HttpResponse:
    """GET shows the item and a button; only the POST records the answer."""
    match = subscriptions.get_sent_match(sub, match_id)
    if request.method != "POST":
        context = {"sub": sub, "match": match, "answer": answer, "label": ANSWER_LABELS[answer]}
        return render(request, "awareness/public/feedback.html", context)
    subscriptions.record_feedback(subscription=sub, match=match, answer=answer)
    messages.success(request, f"Thank you: “{match.item.title}” noted as {ANSWER_LABELS[answer]}.")
    return _back(sub, "sent")
