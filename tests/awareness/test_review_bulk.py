"""The review queue at scale: approve or reject several suggestions at once (one
transaction, each audited), filter by person and by item, the note folded away."""

import pytest

from rapport.audit.models import AuditEntry
from rapport.awareness.models import Match, MatchStatus
from rapport.awareness.services import decide_matches
from rapport.errors import Invalid, NotFound
from tests.awareness.conftest import make_item

pytestmark = pytest.mark.django_db

REVIEW = "/awareness/review/"
BULK = "/awareness/review/decide/"


@pytest.fixture
def queue(world):
    """Four suggestions: two items, each for ana and ben (alice's), and one for bob's hugo."""
    prisma = make_item("PRISMA extension for scoping reviews")
    plans = make_item("Data management plans for chemistry labs")
    made = {}
    for item, key in ((prisma, "prisma"), (plans, "plans")):
        for person, score in ((world.ana, 0.9), (world.ben, 0.5)):
            made[f"{key}-{person.full_name.split()[0].lower()}"] = Match.objects.create(
                person=person, item=item, score=score if key == "prisma" else score - 0.1
            )
    made["hugo"] = Match.objects.create(person=world.hugo, item=prisma, score=0.99)
    return made


def titles(html):
    return [
        line.split('id="match-')[1].split('"')[0]
        for line in html.splitlines()
        if '<li class="entry" id="match-' in line
    ]


def test_bulk_approve_decides_the_ticked_ones_and_audits_each(client, world, queue):
    client.force_login(world.alice)
    ticked = [queue["prisma-ana"].pk, queue["plans-ben"].pk]

    response = client.post(
        BULK, {"decision": "approve", "match": ticked, "next": REVIEW + "?person="}
    )

    assert response.status_code == 302
    assert response["Location"] == REVIEW + "?person="
    statuses = dict(Match.objects.values_list("pk", "status"))
    assert [statuses[pk] for pk in ticked] == [MatchStatus.APPROVED, MatchStatus.APPROVED]
    assert statuses[queue["prisma-ben"].pk] == MatchStatus.SUGGESTED
    assert AuditEntry.objects.filter(action="match.approved").count() == 2
    page = client.get(REVIEW).text
    assert "Approved 2 suggestions." in page
    assert f'id="match-{queue["prisma-ana"].pk}"' not in page


def test_bulk_reject_of_one(client, world, queue):
    client.force_login(world.alice)

    client.post(BULK, {"decision": "reject", "match": [queue["plans-ana"].pk]})

    assert Match.objects.get(pk=queue["plans-ana"].pk).status == MatchStatus.REJECTED
    assert "Rejected 1 suggestion." in client.get(REVIEW).text


def test_bulk_with_one_out_of_reach_decides_none(client, world, queue):
    client.force_login(world.alice)
    ticked = [queue["prisma-ana"].pk, queue["hugo"].pk]

    response = client.post(BULK, {"decision": "approve", "match": ticked}, follow=True)

    assert f"Nothing was decided: There is no match {queue['hugo'].pk} that you can see." in (
        response.text
    )
    assert Match.objects.filter(status=MatchStatus.SUGGESTED).count() == 5
    assert not AuditEntry.objects.filter(action__startswith="match.").exists()


def test_bulk_with_nothing_ticked_says_so(client, world, queue):
    client.force_login(world.alice)

    response = client.post(BULK, {"decision": "approve"}, follow=True)

    assert "Nothing was decided: Choose at least one suggestion (tick its box) first." in (
        response.text
    )
    assert Match.objects.filter(status=MatchStatus.SUGGESTED).count() == 5


def test_bulk_without_a_decision_is_refused(client, world, queue):
    client.force_login(world.alice)

    response = client.post(BULK, {"match": [queue["prisma-ana"].pk]})

    assert response.status_code == 422
    assert "Choose Approve or Reject for the ticked suggestions." in response.text
    assert Match.objects.filter(status=MatchStatus.SUGGESTED).count() == 5


def test_bulk_refuses_a_sent_one_and_changes_nothing(world, queue):
    Match.objects.filter(pk=queue["plans-ana"].pk).update(status=MatchStatus.SENT)

    with pytest.raises(Invalid) as refused:
        decide_matches(
            by=world.alice,
            match_ids=[queue["prisma-ana"].pk, queue["plans-ana"].pk],
            approve=False,
        )

    assert refused.value.message == "This item was already sent."
    assert Match.objects.get(pk=queue["prisma-ana"].pk).status == MatchStatus.SUGGESTED
    with pytest.raises(NotFound):
        decide_matches(by=world.bob, match_ids=[queue["prisma-ana"].pk], approve=True)


def test_review_filters_by_person_and_by_item(client, world, queue):
    client.force_login(world.alice)
    prisma = queue["prisma-ana"].item_id

    everyone = client.get(REVIEW).text
    bens = client.get(f"{REVIEW}?person={world.ben.pk}").text
    prismas = client.get(f"{REVIEW}?item={prisma}").text
    both = client.get(f"{REVIEW}?person={world.ben.pk}&item={prisma}").text

    ids = {k: str(m.pk) for k, m in queue.items()}
    assert titles(everyone) == [
        ids["prisma-ana"],
        ids["plans-ana"],
        ids["prisma-ben"],
        ids["plans-ben"],
    ]
    assert titles(bens) == [ids["prisma-ben"], ids["plans-ben"]]
    assert titles(prismas) == [ids["prisma-ana"], ids["prisma-ben"]]
    assert titles(both) == [ids["prisma-ben"]]
    assert f'<option value="{world.ben.pk}" selected>Ben Okafor</option>' in bens
    assert f'<option value="{prisma}" selected>PRISMA extension for scoping reviews</option>' in (
        prismas
    )
    assert "Hugo" not in everyone  # bob's person is no choice of alice's


def test_review_rows_fold_the_note_and_offer_a_box(client, world, queue):
    client.force_login(world.alice)
    pk = queue["prisma-ana"].pk

    html = client.get(REVIEW).text

    assert (
        f'<input type="checkbox" name="match" value="{pk}" form="bulk-decide" id="pick-{pk}"'
        ' aria-label="Select PRISMA extension for scoping reviews for Ana Ruiz">'
    ) in html
    assert '<summary>Add a note<span class="visually-hidden"> to Ana Ruiz</span></summary>' in html
    assert html.count('<details class="note">') == 4
    assert '<button type="submit" name="decision" value="approve">Approve selected</button>' in html
