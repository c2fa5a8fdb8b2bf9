import datetime as dt

import pytest
from django.utils import timezone

from rapport.awareness.models import Interest, InterestState
from rapport.awareness.profiles import decay, normalise_term, profile_for, strike
from tests.awareness.conftest import make_publication
from tests.factories import make_touchpoint

pytestmark = pytest.mark.django_db


def test_normalise_term_lowers_and_splits_hyphens():
    assert normalise_term("  Systematic-Review  PRISMA ") == "systematic review prisma"


def test_strike_removes_a_phrase_across_hyphens_and_case():
    assert strike("Scoping-review of PRISMA", ["scoping review"]).split() == ["of", "PRISMA"]


def test_decay_halves_after_one_half_life(settings):
    settings.RAPPORT_INTEREST_HALF_LIFE_DAYS = 100
    today = dt.date(2026, 11, 29)
    assert decay(today, today) == 1.0
    assert decay(today - dt.timedelta(days=100), today) == 0.5
    assert decay(None, today) == 0.25


def test_profile_terms_come_with_their_evidence(world):
    for q in ("PRISMA flow diagram", "PRISMA checklist for scoping review"):
        make_touchpoint(world.alice, [world.ana], question=q, topic=q, tags=["systematic-review"])
    make_publication(world.ana, "A scoping review of PRISMA adherence")
    profile = profile_for(world.ana)
    prisma = next(t for t in profile.terms if t.term == "prisma")
    # the world's own touchpoint says "PRISMA search strings" too: three questions, one paper
    assert prisma.counts == {"touchpoint": 3, "publication": 1}
    assert prisma.because() == "from 3 questions, 1 paper"
    # A tag is the librarian's label, not the person's words.
    assert "systematic review" not in [t.term for t in profile.terms]


def test_profile_terms_are_the_persons_words_never_the_librarians_notes(world):
    """Outreach, deliverables and what we started are the librarian's words: shown to the
    person on their public page as "their interests", they would be wrong."""
    carla = world.carla
    for q in ("Raman spectroscopy of perovskite films", "perovskite films degradation"):
        make_touchpoint(world.alice, [carla], question=q, tags=["outreach"])
    make_touchpoint(
        world.alice, [carla], question="outreach visit, will report findings", initiated_by="us"
    )
    make_touchpoint(world.alice, [carla], question="sent the report findings", kind="deliverable")
    make_touchpoint(world.alice, [carla], question="report findings workshop", kind="instruction")
    make_touchpoint(
        world.alice,
        [carla],
        question="Raman report",
        answer="Report findings sent; outreach done.",
        origin="campaign",
    )

    profile = profile_for(carla)

    assert [t.term for t in profile.terms] == ["perovskite films"]
    assert [e.text for e in profile.evidence] == [
        "perovskite films degradation",
        "Raman spectroscopy of perovskite films",
    ]


def test_profile_never_reads_confidential_touchpoints(world):
    profile = profile_for(world.ana)
    texts = " ".join(e.text for e in profile.evidence)
    assert "tenure" not in texts
    assert [e.ref for e in profile.evidence] == [f"touchpoint:{world.ana_question.pk}"]


def test_removed_term_is_struck_from_documents_and_terms(world):
    make_touchpoint(world.alice, [world.ana], question="PRISMA flow diagram")
    Interest.objects.create(person=world.ana, term="prisma", state=InterestState.REMOVED)
    profile = profile_for(world.ana)
    assert "prisma" not in [t.term for t in profile.terms]
    assert profile.removed == ("prisma",)
    assert all("prisma" not in d.text.lower() for d in profile.documents().documents)


def test_pinned_and_stated_terms_show_first(world):
    Interest.objects.create(person=world.ben, term="crystallography", state=InterestState.PINNED)
    Interest.objects.create(person=world.ben, term="open data", state=InterestState.STATED)
    profile = profile_for(world.ben)
    assert [t.term for t in profile.terms] == ["crystallography", "open data"]
    assert profile.terms[0].pinned is True
    assert profile.terms[1].because() == "from stated interest"


def test_recent_evidence_weighs_more(world, settings):
    settings.RAPPORT_INTEREST_HALF_LIFE_DAYS = 30
    make_touchpoint(world.alice, [world.ben], question="bayesian statistics", days_ago=1)
    make_touchpoint(world.alice, [world.ben], question="bayesian statistics", days_ago=2)
    make_touchpoint(world.alice, [world.ben], question="mass spectrometry", days_ago=300)
    make_touchpoint(world.alice, [world.ben], question="mass spectrometry", days_ago=301)
    terms = [t.term for t in profile_for(world.ben, now=timezone.now()).terms]
    assert terms.index("bayesian statistics") < terms.index("mass spectrometry")


def test_person_without_evidence_has_an_empty_profile(world):
    profile = profile_for(world.carla)
    assert profile.empty is True
    assert profile.terms == ()
    assert profile.documents().documents == ()


def test_answers_to_alerts_are_not_evidence(world):
    make_touchpoint(
        world.alice, [world.ben], question="Useful: Quantum dots in solar cells", origin="alert"
    )
    assert profile_for(world.ben).evidence == ()
