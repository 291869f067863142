"""What marketers configure (PageConfig, ProfileField, PreferenceGroup, UnsubscribeReason) and what happened
(UnsubscribeRequest: the outbox the worker delivers from, and the audit record marketers read).

Models never import `maileon`: services convert between these rows and the client's wire values.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import languages

# The language as the admin names it, in the admin's language ("label (French)").
IN_LANGUAGE = {
    "de": _("German"), "en": _("English"), "fr": _("French"), "it": _("Italian"), "es": _("Spanish"),
    "nl": _("Dutch"),
}
# Choices as the admin lists and filters them ("Englisch" in a German admin); the recipients' language switcher
# names each language in itself (languages.LANGUAGES).
LANGUAGES = [(code, IN_LANGUAGE[code]) for code in languages.CODES]


def _in_every_language(model: type[models.Model], name: str, make_field) -> None:
    """Adds `<name>_<code>` for every language of languages.LANGUAGES, made by make_field(verbose_name, code).
    A column per language (not one JSON blob) keeps the admin's plain form fields and each text searchable."""
    for code in languages.CODES:
        model.add_to_class(f"{name}_{code}", make_field(code))


def _verbose(label, code: str):
    return format_lazy("{} ({})", label, IN_LANGUAGE[code])


# How the admin writes a page's links, the slug as a placeholder in the admin's language (/p/<kurzname>/profile/).
# Escaped: the admin shows help texts as HTML, where a bare <slug> would be taken for a tag and vanish.
SLUG_PLACEHOLDER = pgettext_lazy("placeholder for the slug in a link, lower case", "slug")
LINK_PATTERN = format_lazy("/p/&lt;{}&gt;/profile/", SLUG_PLACEHOLDER)


@lru_cache(maxsize=4096)
def _split_line(line: str) -> tuple[str, Mapping[str, str]]:
    """`value|German|English|French|Italian|Spanish|Dutch` (LANGUAGES order; later parts may be left out) ->
    value, {code: label} of the parts given. Kept per process (each page view reads every line of its choices
    and preference labels, which rarely change): read-only, as every caller shares it."""
    parts = [part.strip() for part in line.split("|")]
    return parts[0], MappingProxyType(
        {code: part for code, part in zip(languages.CODES, parts[1:], strict=False) if part})

# Maileon's six unsubscribe reason types (maileon-api.md §2.4). Kept here as choices so models need no client import.
REASON_TYPES = [
    ("too_many_messages", _("Too many messages")),
    ("no_demand", _("No longer interested")),
    ("change_of_channel", _("Prefers another channel")),
    ("change_of_interest", _("Interests have changed")),
    ("technical_reasons", _("Technical reasons")),
    ("other", _("Other")),
]

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #rrggbb, e.g. #1a5fb4."))
# A font stack goes into a CSS custom property: allow names, quotes, commas and spaces, nothing that ends a rule.
font_stack = RegexValidator(r"^[\w\s,'\"-]{1,200}$", _("Use font names separated by commas, e.g. Georgia, serif."))
account_id_list = RegexValidator(
    r"^\s*(\d+\s*(,\s*\d+\s*)*)?$", _("Enter Maileon newsletter account ids separated by commas, e.g. 311, 312.")
)


class PageConfig(models.Model):
    """One set of recipient pages (profile + unsubscribe). The default one answers /profile/ and /unsubscribe/;
    the others answer /p/<slug>/profile/ and /p/<slug>/unsubscribe/."""

    slug = models.SlugField(
        _("slug"), unique=True, max_length=50,
        help_text=format_lazy(
            _("Part of this page's links: {link} (and …/unsubscribe/). Letters without accents, digits, hyphens "
              "and underscores. Changing it breaks the links in mailings already sent."),
            link=LINK_PATTERN,
        ),
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("For you; recipients never see it."))
    is_default = models.BooleanField(
        _("default page"), default=False,
        help_text=_("Answers /profile/ and /unsubscribe/ without a slug. Exactly one page is the default."),
    )
    page_key = models.CharField(
        _("Maileon page key"), max_length=100, blank=True,
        help_text=_("Sent as page_key with every profile save; Maileon's double opt-in reports name the landing "
                    "page by it."),
    )
    src = models.CharField(
        _("Maileon source (src)"), max_length=100, default="preference-center",
        help_text=_("Sent as src with every profile save and stored by Maileon with a double opt-in, so reports "
                    "show where the contact came from."),
    )
    default_language = models.CharField(
        _("default language"), max_length=2, choices=LANGUAGES, default="de",
        help_text=_("Used when neither the link (lang=), the contact's LOCALE nor the browser decides; its texts "
                    "also stand in for texts left empty in another language."),
    )
    email_editable = models.BooleanField(
        _("recipients may change their email address"), default=False,
        help_text=_("If off, the address is shown but cannot be changed. Maileon refuses an address another "
                    "contact already uses; the recipient is told so."),
    )
    doi_mailing_key = models.CharField(
        _("double opt-in mailing key"), max_length=100, blank=True,
        help_text=_("If set, contacts without newsletter permission are offered \"Yes, send me the newsletter.\" on "
                    "the profile page, and recipients who left get a way back: \"Undo my unsubscribe\" once the "
                    "unsubscribe has reached Maileon, and \"Subscribe again\" on the page an old link opens (unless a "
                    "resubscribe link is set). Maileon sends this DOI mailing; the permission changes only after "
                    "confirmation."),
    )
    new_link_transaction_type = models.PositiveIntegerField(
        _("transaction type for \"send me a new link\""), null=True, blank=True, validators=[MinValueValidator(1)],
        help_text=_("The id of a Maileon transaction type whose trigger mailing carries the profile link with "
                    "[CONTACT|ID] and [CONTACT|CHECKSUM]. If set, a broken link's page offers \"send me a new "
                    "link\": Maileon sends that mailing to the address typed, if it is a contact's. Empty: not "
                    "offered; the page asks to use the link in the latest newsletter."),
    )
    newsletter_account_ids = models.CharField(
        _("newsletter accounts for unsubscribe"), max_length=200, blank=True, validators=[account_id_list],
        help_text=_("Empty: unsubscribe the contact by its Maileon id. Account ids (e.g. 311, 312): unsubscribe "
                    "the contact's address in each of these accounts. List every account meant."),
    )
    # Texts in every language (profile_intro_de, _en, ...): added below the class by _in_every_language.
    downsell_profile_link = models.BooleanField(
        _("offer \"fewer mails instead?\""), default=True,
        help_text=_("Shows a link to the profile page above the unsubscribe button."),
    )
    downsell_category = models.CharField(
        _("down-sell preference category"), max_length=100, blank=True,
        help_text=_("With the preference below: a one-button switch to that preference instead of leaving, "
                    "e.g. category Frequenz, preference Monatlicher Digest."),
    )
    downsell_preference = models.CharField(_("down-sell preference"), max_length=100, blank=True)
    logo = models.BinaryField(_("logo"), blank=True, null=True, editable=False)
    logo_content_type = models.CharField(_("logo media type"), max_length=50, blank=True, editable=False)
    logo_alt = models.CharField(
        _("logo text alternative"), max_length=120, blank=True,
        help_text=_("Read aloud by screen readers, e.g. your company name."),
    )
    primary_colour = models.CharField(
        _("primary colour"), max_length=7, default="#1a5fb4", validators=[hex_colour],
        help_text=_("Buttons and links. Keep enough contrast with white (4.5:1) for accessibility."),
    )
    font_stack = models.CharField(
        _("font stack"), max_length=200, blank=True, validators=[font_stack],
        help_text=_("Fonts installed on the recipient's device, e.g. Georgia, serif. No web fonts are loaded."),
    )
    privacy_url = models.URLField(_("privacy policy link"), blank=True)
    imprint_url = models.URLField(_("imprint link"), blank=True)
    resubscribe_url = models.URLField(
        _("resubscribe link"), blank=True,
        help_text=_("Your sign-up form, e.g. on your website. Offered as \"Unsubscribed by mistake? Subscribe "
                    "again\" where the page has no way back of its own: after an unsubscribe without the \"Undo my "
                    "unsubscribe\" button, and on the page an old link opens instead of the double opt-in."),
    )
    pause_field = models.CharField(
        _("pause date field"), max_length=64, blank=True,
        help_text=_("A custom field of type date in your Maileon account, e.g. PAUSE_UNTIL. If set, the unsubscribe "
                    "page offers to pause the newsletters for 1 or 3 months and writes the end date into this field; "
                    "your target groups must leave out contacts whose date is today or later. Empty: no pause "
                    "offered."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("page configuration")
        verbose_name_plural = _("page configurations")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_page"),
        ]

    def __str__(self) -> str:
        return self.name

    TEXTS = ("profile_intro", "unsubscribe_intro", "confirmation", "downsell_label")

    def text(self, field: str, language: str) -> str:
        """A text of this page in `language`, e.g. text("profile_intro", "fr"); where the marketer left it empty,
        the page's default language's (languages.first_text)."""
        return languages.first_text(lambda code: getattr(self, f"{field}_{code}", ""), language,
                                    self.default_language)

    @property
    def account_ids(self) -> list[int]:
        return [int(part) for part in self.newsletter_account_ids.replace(" ", "").split(",") if part]

    @property
    def offers_downsell_switch(self) -> bool:
        return bool(self.downsell_category and self.downsell_preference)

    @classmethod
    def get_default(cls) -> PageConfig:
        page = cls.objects.filter(is_default=True).first() or cls.objects.order_by("pk").first()
        if page is not None:
            return page
        try:
            with transaction.atomic():
                return cls.objects.create(slug="default", name="Default", is_default=True)
        except IntegrityError:
            return cls.objects.get(slug="default")  # a simultaneous request created it a moment ago


_in_every_language(PageConfig, "profile_intro", lambda code: models.TextField(
    _verbose(_("profile intro"), code), blank=True,
    help_text=_("Text above the profile form. Plain text; line breaks are kept. Empty: the default language's."),
))
_in_every_language(PageConfig, "unsubscribe_intro", lambda code: models.TextField(
    _verbose(_("unsubscribe intro"), code), blank=True,
    help_text=_("Text above the unsubscribe form. Plain text; line breaks are kept. Empty: the default language's."),
))
_in_every_language(PageConfig, "confirmation", lambda code: models.TextField(
    _verbose(_("unsubscribe confirmation"), code), blank=True,
    help_text=_("Shown after the unsubscribe, below the standard confirmation (\"You are unsubscribed\"). Plain "
                "text; line breaks are kept. Empty: the default language's."),
))
_in_every_language(PageConfig, "downsell_label", lambda code: models.CharField(
    _verbose(_("down-sell button"), code), max_length=120, blank=True,
    help_text=_("Text of the down-sell button, e.g. \"Just the monthly digest\". Empty: the default language's, "
                "else the preference's name."),
))


class FieldSource(models.TextChoices):
    STANDARD = "standard", _("Maileon standard field")
    CUSTOM = "custom", _("Maileon custom field")


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Whole number")
    DECIMAL = "decimal", _("Decimal number")
    DATE = "date", _("Date")
    BOOLEAN = "boolean", _("Yes/no")
    CHOICE = "choice", _("Choice")


class ProfileField(models.Model):
    """A contact field shown on a page's profile form, in `position` order."""

    page = models.ForeignKey(PageConfig, on_delete=models.CASCADE, related_name="fields", verbose_name=_("page"))
    source = models.CharField(_("kind"), max_length=10, choices=FieldSource.choices, default=FieldSource.STANDARD)
    name = models.CharField(
        _("Maileon field name"), max_length=64,
        help_text=_("Standard fields in capitals (FIRSTNAME); custom field names exactly as in Maileon."),
    )
    field_type = models.CharField(
        _("type"), max_length=10, choices=FieldType.choices, default=FieldType.TEXT,
        help_text=_("How the field is shown and checked before it is sent to Maileon."),
    )
    # label_de, label_en, ...: below the class.
    choices = models.TextField(
        _("choices"), blank=True,
        help_text=_("For type Choice: one per line as value|German|English|French|Italian|Spanish|Dutch, e.g. "
                    "m|Herr|Mr|Monsieur. Labels left out: the default language's, else the value."),
    )
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("profile field")
        verbose_name_plural = _("profile fields")
        constraints = [models.UniqueConstraint(fields=["page", "source", "name"], name="unique_field_per_page")]

    def __str__(self) -> str:
        return self.name

    def label(self, language: str, standard_label: str = "") -> str:
        """The marketer's label in `language`; else the standard label (in every language's catalogue) of a
        standard field; else the page's default language's, any language's, the field's name."""
        own = getattr(self, f"label_{language}", "")
        return own or standard_label or self._text("label", language) or self.name

    def choice_list(self, language: str) -> list[tuple[str, str]]:
        result = []
        for line in self.choices.splitlines():
            value, labels = _split_line(line)
            if value:
                result.append((value, languages.first_text(labels.get, language, self.page.default_language) or value))
        return result

    def _text(self, name: str, language: str) -> str:
        return languages.first_text(lambda code: getattr(self, f"{name}_{code}", ""), language,
                                    self.page.default_language)


_in_every_language(ProfileField, "label", lambda code: models.CharField(
    _verbose(_("label"), code), max_length=100, blank=True,
    help_text=_("Empty: the standard label for Maileon's standard fields, else the default language's."),
))


class PreferenceGroup(models.Model):
    """A Maileon preference category shown on a page's profile form as a group of checkboxes, or, single-choice,
    as radio buttons (the recipient picks one, e.g. weekly or monthly). Categories a page does not show are never
    sent, so never reset."""

    page = models.ForeignKey(PageConfig, on_delete=models.CASCADE, related_name="preference_groups",
                             verbose_name=_("page"))
    category = models.CharField(_("Maileon preference category"), max_length=100,
                                help_text=_("The category's name exactly as in Maileon."))
    # title_de, description_de, ...: below the class.
    preference_labels = models.TextField(
        _("preference labels"), blank=True,
        help_text=_("Optional, one per line as name|German|English|French|Italian|Spanish|Dutch (labels may be "
                    "left out). Listed: only these preferences, in this order. Empty: every preference of the "
                    "category, labelled with its Maileon description or name."),
    )
    single_choice = models.BooleanField(
        _("single choice"), default=False,
        help_text=_("The recipient picks exactly one preference (radio buttons), e.g. weekly or monthly. Saving "
                    "switches the chosen one on and every other preference of the category off, as the down-sell "
                    "does. Needs at least two preferences to choose from."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("preference group")
        verbose_name_plural = _("preference groups")
        constraints = [models.UniqueConstraint(fields=["page", "category"], name="unique_category_per_page")]

    def __str__(self) -> str:
        return self.category

    def title(self, language: str) -> str:
        return self._text("title", language) or self.category

    def title_and_language(self, language: str) -> tuple[str, str | None]:
        """The heading in `language` (or its fallback) and the language it is in; ("", None): none has one."""
        return languages.first_text_and_language(lambda code: getattr(self, f"title_{code}", ""), language,
                                                 self.page.default_language)

    def description(self, language: str) -> str:
        return self._text("description", language)

    def listed_preferences(self) -> list[str]:
        """The preferences named in preference_labels, in order (empty: the page offers the whole category)."""
        return list(self.labels_and_languages(self.page.default_language))

    def labels(self, language: str) -> dict[str, str]:
        """The listed preferences' names -> their label in `language` ("" where no language has one)."""
        return {name: text for name, (text, _code) in self.labels_and_languages(language).items()}

    def labels_and_languages(self, language: str) -> dict[str, tuple[str, str | None]]:
        """The listed preferences' names -> (label, the language it is in) as labels() picks them."""
        result = {}
        for line in self.preference_labels.splitlines():
            name, labels = _split_line(line)
            if name:
                result[name] = languages.first_text_and_language(labels.get, language, self.page.default_language)
        return result

    def _text(self, name: str, language: str) -> str:
        return languages.first_text(lambda code: getattr(self, f"{name}_{code}", ""), language,
                                    self.page.default_language)


_in_every_language(PreferenceGroup, "title", lambda code: models.CharField(
    _verbose(_("title"), code), max_length=100, blank=True,
    help_text=_("Heading of the group. Empty: the default language's, else the category name."),
))
_in_every_language(PreferenceGroup, "description", lambda code: models.TextField(
    _verbose(_("description"), code), blank=True,
    help_text=_("A sentence under the heading, e.g. what the recipient gets. Empty: the default language's."),
))


class UnsubscribeReason(models.Model):
    """An entry of the unsubscribe dropdown. Maileon's reports count the reason type; the message (fixed or
    typed by the recipient) travels as `type|message`."""

    # label_de, label_en, ...: below the class; at least one is required (backoffice.forms).
    reason_type = models.CharField(
        _("Maileon reason type"), max_length=30, choices=REASON_TYPES,
        help_text=_("The category Maileon's unsubscribe report counts this answer under."),
    )
    fixed_message = models.CharField(
        _("fixed message"), max_length=200, blank=True,
        help_text=_("Sent to Maileon with the type (type|message), to tell apart answers of the same type. What the "
                    "recipient typed into the text box follows it (type|message: their text)."),
    )
    asks_free_text = models.BooleanField(
        _("ask for free text"), default=False,
        help_text=_("Marks an answer that invites a comment, e.g. \"Another reason\" (shown in the list of answers). "
                    "The optional text box is on the unsubscribe form whatever the answer, and what the recipient "
                    "types (email addresses masked) is sent to Maileon with any answer."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)
    pages = models.ManyToManyField(
        PageConfig, blank=True, related_name="reasons", verbose_name=_("pages"),
        help_text=_("Empty: shown on every page."),
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("unsubscribe reason")
        verbose_name_plural = _("unsubscribe reasons")

    def __str__(self) -> str:
        return self.label(get_language() or "en")  # in the admin's language, as the lists show it

    def label(self, language: str, fallback: str | None = None) -> str:
        """The answer in `language`; else in `fallback` (the page's default language), else any language's.
        A reason may be shown on several pages, so the page's default comes from the caller."""
        return languages.first_text(lambda code: getattr(self, f"label_{code}", ""), language, fallback)

    @classmethod
    def for_page(cls, page: PageConfig) -> models.QuerySet[UnsubscribeReason]:
        return cls.objects.filter(active=True).filter(Q(pages=page) | Q(pages__isnull=True)).distinct()


_in_every_language(UnsubscribeReason, "label", lambda code: models.CharField(
    _verbose(_("label"), code), max_length=120, blank=True,
    help_text=_("The answer as the dropdown shows it, e.g. \"I get too many emails\". Empty: the page's default "
                "language's, else another language's."),
))


class Via(models.TextChoices):
    PAGE = "page", _("unsubscribe page")
    ONE_CLICK = "one_click", _("one-click (mail client)")


class Status(models.TextChoices):
    PENDING = "pending", _("pending")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")
    # Taken back by the recipient ("unsubscribed by mistake") before it reached Maileon: never to be sent.
    WITHDRAWN = "withdrawn", _("withdrawn")


class OutboxRow(models.Model):
    """What makes a row a job of the delivery outbox (delivery/outbox.py): its state, its schedule and the lease
    of whoever is attempting it. Written before Maileon is called; Maileon is called outside any transaction."""

    checksum = models.CharField(_("checksum"), max_length=200, blank=True, editable=False)  # only until delivered
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now, db_index=True)
    leased_until = models.DateTimeField(_("in delivery until"), null=True, blank=True)
    lease_id = models.UUIDField(_("delivery lease"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True,
                            help_text=_("How delivery ended, e.g. sent again without the mailing id."))
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class UnsubscribeRequest(OutboxRow):
    """The outbox row and the audit record of one unsubscribe. Holds no email address; the checksum only until
    delivery is complete. Its reason is the recipient's answer, given with the unsubscribe or later on the
    confirmation page; one given after the unsubscribe reached Maileon travels as a `LaterReason` of its own."""

    contact_id = models.BigIntegerField(_("contact id"), db_index=True)
    mailing_id = models.BigIntegerField(_("mailing id"), null=True, blank=True, db_index=True)
    page = models.ForeignKey(PageConfig, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("page"))
    via = models.CharField(_("via"), max_length=10, choices=Via.choices, default=Via.PAGE)
    reason = models.ForeignKey(UnsubscribeReason, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="requests", verbose_name=_("reason"))
    reason_type = models.CharField(_("reason type"), max_length=30, blank=True, choices=REASON_TYPES)
    reason_message = models.CharField(_("reason message"), max_length=500, blank=True)
    # The reason was given on the confirmation page ("tell us more"), not with the unsubscribe.
    reason_added_later = models.BooleanField(_("reason given later"), default=False)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGES, default="de")
    verified = models.BooleanField(
        _("checksum verified"), default=False,
        help_text=_("Maileon confirmed id and checksum with a read before the unsubscribe was sent."),
    )
    suspected_automation = models.BooleanField(_("suspected automated"), default=False)
    automation_evidence = models.CharField(_("evidence"), max_length=300, blank=True)
    mistake_reported_at = models.DateTimeField(
        _("unsubscribed by mistake"), null=True, blank=True,
        help_text=_("When the recipient pressed \"Undo my unsubscribe\" after the unsubscribe had reached "
                    "Maileon: a double opt-in mail was asked for, so they are back once they confirm."),
    )
    # A marketer looked at a suspected automated request (the unsubscribe was honoured either way).
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("reviewed by"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("unsubscribe request")
        verbose_name_plural = _("unsubscribe requests")
        # The admin shows contact ids, the recipients' own words, delivery errors and colleagues' names only to
        # holders of this permission (backoffice/personal_data.py); everyone else with view access reads without them.
        permissions = [
            ("view_personal_data",
             _("Can view personal data (contact ids, recipients' own words, delivery errors, colleagues' names)")),
        ]
        constraints = [
            # Submitting twice (double click, reload, one-click plus page) must not queue a second delivery; a
            # request with another checksum (a forgery while Maileon could not verify, say) must not take the
            # place of the genuine one, so each checksum may have its own pending row.
            models.UniqueConstraint(fields=["contact_id", "checksum"], condition=Q(status="pending"),
                                    name="one_pending_unsubscribe_per_link"),
        ]

    def __str__(self) -> str:
        # No contact id: the admin shows this in titles and breadcrumbs to users who may not see personal data.
        received = timezone.localtime(self.created_at).strftime("%Y-%m-%d %H:%M") if self.created_at else "–"
        return f"{received} ({self.get_status_display()})"

    def clean(self) -> None:
        if self.reason_type and self.reason_type not in dict(REASON_TYPES):
            raise ValidationError({"reason_type": _("Unknown reason type.")})


class LaterReason(OutboxRow):
    """The job of sending a reason given after its unsubscribe reached Maileon (Adding Unsubscription Reason),
    with the checksum of the link that gave it, which our own read proved first. The reason itself is the
    unsubscribe's (`UnsubscribeRequest.reason*`); one per unsubscribe."""

    unsubscribe = models.OneToOneField(UnsubscribeRequest, on_delete=models.CASCADE, related_name="later_reason",
                                       verbose_name=_("unsubscribe request"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reason given later")
        verbose_name_plural = _("reasons given later")

    def __str__(self) -> str:
        return f"{self.unsubscribe.contact_id} ({self.get_status_display()})"


class KeptKind(models.TextChoices):
    """What a recipient did instead of leaving, or to come back, or on the profile (KeptEvent.kind)."""

    DOWNSELL = "downsell", _("down-sell taken")
    TOPICS = "topics", _("topics saved instead of leaving")
    PAUSE_STARTED = "pause_started", _("pause started")
    PAUSE_EXTENDED = "pause_extended", _("pause extended")
    WITHDRAWN = "withdrawn", _("unsubscribe withdrawn as a mistake")
    MISTAKE_DOI = "mistake_doi", _("asked to come back after a mistaken unsubscribe")
    WAY_BACK = "way_back", _("asked to come back from an old link")
    PROFILE_SAVED = "profile_saved", _("profile saved")


# "Kept": the recipient stayed, on other terms, instead of leaving (docs/marketers.md, "What was kept"). A double
# opt-in asked for after leaving is not: the contact has left, and is back only once they confirm the mail.
KEPT_KINDS = (KeptKind.DOWNSELL, KeptKind.TOPICS, KeptKind.PAUSE_STARTED, KeptKind.PAUSE_EXTENDED,
              KeptKind.WITHDRAWN)
RESUBSCRIBE_KINDS = (KeptKind.MISTAKE_DOI, KeptKind.WAY_BACK)


class KeptEvent(models.Model):
    """One successful action of a recipient that is not leaving: a down-sell taken, topics saved on the unsubscribe
    page, a pause started or extended, an unsubscribe withdrawn or a way back asked for, a profile saved. Counted by
    the services when Maileon (or the outbox) took the action; the reasons report counts them per week and mailing.

    Anonymous on purpose: no contact id, no address, no checksum, no reason text and the day rather than the time.
    A contact id would make every row personal data (Maileon's account names the person behind it), with what that
    brings: deletion on request, a retention period, hiding it from staff without the personal-data permission.
    A timestamp would let anyone holding the unsubscribe log or the server's access log (both name contact ids with
    their times) tell whose event it was. Kind, page, mailing and day are all a count per week and mailing needs,
    so these rows may be kept for as long as the figures are wanted and shown to everyone who reads the reports.
    Repeats are kept out without an id in the row: services/kept.py remembers a keyed hash of contact and kind in
    the shared cache for a day."""

    kind = models.CharField(_("kind"), max_length=20, choices=KeptKind.choices)
    page = models.ForeignKey(PageConfig, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("page"))
    mailing_id = models.BigIntegerField(_("mailing id"), null=True, blank=True)
    day = models.DateField(_("day"), default=timezone.localdate)

    class Meta:
        verbose_name = _("kept event")
        verbose_name_plural = _("kept events")
        default_permissions = ()  # written by the services only; read through the reports
        indexes = [
            # The report's two GROUP BY queries filter on a day range and read kind and mailing: both are answered
            # from this index alone on PostgreSQL (an index-only scan), without touching the table.
            models.Index(fields=["day", "kind", "mailing_id"], name="kept_event_day_kind_mailing"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()}"
