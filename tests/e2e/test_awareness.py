"""Current awareness in a real browser: an item file goes in, matching runs, the librarian
approves the suggestion with a note on a phone, and the person's profile explains it."""

from playwright.sync_api import expect

from rapport.awareness import matching
from rapport.awareness.models import Match, MatchRun
from tests.factories import make_touchpoint

RIS = b"""TY  - JOUR
TI  - PRISMA extension for scoping reviews
AB  - Reporting guidance for scoping reviews and their search strings.
JO  - Research Synthesis Methods
PY  - 2026
DO  - 10.1000/rsm.2026.42
ER  -\x20

TY  - JOUR
TI  - Quantum dots in solar cells
AB  - Photovoltaic efficiency of quantum dot layers.
PY  - 2026
ER  -\x20
"""


def test_items_in_match_and_approve_on_a_phone(phone, sign_in, world, tmp_path, live_server):
    for q in ("PRISMA flow diagram for a scoping review", "search strings for a scoping review"):
        make_touchpoint(world.alice, [world.ana], question=q, tags=["systematic-review"])
    world.ana.touchpoint_count = 3
    world.ana.save(update_fields=["touchpoint_count"])
    sign_in(phone, "alice")

    phone.goto(f"{live_server.url}/awareness/")
    file = tmp_path / "toc.ris"
    file.write_bytes(RIS)
    phone.get_by_label("A file of items").set_input_files(str(file))
    phone.get_by_role("button", name="Add items").click()
    expect(phone.locator(".messages")).to_contain_text("Items from toc.ris: 2 added.")

    # The run was queued for the worker; work it here, as `rapport worker` would.
    run = MatchRun.objects.get()
    matching.run_matching(run.pk)

    phone.get_by_role("link", name="Review suggestions").click()
    row = phone.locator("#suggestions li").first
    expect(row).to_contain_text("PRISMA extension for scoping reviews")
    expect(row).to_contain_text("For Ana Ruiz")
    expect(row.locator(".why")).to_contain_text("scoping")
    row.get_by_text("Add a note").click()  # folded away until wanted
    row.get_by_label("Note to Ana Ruiz (optional)").fill("The checklist you asked about")
    row.get_by_role("button", name="Approve").click()
    expect(phone.locator(".decided").first).to_contain_text(
        "Approved: PRISMA extension for scoping reviews for Ana Ruiz."
    )
    match = Match.objects.get(item__title="PRISMA extension for scoping reviews", person=world.ana)
    assert (match.status, match.note) == ("approved", "The checklist you asked about")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    phone.goto(f"{live_server.url}/awareness/people/{world.ana.pk}/")
    expect(phone.locator("#terms")).to_contain_text("scoping review")
    expect(phone.locator("#matches")).to_contain_text("Approved")
