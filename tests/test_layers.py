"""Imports go downward only (docs/architecture.md): models, then queries, then services, then
the entry points (views, API routes, commands, URLs). A module that imports from a layer above
its own fails here, naming both, so the layers stay what the architecture page says."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "rapport"

MODEL, QUERY, SERVICE, FORM, ENTRY = 0, 1, 2, 3, 4
NAMES = {
    MODEL: "models",
    QUERY: "queries",
    SERVICE: "services",
    FORM: "forms",
    ENTRY: "entry points",
}


def layer(module: str) -> int | None:
    """The layer a module belongs to, by its name; None for the helpers in between (parsers,
    engines, figures, importers, senders), which may use anything but an entry point."""
    parts = module.split(".")
    last = parts[-1]
    if "management" in parts or "templatetags" in parts or "migrations" in parts:
        return ENTRY
    if parts[:2] == ["rapport", "api"] and last not in {"queries", "schemas"}:
        return ENTRY
    entry = {"views", "urls", "pages", "admin", "api", "middleware"}
    if last in entry or last.endswith(("_views", "_urls")):
        return ENTRY
    if last == "forms":
        return FORM
    if last in {"services", "tasks"} or "services" in parts[:-1] or last.endswith("_services"):
        return SERVICE
    if last == "queries":
        return QUERY
    if last == "models":
        return MODEL
    return None


def modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imported(path: Path, module: str) -> set[str]:
    """The rapport modules a module imports at its top level or in functions (not only for
    type checking: those cannot run)."""
    tree = ast.parse(path.read_text(), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            if node.level:
                package = module.split(".")[: -node.level]
                base = ".".join([*package, node.module])
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in names if name.startswith("rapport")}


def upward_imports() -> list[str]:
    known = modules()
    found = []
    for module, path in sorted(known.items()):
        own = layer(module)
        for name in sorted(imported(path, module)):
            if name not in known:
                continue
            theirs = layer(name)
            if theirs is None:
                continue
            ceiling = FORM if own is None else own
            if theirs > ceiling and not (own == theirs == ENTRY):
                found.append(
                    f"{module} ({NAMES.get(own, 'helper')}) imports {name} ({NAMES[theirs]})"
                )
    return found


def test_no_module_imports_from_a_layer_above_its_own():
    assert upward_imports() == []


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("rapport.people.models", MODEL),
        ("rapport.people.queries", QUERY),
        ("rapport.people.services", SERVICE),
        ("rapport.requests.services.editing", SERVICE),
        ("rapport.uploads.services", SERVICE),
        ("rapport.people.views", ENTRY),
        ("rapport.uploads.views", ENTRY),
        ("rapport.api.people", ENTRY),
        ("rapport.api.queries", QUERY),
        ("rapport.api.schemas", None),
        ("rapport.people.forms", FORM),
        ("rapport.awareness.public_urls", ENTRY),
        ("rapport.touchpoints.capture", None),
    ],
)
def test_each_module_is_placed_by_its_name(module, expected):
    assert layer(module) == expected


def test_only_the_role_rules_raise_forbidden():
    """Who may do what by role is `rapport/accounts/roles.py` alone: any other module that
    raises Forbidden has grown a second copy of a rule."""
    raising = []
    for module, path in sorted(modules().items()):
        if module == "rapport.accounts.roles":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                called = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if isinstance(called, ast.Name | ast.Attribute) and ast.unparse(called).endswith(
                    "Forbidden"
                ):
                    raising.append(f"{module}:{node.lineno}")
    assert raising == []


def test_people_below_its_pages_imports_nothing_of_touchpoints():
    """Touchpoints build on people (a touchpoint names people), never the other way round:
    finding a person by name is `people/names.py`, which the capture line uses. Only the
    people pages show touchpoints (a person's timeline), as entry points may."""
    found = []
    for module, path in sorted(modules().items()):
        if module.startswith("rapport.people.") and layer(module) != ENTRY:
            found += [
                f"{module} imports {name}"
                for name in sorted(imported(path, module))
                if name.startswith("rapport.touchpoints")
            ]
    assert found == []
