"""A version counted up by every edit of a person: the API's ETag, the edit form's hidden
version (see rapport/concurrency.py). Added in place, so the search triggers stay."""

from django.db import migrations, models

from rapport.migration_ops import AddFieldInPlace


class Migration(migrations.Migration):
    dependencies = [("people", "0002_person_directory_id")]

    operations = [
        AddFieldInPlace(
            model_name="person",
            name="version",
            field=models.IntegerField(db_default=1, default=1, editable=False),
        ),
    ]
