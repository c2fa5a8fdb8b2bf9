"""The search page and the similar-questions panel: parse, call the query, render."""

from django.http import HttpResponse
from django.shortcuts import render

from rapport.accounts.pages import AuthedRequest, page_view
from rapport.accounts.roles import require_detail
from rapport.requests.models import Request
from rapport.requests.queries import access_request
from rapport.search import text
from rapport.search.forms import SearchForm
from rapport.search.queries import MAX_LIMIT, NO_TERMS, search
from rapport.search.similar import question_text, similar_questions
from rapport.touchpoints.models import Touchpoint
from rapport.touchpoints.queries import access_touchpoint


@page_view
def search_page(request: AuthedRequest) -> HttpResponse:
    form = SearchForm(request.user, request.GET)
    args = form.search_args()
    hits = search(request.user, **args)
    typed = bool(args["q"].strip())
    context = {
        "form": form,
        "hits": hits,
        "typed": typed,
        "message": NO_TERMS if typed and not text.terms(args["q"]) else "",
        "more": len(hits) == args["limit"] and args["limit"] < MAX_LIMIT,
        "next_limit": min(args["limit"] * 2, MAX_LIMIT),
    }
    # A history restore after "Back" (htmx's cache missed) needs the whole page.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "search/search.html#results" if partial else "search/search.html"
    return render(request, template, context)


@page_view
def similar(request: AuthedRequest) -> HttpResponse:
    """Similar past questions for ?touchpoint=<pk> or ?request=<pk>: a partial for the panels
    that load it with HTMX, a page of its own without JavaScript."""
    require_detail(request.user, what="touchpoints")
    about: Request | Touchpoint
    exclude: list[int]
    if pk := request.GET.get("request"):
        req = access_request(request.user, pk)
        # The request's own touchpoints asked this very question: they are not past ones.
        own = list(req.touchpoints.values_list("pk", flat=True))
        subject, about, exclude = req.need or req.title, req, own
    else:
        tp = access_touchpoint(request.user, request.GET.get("touchpoint", ""))
        subject, about, exclude = question_text(tp), tp, [tp.pk]
    context = {
        "similar": similar_questions(request.user, subject, exclude=exclude),
        "about": about,
    }
    template = "search/similar.html#panel" if request.htmx else "search/similar.html"
    return render(request, template, context)
