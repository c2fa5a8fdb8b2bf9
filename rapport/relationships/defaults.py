"""The cadence rules a new library starts with (editable afterwards): principal investigators
and new faculty monthly, people further up the ladder regularly, other faculty each term."""

from rapport.relationships.models import CadenceRule, Stage

# name, position, role, status, min_stage, ideal days, max days
DEFAULT_RULES = [
    ("Principal investigators", 10, "PI", "", None, 30, 60),
    ("New faculty", 20, "new faculty", "", None, 30, 60),
    ("Advocates and partners", 30, "", "", int(Stage.ADVOCATE), 45, 90),
    ("Supporters", 40, "", "", int(Stage.SUPPORTER), 60, 120),
    ("Faculty", 50, "", "faculty", None, 90, 180),
]


def add_default_rules(model: type[CadenceRule] = CadenceRule) -> None:
    """Add the default rules when there are none (a new or flushed database)."""
    if model.objects.exists():
        return
    for name, position, role, status, min_stage, ideal, maximum in DEFAULT_RULES:
        model.objects.create(
            name=name,
            position=position,
            role=role,
            status=status,
            min_stage=min_stage,
            ideal_days=ideal,
            max_days=maximum,
        )
