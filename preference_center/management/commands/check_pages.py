"""`manage.py check_pages`: check every page configuration against the Maileon account.

Prints, per page, what it names that the account lacks (the recipient pages leave that out), and exits non-zero
when anything is missing or Maileon cannot be asked: for a deploy pipeline, a cron job, or after renaming
something in Maileon. Reads the account's definitions afresh; changes nothing, here or in Maileon.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from preference_center.maileon import MaileonError
from preference_center.models import PageConfig
from preference_center.services import definitions, page_fit

MISSING_EXIT = 1
UNREACHABLE_EXIT = 2


class Command(BaseCommand):
    help = "Check every page configuration against the Maileon account; exit 1 when something is missing."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", metavar="slug", help="Only these pages (default: all).")

    def handle(self, *args, slugs: list[str], **options):
        pages = PageConfig.objects.order_by("-is_default", "slug").prefetch_related("fields", "preference_groups")
        if slugs:
            pages = pages.filter(slug__in=slugs)
            unknown = set(slugs) - {page.slug for page in pages}
            if unknown:
                raise CommandError(f"no page configuration with slug {', '.join(sorted(unknown))}")
        definitions.forget()
        lacking = 0
        for page in pages:
            try:
                fit = page_fit.fit(page, with_transaction_type=True)
            except MaileonError as error:
                raise CommandError(f"Maileon could not be asked: {error}", returncode=UNREACHABLE_EXIT) from error
            if fit.missing:
                lacking += 1
                self.stdout.write(f"{page.slug}: the Maileon account lacks")
                for item in fit.missing:
                    self.stdout.write(f"  - {item.kind.name.lower().replace('_', ' ')} {item.name}")
            else:
                self.stdout.write(f"{page.slug}: ok")
            if page.doi_mailing_key:
                self.stdout.write(
                    f"  (DOI mailing {page.doi_mailing_key!r}: Maileon has no call to list DOI mailings; a refusal at "
                    "the first opt-in is logged and the page stops offering the opt-in)"
                )
        if lacking:
            raise CommandError(f"{lacking} page configuration(s) name what the account lacks",
                               returncode=MISSING_EXIT)
