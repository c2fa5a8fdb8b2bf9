"""A version counted up by every edit of a touchpoint: the API's ETag, the edit form's hidden
version (see rapport/concurrency.py). Added in place, so the search triggers stay."""

from django.db import migrations, models

from rapport.migration_ops import AddFieldInPlace


class Migration(migrations.Migration):
    dependencies = [("touchpoints", "0004_reach_indexes")]

    operations = [
        AddFieldInPlace(
            model_name="touchpoint",
            name="version",
            field=models.IntegerField(db_default=1, default=1, editable=False),
        ),
    ]
