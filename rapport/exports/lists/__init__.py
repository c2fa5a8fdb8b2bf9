"""Every exportable list, registered on import: people and groups, the work (touchpoints,
requests, stories, awareness, search), and the report tables (aggregates)."""

from rapport.exports.lists import figures, people, work
from rapport.privacy import exports as privacy

__all__ = ["figures", "people", "privacy", "work"]
