"""`manage.py demo`: make sure the seed exists, give the developer an admin login, print links to click.

Against the sandbox (sandbox mode, or the standalone sandbox's key) it also gives the default page the demo
account's configuration (preference_center/demo_configuration.py); against a real account it adds no names the
account may lack. Idempotent: run it as often as you like (`make run` runs it on every start). The admin user
exists only while DEBUG is on; its password is new on every run and printed once, never stored anywhere else.
"""

from __future__ import annotations

import importlib
import secrets

from axes.utils import reset as axes_reset
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from preference_center.dev import demo_configuration
from preference_center import links
from preference_center.models import PageConfig
from preference_center.dev.sandbox import store as sandbox_store

DEMO_USERNAME = "demo"

_seed_migration = importlib.import_module("preference_center.migrations.0002_seed")


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo links, one per line."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000",
            help="Where the pages are served, for the printed links (default: http://127.0.0.1:8000).",
        )

    def handle(self, *args, base_url: str, **options):
        base_url = base_url.rstrip("/")
        self._require_migrated()
        _seed_migration.seed(apps, None)
        page = PageConfig.get_default()
        sandbox_account = settings.MAILEON_SANDBOX or settings.MAILEON_API_KEY == sandbox_store.SANDBOX_API_KEY
        if sandbox_account and demo_configuration.install(page):
            self.stdout.write("Default page configured for the sandbox's demo account.")

        if settings.DEBUG:
            password = self._reset_demo_admin()
            self.stdout.write(f"Admin user: {DEMO_USERNAME}  password: {password}")
        else:
            self.stderr.write(
                "Not creating the demo admin user: DEBUG is off, and a well-known login must never exist in "
                "production. Create your own with `python manage.py createsuperuser`."
            )

        if settings.MAILEON_SANDBOX:
            self._print_contact_links(base_url, page)
        else:
            self._print_templates(base_url, page)
        self._line("Admin:", f"{base_url}{reverse('admin:index')}")

    def _line(self, label: str, link: str) -> None:
        # Label, then the link alone up to the line end: terminals make it clickable, scripts split on space.
        self.stdout.write(f"{label:<25} {link}")

    def _require_migrated(self) -> None:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("The database is not migrated: run `python manage.py migrate` first.")

    def _reset_demo_admin(self) -> str:
        user, _created = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.is_staff = user.is_superuser = user.is_active = True
        user.save()
        # A new password deserves a fresh start: a sign-in lockout from mistyping the old one ends too.
        axes_reset(username=DEMO_USERNAME)
        return password

    def _print_contact_links(self, base_url: str, page: PageConfig) -> None:
        self.stdout.write(f"Demo links (embedded Maileon sandbox, mailing {demo_configuration.DEMO_MAILING_ID}):")
        for contact_id, who, language in demo_configuration.DEMO_CONTACTS:
            mailing = links.contact_links(
                base_url, slug=page.slug, is_default=page.is_default, contact_id=contact_id,
                checksum=sandbox_store.checksum_for(contact_id), mailing_id=demo_configuration.DEMO_MAILING_ID,
            )
            self._line(f"Profile, {who} ({language}):", mailing.profile)
            self._line(f"Unsubscribe, {who} ({language}):", mailing.unsubscribe)
        # The mails the sandbox pretends to send (a new link asked for on a broken link's page), to click.
        self._line("Sandbox mails:", f"{base_url}{reverse('sandbox_mails')}")

    def _print_templates(self, base_url: str, page: PageConfig) -> None:
        mailing = links.link_templates(base_url, slug=page.slug, is_default=page.is_default)
        self.stdout.write("Links for Maileon mailings (Maileon fills in the placeholders when it sends):")
        self._line("Profile:", mailing.profile)
        self._line("Unsubscribe:", mailing.unsubscribe)
        self._line("Mail header:", mailing.list_unsubscribe_header)
        self._line("Mail header:", mailing.list_unsubscribe_post_header)
