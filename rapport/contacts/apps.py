from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "rapport.contacts"
    label = "contacts"
    verbose_name = "Contacts (vCard)"

    def ready(self) -> None:
        from rapport.contacts.services import VCARDS
        from rapport.uploads.kinds import register

        register(VCARDS)
