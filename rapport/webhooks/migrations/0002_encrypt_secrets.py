"""Keep each endpoint's signing secret encrypted instead of in clear (rapport/crypto.py): the
same secrets, so receivers notice nothing; the database and its backups hold only ciphertext."""

from django.db import migrations, models

import rapport.webhooks.models
from rapport import crypto


def encrypt_existing(apps, schema_editor):
    Endpoint = apps.get_model("webhooks", "Endpoint")
    endpoints = list(Endpoint.objects.order_by("pk"))
    for endpoint in endpoints:
        endpoint.secret_encrypted = crypto.encrypt(endpoint.secret)
    Endpoint.objects.bulk_update(endpoints, ["secret_encrypted"], batch_size=500)


def decrypt_back(apps, schema_editor):
    Endpoint = apps.get_model("webhooks", "Endpoint")
    endpoints = list(Endpoint.objects.order_by("pk"))
    for endpoint in endpoints:
        endpoint.secret = crypto.decrypt(endpoint.secret_encrypted)
    Endpoint.objects.bulk_update(endpoints, ["secret"], batch_size=500)


class Migration(migrations.Migration):
    # Rewrites rows already there; a new database gets none from it (see rapport/backup/load.py).
    seeds_rows = False

    dependencies = [
        ("webhooks", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="endpoint",
            name="secret_encrypted",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(encrypt_existing, decrypt_back, elidable=False),
        migrations.RemoveField(
            model_name="endpoint",
            name="secret",
        ),
        migrations.AlterField(
            model_name="endpoint",
            name="secret_encrypted",
            field=models.TextField(
                default=rapport.webhooks.models.new_encrypted_secret, editable=False
            ),
        ),
    ]
