"""vCard tests: fixtures read from this folder, uploads kept in a temporary folder."""

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


def fixture(name: str) -> Path:
    return FIXTURES / name
