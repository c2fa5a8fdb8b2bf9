"""`rapport api_schema > docs/openapi.json`: print the API's OpenAPI schema.

Sorted and indented, so the committed snapshot diffs line by line when the API changes.
"""

import json
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print the OpenAPI schema of /api/v1/ as sorted, indented JSON."

    def handle(self, *args: Any, **opts: Any) -> None:
        from rapport.api.api import api

        schema = api.get_openapi_schema()
        self.stdout.write(json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False))
