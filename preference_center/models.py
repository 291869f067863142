"""What marketers configure (PageConfig, ProfileField, PreferenceGroup, UnsubscribeReason) and what happened
(UnsubscribeRequest: the outbox the worker delivers from, and the audit record marketers read).

Models never import `maileon`: services convert between these rows and the client's wire values.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LANGUAGES = [("de", "Deutsch"), ("en", "English")]

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
        help_text=_("Part of the link for this page: /p/<slug>/profile/. Letters, digits and hyphens."),
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
        help_text=_("Used when neither the link (lang=), the contact's LOCALE nor the browser decides."),
    )
    email_editable = models.BooleanField(
        _("recipients may change their email address"), default=False,
        help_text=_("If off, the address is shown but cannot be changed. Maileon refuses an address another "
                    "contact already uses; the recipient is told so."),
    )
    doi_mailing_key = models.CharField(
        _("double opt-in mailing key"), max_length=100, blank=True,
        help_text=_("If set, contacts without newsletter permission are offered \"send me the newsletter\": "
                    "Maileon sends this DOI mailing and the permission changes only after confirmation."),
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
    profile_intro_de = models.TextField(_("profile intro (German)"), blank=True)
    profile_intro_en = models.TextField(_("profile intro (English)"), blank=True)
    unsubscribe_intro_de = models.TextField(_("unsubscribe intro (German)"), blank=True)
    unsubscribe_intro_en = models.TextField(_("unsubscribe intro (English)"), blank=True)
    confirmation_de = models.TextField(
        _("unsubscribe confirmation (German)"), blank=True,
        help_text=_("Shown after the unsubscribe, above the standard confirmation."),
    )
    confirmation_en = models.TextField(_("unsubscribe confirmation (English)"), blank=True)
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
    downsell_label_de = models.CharField(_("down-sell button (German)"), max_length=120, blank=True)
    downsell_label_en = models.CharField(_("down-sell button (English)"), max_length=120, blank=True)
    logo = models.BinaryField(_("logo"), blank=True, null=True, editable=False)
    logo_content_type = models.CharField(max_length=50, blank=True, editable=False)
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
        help_text=_("Offered as \"unsubscribed by mistake?\" after the unsubscribe, e.g. your sign-up form."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("page configuration")
        verbose_name_plural = _("page configurations")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_page"),
        ]

    def __str__(self) -> str:
        return self.name

    def text(self, field: str, language: str) -> str:
        """A translated text of this page, e.g. text("profile_intro", "de"); falls back to the other language."""
        other = "en" if language == "de" else "de"
        return getattr(self, f"{field}_{language}", "") or getattr(self, f"{field}_{other}", "")

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

    page = models.ForeignKey(PageConfig, on_delete=models.CASCADE, related_name="fields")
    source = models.CharField(_("kind"), max_length=10, choices=FieldSource.choices, default=FieldSource.STANDARD)
    name = models.CharField(
        _("Maileon field name"), max_length=64,
        help_text=_("Standard fields in capitals (FIRSTNAME); custom field names exactly as in Maileon."),
    )
    field_type = models.CharField(
        _("type"), max_length=10, choices=FieldType.choices, default=FieldType.TEXT,
        help_text=_("How the field is shown and checked before it is sent to Maileon."),
    )
    label_de = models.CharField(_("label (German)"), max_length=100, blank=True,
                                help_text=_("Empty: the standard label for Maileon's standard fields."))
    label_en = models.CharField(_("label (English)"), max_length=100, blank=True)
    choices = models.TextField(
        _("choices"), blank=True,
        help_text=_("For type Choice: one per line as value|German label|English label, e.g. m|Herr|Mr."),
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

    def choice_list(self, language: str) -> list[tuple[str, str]]:
        result = []
        for line in self.choices.splitlines():
            parts = [part.strip() for part in line.split("|")]
            if not parts[0]:
                continue
            de = parts[1] if len(parts) > 1 and parts[1] else parts[0]
            en = parts[2] if len(parts) > 2 and parts[2] else de
            result.append((parts[0], de if language == "de" else en))
        return result


class PreferenceGroup(models.Model):
    """A Maileon preference category shown on a page's profile form as a group of checkboxes. Categories a
    page does not show are never sent, so never reset."""

    page = models.ForeignKey(PageConfig, on_delete=models.CASCADE, related_name="preference_groups")
    category = models.CharField(_("Maileon preference category"), max_length=100,
                                help_text=_("The category's name exactly as in Maileon."))
    title_de = models.CharField(_("title (German)"), max_length=100, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=100, blank=True)
    description_de = models.TextField(_("description (German)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    preference_labels = models.TextField(
        _("preference labels"), blank=True,
        help_text=_("Optional, one per line as name|German label|English label. Empty: every preference of the "
                    "category, labelled with its Maileon description or name."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("preference group")
        verbose_name_plural = _("preference groups")
        constraints = [models.UniqueConstraint(fields=["page", "category"], name="unique_category_per_page")]

    def __str__(self) -> str:
        return self.category

    def labels(self, language: str) -> dict[str, str]:
        result = {}
        for line in self.preference_labels.splitlines():
            parts = [part.strip() for part in line.split("|")]
            if parts[0]:
                de = parts[1] if len(parts) > 1 and parts[1] else parts[0]
                en = parts[2] if len(parts) > 2 and parts[2] else de
                result[parts[0]] = de if language == "de" else en
        return result


class UnsubscribeReason(models.Model):
    """An entry of the unsubscribe dropdown. Maileon's reports count the reason type; the message (fixed or
    typed by the recipient) travels as `type|message`."""

    label_de = models.CharField(_("label (German)"), max_length=120)
    label_en = models.CharField(_("label (English)"), max_length=120)
    reason_type = models.CharField(
        _("Maileon reason type"), max_length=30, choices=REASON_TYPES,
        help_text=_("The category Maileon's unsubscribe report counts this answer under."),
    )
    fixed_message = models.CharField(
        _("fixed message"), max_length=200, blank=True,
        help_text=_("Sent to Maileon with the type (type|message), to tell apart answers of the same type."),
    )
    asks_free_text = models.BooleanField(
        _("ask for free text"), default=False,
        help_text=_("Shows a text box; what the recipient writes is sent to Maileon as the message."),
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
        return self.label_en

    def label(self, language: str) -> str:
        return self.label_de if language == "de" else self.label_en

    @classmethod
    def for_page(cls, page: PageConfig) -> models.QuerySet[UnsubscribeReason]:
        return cls.objects.filter(active=True).filter(Q(pages=page) | Q(pages__isnull=True)).distinct()


class Via(models.TextChoices):
    PAGE = "page", _("unsubscribe page")
    ONE_CLICK = "one_click", _("one-click (mail client)")


class Status(models.TextChoices):
    PENDING = "pending", _("pending")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")


class OutboxRow(models.Model):
    """What makes a row a job of the delivery outbox (delivery/outbox.py): its state, its schedule and the lease
    of whoever is attempting it. Written before Maileon is called; Maileon is called outside any transaction."""

    checksum = models.CharField(max_length=200, blank=True, editable=False)  # kept only until delivered
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    lease_id = models.UUIDField(null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True,
                            help_text=_("How delivery ended, e.g. sent again without the mailing id."))
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class UnsubscribeRequest(OutboxRow):
    """The outbox row and the audit record of one unsubscribe. Holds no email address; the checksum only until
    delivery is complete. Its reason is the recipient's answer, given with the unsubscribe or later on the
    confirmation page; one given after the unsubscribe reached Maileon travels as a `LaterReason` of its own."""

    contact_id = models.BigIntegerField(_("contact id"), db_index=True)
    mailing_id = models.BigIntegerField(_("mailing id"), null=True, blank=True, db_index=True)
    page = models.ForeignKey(PageConfig, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    via = models.CharField(_("via"), max_length=10, choices=Via.choices, default=Via.PAGE)
    reason = models.ForeignKey(UnsubscribeReason, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="requests", verbose_name=_("reason"))
    reason_type = models.CharField(_("reason type"), max_length=30, blank=True, choices=REASON_TYPES)
    reason_message = models.CharField(_("reason message"), max_length=500, blank=True)
    # The reason was given on the confirmation page ("tell us more"), not with the unsubscribe.
    reason_added_later = models.BooleanField(default=False)
    language = models.CharField(max_length=2, choices=LANGUAGES, default="de")
    verified = models.BooleanField(
        _("checksum verified"), default=False,
        help_text=_("Maileon confirmed id and checksum with a read before the unsubscribe was sent."),
    )
    suspected_automation = models.BooleanField(_("suspected automated"), default=False)
    automation_evidence = models.CharField(_("evidence"), max_length=300, blank=True)
    # A marketer looked at a suspected automated request (the unsubscribe was honoured either way).
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("reviewed by"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("unsubscribe request")
        verbose_name_plural = _("unsubscribe requests")
        constraints = [
            # Submitting twice (double click, reload, one-click plus page) must not queue a second delivery; a
            # request with another checksum (a forgery while Maileon could not verify, say) must not take the
            # place of the genuine one, so each checksum may have its own pending row.
            models.UniqueConstraint(fields=["contact_id", "checksum"], condition=Q(status="pending"),
                                    name="one_pending_unsubscribe_per_link"),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} ({self.get_status_display()})"

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
