"""Alert links: keep only a hash of each token (AlertLink) instead of one token in clear on the
subscription. Every token already sent keeps working: it becomes the subscription's first link,
hashed. Going back gives each subscription a new token in clear (the links sent stop working:
their tokens were never kept)."""

import hashlib
import secrets

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def hash_existing_tokens(apps, schema_editor):
    Subscription = apps.get_model("awareness", "Subscription")
    AlertLink = apps.get_model("awareness", "AlertLink")
    rows = Subscription.objects.exclude(token=None).exclude(token="").values_list("pk", "token")
    AlertLink.objects.bulk_create(
        (
            AlertLink(subscription_id=pk, token_hash=hashlib.sha256(token.encode()).hexdigest())
            for pk, token in rows.iterator()
        ),
        batch_size=1_000,
    )


def new_tokens_in_clear(apps, schema_editor):
    Subscription = apps.get_model("awareness", "Subscription")
    for sub in Subscription.objects.only("pk").iterator():
        Subscription.objects.filter(pk=sub.pk).update(token=secrets.token_urlsafe(24))


class Migration(migrations.Migration):
    # Rewrites rows already there; a new database gets none from it (see rapport/backup/load.py).
    seeds_rows = False

    dependencies = [
        ("awareness", "0002_digest_refused"),
    ]

    operations = [
        migrations.CreateModel(
            name="AlertLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token_hash", models.CharField(max_length=64, unique=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "subscription",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="links",
                        to="awareness.subscription",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
            },
        ),
        # Nullable first, so that going back can add the column before filling it.
        migrations.AlterField(
            model_name="subscription",
            name="token",
            field=models.CharField(max_length=64, null=True, unique=True),
        ),
        migrations.RunPython(hash_existing_tokens, new_tokens_in_clear, elidable=False),
        migrations.RemoveField(
            model_name="subscription",
            name="token",
        ),
    ]
