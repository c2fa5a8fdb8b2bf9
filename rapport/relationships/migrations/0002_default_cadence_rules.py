from django.db import migrations


def add_rules(apps, schema_editor):
    from rapport.relationships.defaults import add_default_rules

    add_default_rules(apps.get_model("relationships", "CadenceRule"))


def remove_rules(apps, schema_editor):
    apps.get_model("relationships", "CadenceRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("relationships", "0001_initial")]

    operations = [migrations.RunPython(add_rules, remove_rules)]
