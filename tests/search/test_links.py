"""A search hit's address: an item without a page of its own (a site that leaves the awareness
pages out) links to its source only when that is a web address."""

import pytest
from django.urls import clear_url_caches

from rapport.awareness.models import Item
from rapport.search.documents import ITEM
from rapport.search.queries import url_for

urlpatterns: list = []  # a site with no pages at all: every reverse() fails


@pytest.fixture
def no_pages(settings):
    settings.ROOT_URLCONF = __name__
    clear_url_caches()
    yield
    clear_url_caches()


@pytest.mark.parametrize(
    ("link", "url"),
    [
        ("https://journal.example/x", "https://journal.example/x"),
        ("javascript:alert(1)", ""),
        (" java\tscript:alert(1)", ""),
        ("//evil.example/x", ""),
    ],
)
def test_an_item_without_a_page_links_to_its_source_only_if_it_is_a_web_address(
    no_pages, link, url
):
    assert url_for(ITEM, Item(pk=1, title="x", link=link)) == url
