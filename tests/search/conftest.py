# The API tests here call the API the way tests/api does.
from tests.api.conftest import call  # noqa: F401
