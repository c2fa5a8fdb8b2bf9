"""People found by any of their e-mail addresses: the bulk lookup, and vCards matched by it."""

import io

from django.db import connection
from django.test.utils import CaptureQueriesContext

from rapport.contacts.models import ContactImport
from rapport.people.addresses import by_address, with_address, with_other_address
from rapport.people.models import Person
from rapport.uploads import lifecycle


def card(name: str, *emails: str, title: str = "") -> str:
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"FN:{name}"]
    lines += [f"EMAIL:{address}" for address in emails]
    lines += [f"TITLE:{title}"] if title else []
    return "\r\n".join([*lines, "END:VCARD", ""])


def run(by, text: str) -> ContactImport:
    job = lifecycle.upload(
        "vcards", by=by, stream=io.BytesIO(text.encode()), name="c.vcf", how="caller"
    )
    return lifecycle.work(
        "vcards", lifecycle.run(by=job.created_by, job=job, how="caller", checked=False).pk
    )


def counts(job: ContactImport) -> tuple[int, int, int, int, int, int]:
    return (job.cards, job.created, job.updated, job.unchanged, job.skipped, job.failed)


def test_lookup_finds_main_and_other_addresses_in_any_case(world):
    Person.objects.filter(pk=world.ana.pk).update(other_emails=["Ana@Lab.example", "a@r.example"])
    Person.objects.filter(pk=world.carla.pk).update(other_emails=["ben@uni.example"])
    wanted = ["ANA@lab.example", " ben@uni.example ", "nobody@uni.example", ""]

    found = with_address(Person.objects.order_by("pk"), wanted)

    assert list(found) == [world.ana, world.ben, world.carla]
    assert list(with_other_address(Person.objects.order_by("pk"), wanted)) == [
        world.ana,
        world.carla,
    ]
    # Ben's main address wins over Carla's copy of it.
    assert by_address(found, wanted) == {"ana@lab.example": world.ana, "ben@uni.example": world.ben}


def test_lookup_of_no_addresses_asks_nothing(world):
    with CaptureQueriesContext(connection) as queries:
        assert list(with_address(Person.objects.all(), ["", "  "])) == []
    assert len(queries) == 0


def test_a_card_with_only_someones_second_address_updates_them_and_creates_nobody(world):
    Person.objects.filter(pk=world.ana.pk).update(other_emails=["ana@chem-lab.example"])
    people = Person.objects.count()

    job = run(world.alice, card("Ana Ruiz", "Ana@Chem-Lab.example", title="Professor"))

    assert counts(job) == (1, 0, 1, 0, 0, 0)
    ana = Person.objects.get(pk=world.ana.pk)
    assert (ana.email, ana.other_emails, ana.job_title) == (
        "ana.ruiz@uni.example",
        ["ana@chem-lab.example"],
        "Professor",
    )
    assert Person.objects.count() == people


def test_someones_second_address_is_not_given_to_another_person(world):
    Person.objects.filter(pk=world.ana.pk).update(other_emails=["shared@uni.example"])

    job = run(world.alice, card("Ben Okafor", "ben@uni.example", "shared@uni.example"))

    assert counts(job) == (1, 0, 0, 1, 0, 0)
    assert Person.objects.get(pk=world.ben.pk).other_emails == []
    assert job.problems == [
        [1, "Ben Okafor", "shared@uni.example belongs to another person; not added."]
    ]


def test_matching_a_batch_takes_the_same_queries_for_one_card_or_fifty(world):
    others = [f"ana{i}@lab.example" for i in range(50)]
    Person.objects.filter(pk=world.ana.pk).update(other_emails=others)
    run(world.alice, card("Ana Ruiz", others[0]))  # the card keys are known from now on

    with CaptureQueriesContext(connection) as one:
        single = run(world.alice, card("Ana Ruiz", others[0]))
    with CaptureQueriesContext(connection) as fifty:
        many = run(world.alice, "".join(card("Ana Ruiz", a) for a in others))

    assert counts(single) == (1, 0, 0, 1, 0, 0)
    assert counts(many) == (50, 0, 0, 50, 0, 0)
    assert len(one) == len(fifty)
