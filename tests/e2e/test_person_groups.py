"""A person joins a group from a browser: "Add a person" asks for the group, and the person
page adds one more, so the group's cadence rules reach them."""

from playwright.sync_api import expect

from rapport.people.models import Membership, Person
from tests.factories import make_group


def test_add_a_person_in_the_usual_group_then_add_them_to_another(desktop, sign_in, world):
    physics = make_group("Physics Lab", librarians=[world.alice])
    sign_in(desktop, "alice")
    desktop.goto("/people/new/")

    expect(desktop.locator("#id_group")).to_have_value(str(world.chem.pk))  # her usual one
    desktop.fill("#id_full_name", "Quinn Added")
    desktop.get_by_role("button", name="Save").click()

    expect(desktop.locator("#person-groups")).to_contain_text("Chemistry Lab")
    quinn = Person.objects.get(full_name="Quinn Added")
    desktop.locator("#add-to-group summary").click()
    desktop.select_option("#id_add-group", str(physics.pk))
    desktop.fill("#id_add-role", "PI")
    desktop.locator("#add-to-group-submit").click()

    expect(desktop.get_by_text("Added Quinn Added to Physics Lab.")).to_be_visible()
    expect(desktop.locator("#person-groups")).to_contain_text("Physics Lab")
    assert sorted(Membership.objects.filter(person=quinn).values_list("group__name", "role")) == [
        ("Chemistry Lab", ""),
        ("Physics Lab", "PI"),
    ]
