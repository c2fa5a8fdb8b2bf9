"""Every page for every role: who gets it, who is refused, and what they must never see."""

import pytest
from django.urls import reverse

# (url name, world attribute whose pk is the argument or None) → expected status per role.
# admin = ada, serving = alice (serves Chemistry Lab), other = bob (serves History only),
# manager = mia.
PAGES = [
    ("home", None, {"ada": 200, "alice": 200, "bob": 200, "mia": 200}),
    ("people:person_list", None, {"ada": 200, "alice": 200, "bob": 200, "mia": 403}),
    ("people:person_create", None, {"ada": 200, "alice": 200, "bob": 200, "mia": 403}),
    ("people:person_autocomplete", None, {"ada": 200, "alice": 200, "bob": 200, "mia": 403}),
    ("people:person_detail", "ana", {"ada": 200, "alice": 200, "bob": 404, "mia": 403}),
    ("people:person_timeline", "ana", {"ada": 200, "alice": 200, "bob": 404, "mia": 403}),
    ("people:person_edit", "ana", {"ada": 200, "alice": 200, "bob": 404, "mia": 403}),
    ("people:group_list", None, {"ada": 200, "alice": 200, "bob": 200, "mia": 200}),
    ("people:group_create", None, {"ada": 200, "alice": 200, "bob": 200, "mia": 403}),
    ("people:group_detail", "chem", {"ada": 200, "alice": 200, "bob": 404, "mia": 200}),
    ("people:group_timeline", "chem", {"ada": 200, "alice": 200, "bob": 404, "mia": 403}),
    ("people:group_edit", "chem", {"ada": 200, "alice": 200, "bob": 404, "mia": 403}),
    ("touchpoints:create", None, {"ada": 200, "alice": 200, "bob": 200, "mia": 403}),
    ("touchpoints:detail", "ana_question", {"ada": 200, "alice": 200, "bob": 404, "mia": 403}),
    ("touchpoints:detail", "ana_secret", {"ada": 404, "alice": 200, "bob": 404, "mia": 403}),
    ("touchpoints:edit", "ana_question", {"ada": 200, "alice": 200, "bob": 404, "mia": 403}),
    ("touchpoints:delete", "ana_question", {"ada": 200, "alice": 200, "bob": 404, "mia": 403}),
    ("accounts:tokens", None, {"ada": 200, "alice": 200, "bob": 200, "mia": 200}),
    ("relationships:rules", None, {"ada": 200, "alice": 200, "bob": 200, "mia": 403}),
    ("relationships:rule_create", None, {"ada": 200, "alice": 403, "bob": 403, "mia": 403}),
    ("requests:list", None, {"ada": 200, "alice": 200, "bob": 200, "mia": 403}),
    ("requests:create", None, {"ada": 200, "alice": 200, "bob": 200, "mia": 403}),
    ("requests:stories", None, {"ada": 200, "alice": 200, "bob": 200, "mia": 403}),
    ("requests:person_requests", "ana", {"ada": 200, "alice": 200, "bob": 404, "mia": 403}),
    ("reports:coverage", None, {"ada": 200, "alice": 200, "bob": 200, "mia": 200}),
    ("reports:relationships", None, {"ada": 200, "alice": 200, "bob": 200, "mia": 200}),
    ("reports:stories", None, {"ada": 200, "alice": 200, "bob": 200, "mia": 200}),
    ("reports:person_brief", "ana", {"ada": 200, "alice": 200, "bob": 404, "mia": 403}),
    ("reports:group_brief", "chem", {"ada": 200, "alice": 200, "bob": 404, "mia": 403}),
    ("awareness:home", None, {"ada": 200, "alice": 200, "bob": 200, "mia": 403}),
    ("awareness:items", None, {"ada": 200, "alice": 200, "bob": 200, "mia": 200}),
    ("awareness:review", None, {"ada": 200, "alice": 200, "bob": 200, "mia": 403}),
    ("awareness:profile", "ana", {"ada": 200, "alice": 200, "bob": 404, "mia": 403}),
    ("imports:list", None, {"ada": 200, "alice": 200, "bob": 200, "mia": 403}),
    ("contacts:import", None, {"ada": 200, "alice": 200, "bob": 200, "mia": 403}),
    ("contacts:person", "ana", {"ada": 200, "alice": 200, "bob": 404, "mia": 403}),
    ("duplicates:list", None, {"ada": 200, "alice": 200, "bob": 200, "mia": 403}),
    ("duplicates:merges", None, {"ada": 200, "alice": 200, "bob": 200, "mia": 403}),
    ("duplicates:person", "ana", {"ada": 200, "alice": 200, "bob": 404, "mia": 403}),
    ("calendars:settings", None, {"ada": 200, "alice": 200, "bob": 200, "mia": 403}),
    ("calendars:import", None, {"ada": 200, "alice": 200, "bob": 200, "mia": 403}),
    ("webhooks:list", None, {"ada": 200, "alice": 403, "bob": 403, "mia": 403}),
    ("webhooks:create", None, {"ada": 200, "alice": 403, "bob": 403, "mia": 403}),
    ("privacy:schedule", None, {"ada": 200, "alice": 403, "bob": 403, "mia": 403}),
    ("privacy:preview", None, {"ada": 200, "alice": 403, "bob": 403, "mia": 403}),
    ("privacy:people", None, {"ada": 200, "alice": 403, "bob": 403, "mia": 403}),
    ("privacy:subject_access", "ana", {"ada": 200, "alice": 403, "bob": 403, "mia": 403}),
    ("privacy:subject_access_json", "ana", {"ada": 200, "alice": 403, "bob": 403, "mia": 403}),
    ("privacy:erasures", None, {"ada": 200, "alice": 403, "bob": 403, "mia": 403}),
    ("privacy:audit", None, {"ada": 200, "alice": 403, "bob": 403, "mia": 403}),
]
CASES = [
    (name, arg, role, status) for name, arg, statuses in PAGES for role, status in statuses.items()
]


def url_of(world, name, arg):
    return reverse(name, args=[getattr(world, arg).pk]) if arg else reverse(name)


@pytest.mark.parametrize(("name", "arg", "role", "status"), CASES)
def test_page_status_for_each_role(client, world, name, arg, role, status):
    client.force_login(getattr(world, role))

    response = client.get(url_of(world, name, arg))

    assert response.status_code == status


@pytest.mark.parametrize(("name", "arg"), sorted({(name, arg) for name, arg, _ in PAGES}))
def test_page_anonymous_is_sent_to_login(client, world, name, arg):
    url = url_of(world, name, arg)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_page_expired_session_on_htmx_moves_the_window_to_login(client, world):
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/people/?q=a"}

    response = client.post(reverse("touchpoints:capture"), {"line": "@Ana Ruiz asked"}, **headers)

    assert response.status_code == 200
    assert response["HX-Redirect"] == "/login/?next=/people/%3Fq%3Da"


def test_page_refusals_explain_themselves(client, world):
    client.force_login(world.mia)

    response = client.get(reverse("people:person_detail", args=[world.ana.pk]))

    assert response.status_code == 403
    assert "Managers see aggregate figures only" in response.text
    assert "Ana Ruiz" not in response.text


def test_page_not_found_names_the_missing_object(client, world):
    client.force_login(world.bob)

    response = client.get(reverse("people:person_detail", args=[world.ana.pk]))

    assert response.status_code == 404
    assert f"There is no person {world.ana.pk} that you can see." in response.text
    assert "Ana Ruiz" not in response.text


SEEN_BY_ALICE = [
    ("home", None),
    ("people:person_detail", "ana"),
    ("people:group_detail", "chem"),
]


@pytest.mark.parametrize(("name", "arg"), SEEN_BY_ALICE)
def test_page_bob_never_sees_alices_group_questions(client, world, name, arg):
    client.force_login(world.bob)
    for url in [url_of(world, name, arg), reverse("home"), reverse("people:person_list")]:
        assert "PRISMA search strings" not in client.get(url).text


def test_page_bob_sees_his_own_group_but_not_alices(client, world):
    client.force_login(world.bob)

    home = client.get(reverse("home")).text
    people = client.get(reverse("people:person_list")).text

    assert "Archive access" in home
    assert "History Department" in home
    assert "Hugo Marsh" in people
    assert "Ana Ruiz" not in people
    assert "Chemistry Lab" not in home


@pytest.mark.parametrize("role", ["ada", "bob", "mia"])
def test_page_confidential_touchpoint_hidden_from_everyone_but_its_author(client, world, role):
    client.force_login(getattr(world, role))
    urls = [
        reverse("home"),
        reverse("people:person_detail", args=[world.ana.pk]),
        reverse("people:group_detail", args=[world.chem.pk]),
        reverse("people:person_list"),
    ]
    for url in urls:
        assert "Private worry about tenure" not in client.get(url).text


def test_page_confidential_touchpoint_shown_to_its_author(client, world):
    client.force_login(world.alice)

    page = client.get(reverse("people:person_detail", args=[world.ana.pk])).text
    home = client.get(reverse("home")).text

    assert "Private worry about tenure" in page
    assert "Private worry about tenure" in home


def test_page_manager_dashboard_has_counts_but_no_names_or_text(client, world):
    client.force_login(world.mia)

    html = client.get(reverse("home")).text
    groups = client.get(reverse("people:group_list")).text
    group = client.get(reverse("people:group_detail", args=[world.chem.pk])).text

    assert '<strong id="figure-total">3</strong>' in html
    assert 'id="capture-line"' not in html
    for page in (html, groups, group):
        for secret in ["Ana Ruiz", "Ben Okafor", "Hugo Marsh", "Carla Diaz", "PRISMA", "tenure"]:
            assert secret not in page
    assert "Chemistry Lab" in groups


@pytest.mark.parametrize("role", ["ada", "alice", "bob"])
def test_page_capture_box_on_every_page_for_librarians(client, world, role):
    client.force_login(getattr(world, role))
    for url in [reverse("home"), reverse("people:group_list"), reverse("accounts:tokens")]:
        html = client.get(url).text
        assert 'id="capture-line"' in html
        assert 'id="capture-result" class="capture-result" role="status" aria-live="polite"' in html
