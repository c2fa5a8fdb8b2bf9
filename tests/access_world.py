"""One of every object a route can name, each in alice's reach and out of bob's, made through
the services where one exists: the world the role × route matrix (tests/test_route_matrix.py)
requests every route against."""

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from rapport.accounts.services import create_api_token
from rapport.awareness import links
from rapport.awareness.models import Item, Match, MatchRun, Subscription
from rapport.calendars import services as calendars
from rapport.duplicates import services as duplicates
from rapport.duplicates.merging import merge_people
from rapport.imports import services as imports
from rapport.imports.models import SavedMapping
from rapport.people.models import Membership
from rapport.relationships.services import create_rule
from rapport.requests.services import add_deliverable, open_request
from rapport.uploads import lifecycle
from rapport.webhooks import services as webhooks
from tests.factories import make_person

FIXTURES = Path(__file__).parent
CSV = b"Date,Question,Patron email\n2026-01-05 10:00,Where are the theses?,ana.ruiz@uni.example\n"
VCARD = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Vera Card\r\nEMAIL:vera@uni.example\r\nEND:VCARD\r\n"
ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
    b"UID:matrix-1\r\nDTSTAMP:20261101T090000Z\r\nDTSTART:20261102T090000Z\r\n"
    b"DTEND:20261102T100000Z\r\nSUMMARY:Lab meeting\r\n"
    b"ATTENDEE;CN=Ana Ruiz:mailto:ana.ruiz@uni.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


@dataclass
class Objects:
    """Path arguments by name: `args["person"]` is ana's id, and so on."""

    args: dict[str, tuple[Any, ...]]


def build(world: Any) -> Objects:
    alice, ada = world.alice, world.ada
    now = timezone.now()
    membership = Membership.objects.get(person=world.ana, group=world.chem)
    req = open_request(by=alice, people=[world.ana], need="A literature search", group=world.chem)
    deliverable = add_deliverable(
        by=alice,
        request=req,
        title="Search strategy",
        file=SimpleUploadedFile("strategy.txt", b"(theses OR dissertations)"),
    )
    token, _ = create_api_token(by=alice, name="matrix")
    item = Item.objects.create(title="A paper on theses", source_kind="manual", added_by=alice)
    match = Match.objects.create(
        person=world.ana,
        item=item,
        score=0.5,
        explanation={"mode": "lexical", "terms": ["theses"], "evidence": []},
    )
    run = MatchRun.objects.create(requested_by=alice, scope="everything")
    subscription = Subscription.objects.create(person=world.ana, consented_at=now)
    alert = links.issue(subscription)
    _, feed = calendars.create_feed(by=alice)
    rule = create_rule(by=ada, name="Matrix", position=90, ideal_days=30, max_days=60)
    job = imports.upload(by=alice, stream=io.BytesIO(CSV), name="desk.csv")
    mapping = SavedMapping.objects.create(
        name="Matrix mapping", target=job.target, mapping=job.mapping, created_by=alice
    )
    vcards = lifecycle.upload("vcards", by=alice, stream=io.BytesIO(VCARD), name="cards.vcf")
    meetings = lifecycle.upload(
        "ics", by=alice, stream=io.BytesIO(ICS), name="cal.ics", since=dt.date(2026, 11, 1), now=now
    )
    scan = duplicates.start_scan(by=alice, queue=False)
    twin = make_person("Ana Ruiz", groups=[world.chem], email="a.ruiz@uni.example")
    merged = merge_people(by=alice, keep=world.ana, merge=twin)
    other = make_person("Ben Okafor", groups=[world.chem], email="b.okafor@uni.example")
    mark = duplicates.mark_not_duplicate(by=alice, a=world.ben, b=other)
    endpoint = webhooks.create_endpoint(
        by=ada, url="https://crm.example/rapport", events=["touchpoint.created"]
    )
    delivery = webhooks.send_test_event(by=ada, endpoint=endpoint)
    return Objects(
        {
            "person": (world.ana.pk,),
            "group": (world.chem.pk,),
            "membership": (membership.pk,),
            "touchpoint": (world.ana_question.pk,),
            "secret": (world.ana_secret.pk,),
            "request": (req.pk,),
            "deliverable": (req.pk, deliverable.pk),
            "token": (token.pk,),
            "item": (item.pk,),
            "match": (match.pk,),
            "run": (run.pk,),
            "alert": (alert,),
            "feedback": (alert, match.pk, "useful"),
            "feed": (feed,),
            "rule": (rule.pk,),
            "job": (job.pk,),
            "mapping": (mapping.pk,),
            "vcards": (vcards.pk,),
            "meetings": (meetings.pk,),
            "scan": (scan.pk,),
            "pair": (world.ana.pk, world.ben.pk),
            "merge": (merged.pk,),
            "mark": (mark.pk,),
            "endpoint": (endpoint.pk,),
            "delivery": (endpoint.pk, delivery.pk),
            "export": ("people", "csv"),
            "today_section": ("past_max",),
            "reset": ("MQ", "set-password"),
        }
    )
