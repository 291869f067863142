"""Marketer screens: page configurations (with their fields and preference groups, the links to paste into a
mailing and previews), the unsubscribe reasons, and the read-only unsubscribe log with its delivery state.

Forms and the Maileon lookups behind the pickers live in forms.py; the link shapes in ../links.py.
"""

from __future__ import annotations

import base64
from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.timesince import timesince
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import contrast, maileon_status, report_views, reports
from .. import languages
from .deletion import without_link_rows
from .evidence import describe as describe_evidence
from .links_builder import link_builder
from .personal_data import HidesPersonalData, may_see
from .label_overview import labels_overview
from .forms import (
    CATEGORY_LIST_ID,
    DATE_FIELD_LIST_ID,
    FIELD_LIST_ID,
    PREFERENCE_LIST_ID,
    MaileonChoices,
    PageConfigForm,
    PreferenceGroupForm,
    PreferenceGroupFormSet,
    ProfileFieldForm,
    UnsubscribeReasonForm,
    load_maileon_choices,
)
from ..delivery import outbox
from ..pages import previews
from ..models import (
    IN_LANGUAGE,
    PageConfig,
    PreferenceGroup,
    ProfileField,
    Status,
    UnsubscribeReason,
    UnsubscribeRequest,
)

PREVIEW_KINDS = ("profile", "unsubscribe")


def _maileon_choices(request) -> MaileonChoices:
    """Once per request: the page form and both inlines share one (cached) read of the account."""
    if not hasattr(request, "_pc_maileon_choices"):
        request._pc_maileon_choices = load_maileon_choices()
    return request._pc_maileon_choices


def _with_choices(form_class, request):
    return type(form_class.__name__, (form_class,), {"maileon": _maileon_choices(request)})


class EnabledLanguagesOnly:
    """Leaves out the texts of languages recipients are not offered (settings.ENABLED_LANGUAGES): a marketer is
    asked only for texts someone will read. Their columns keep what they hold."""

    def get_fields(self, request, obj=None):
        return [name for name in super().get_fields(request, obj) if not _disabled_language_column(name)]


def _disabled_language_column(name: str) -> bool:
    base, _sep, code = name.rpartition("_")
    return bool(base) and code in languages.CODES and not languages.offered(code)


class ProfileFieldInline(admin.StackedInline):
    """A card per field, its inputs in a grid (admin.css): what it is and its choices, then its labels in the
    enabled languages under one explanation. As a table, six languages' labels made the form almost twice as wide
    as a 1,280 px screen."""

    model = ProfileField
    form = ProfileFieldForm
    extra = 0
    classes = ["pc-profile-fields"]

    def get_fieldsets(self, request, obj=None):
        labels = tuple(f"label_{code}" for code in languages.enabled())  # enabled languages only, as elsewhere
        return [
            (None, {"fields": [("name", "source", "field_type", "position", "required"), "choices"]}),
            (_("Labels"), {"fields": [labels], "description": ProfileField._meta.get_field("label_de").help_text}),
        ]

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = _with_choices(self.form, request)
        return super().get_formset(request, obj, **kwargs)


class PreferenceGroupInline(EnabledLanguagesOnly, admin.StackedInline):
    model = PreferenceGroup
    form = PreferenceGroupForm
    formset = PreferenceGroupFormSet
    extra = 0
    readonly_fields = ["labels_on_pages"]

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = _with_choices(self.form, request)
        self.maileon = _maileon_choices(request)  # an inline instance serves one request
        return super().get_formset(request, obj, **kwargs)

    @admin.display(description=_("what recipients see"))
    def labels_on_pages(self, group: PreferenceGroup):
        """The group's heading and each preference's label on the page in every language, and which of them
        fall back (to the default language's text, or to Maileon's description) and to what."""
        if group is None or not group.pk:
            return _("Shown once the group is saved.")
        maileon = getattr(self, "maileon", MaileonChoices(reachable=False))
        return labels_overview(group, maileon)


@admin.register(PageConfig)
class PageConfigAdmin(HidesPersonalData, maileon_status.MaileonStatusColumn, admin.ModelAdmin):
    form = PageConfigForm
    inlines = [ProfileFieldInline, PreferenceGroupInline]
    list_display = ["name", "slug", "maileon_status", "is_default", "page_key", "default_language", "updated_at"]
    list_filter = ["is_default", "default_language", "email_editable"]
    search_fields = ["name", "slug", "page_key"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["current_logo"]
    # Marketers paste "example.com/datenschutz"; the pages are served over https, so are their links.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (_("Basics"), {"fields": ["name", "slug", "is_default", "default_language"]}),
        (_("Maileon"), {
            "fields": ["page_key", "src", "doi_mailing_key"],
            "description": _("What Maileon records with every profile save; shown in its double opt-in reports."),
        }),
        (_("Profile page"), {
            "fields": ["email_editable"],
            "description": _("The fields and preference groups of the profile form are listed below this form."),
        }),
        (_("Unsubscribe page"), {"fields": ["newsletter_account_ids", "resubscribe_url", "pause_field"]}),
        (_("Broken links"), {
            "fields": ["new_link_transaction_type"],
            "description": _("A recipient whose link does not work (cut short, out of date) may ask for a new one "
                             "by email. In Maileon, give the transaction type a trigger mailing that carries the "
                             "profile link shown below."),
        }),
        (_("Down-sell"), {
            "fields": ["downsell_profile_link", "downsell_category", "downsell_preference"],
            "description": _("Offer fewer mails before the unsubscribe button. The button's text is among the "
                             "texts of each language below."),
        }),
        (_("Theme"), {"fields": ["current_logo", "logo_upload", "remove_logo", "logo_alt", "primary_colour",
                                 "font_stack"]}),
        (_("Links"), {"fields": ["privacy_url", "imprint_url"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        """The fixed fieldsets, then one "Texts" fieldset per enabled language; all but the page's default
        language folded, since most pages are written in one language first."""
        default = obj.default_language if obj else languages.enabled()[0]
        texts = [
            (format_lazy(_("Texts: {language}"), language=IN_LANGUAGE[code]), {
                "fields": [f"{name}_{code}" for name in PageConfig.TEXTS],
                "classes": [] if code == default else ["collapse"],
                "description": _("Empty texts show the default language's text.") if code != default else "",
            })
            for code in languages.enabled()
        ]
        position = next(index for index, (title, _options) in enumerate(self.fieldsets) if title == _("Theme"))
        return [*self.fieldsets[:position], *texts, *self.fieldsets[position:]]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = _with_choices(self.form, request)
        return super().get_form(request, obj, change=change, **kwargs)

    @admin.display(description=_("current logo"))
    def current_logo(self, obj: PageConfig):
        if not obj or not obj.logo:
            return _("none")
        data = base64.b64encode(bytes(obj.logo)).decode()
        return format_html('<img src="data:{};base64,{}" alt="{}" height="48">', obj.logo_content_type, data,
                           obj.logo_alt)

    # --- exactly one default page

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            if obj.is_default:
                # Clear the old flag first: the database allows one default row at a time.
                PageConfig.objects.filter(is_default=True).exclude(pk=obj.pk).update(is_default=False)
            elif not PageConfig.objects.filter(is_default=True).exclude(pk=obj.pk).exists():
                obj.is_default = True  # the first page is the default, whatever the box said
            super().save_model(request, obj, form, change)

    def get_deleted_objects(self, objs, request):
        return without_link_rows(super().get_deleted_objects(objs, request))  # see backoffice/deletion.py

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_default:
            return False  # /profile/ and /unsubscribe/ must always have a page (bulk deletes included)
        return super().has_delete_permission(request, obj)

    # --- mailing links, Maileon pickers and previews on the form

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context.update(
            maileon=_maileon_choices(request),
            field_list_id=FIELD_LIST_ID,
            date_field_list_id=DATE_FIELD_LIST_ID,
            category_list_id=CATEGORY_LIST_ID,
            preference_list_id=PREFERENCE_LIST_ID,
        )
        context["link_builder"] = link_builder(request, obj)
        if obj is not None and obj.pk:
            context.update(
                maileon_status=maileon_status.for_change_form(obj, context["maileon"]),
                maileon_unchecked=maileon_status.unchecked(obj, context["maileon"]),
                theme_problem=contrast.problem(obj.primary_colour),
                preview_links=[
                    (kind, language, reverse("admin:preference_center_pageconfig_preview",
                                             args=[obj.pk, kind, language]))
                    for kind in PREVIEW_KINDS for language in languages.enabled()
                ],
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("<int:object_id>/preview/<str:kind>/<str:language>/", preview,
                 name="preference_center_pageconfig_preview"),
            *super().get_urls(),
        ]

    def preview_view(self, request, object_id: int, kind: str, language: str):
        """The real recipient page with sample data; never calls Maileon."""
        page = get_object_or_404(PageConfig, pk=object_id)
        if not self.has_view_or_change_permission(request, page):
            raise PermissionDenied
        if kind not in PREVIEW_KINDS or not languages.offered(language):
            raise PermissionDenied
        render = previews.profile_preview if kind == "profile" else previews.unsubscribe_preview
        return render(request, page, language)


@admin.register(UnsubscribeReason)
class UnsubscribeReasonAdmin(HidesPersonalData, EnabledLanguagesOnly, admin.ModelAdmin):
    form = UnsubscribeReasonForm
    list_display = ["answer", "position", "reason_type", "asks_free_text", "active", "shown_on"]
    list_editable = ["position", "active"]
    list_filter = ["active", "reason_type", "pages"]
    search_fields = [f"label_{code}" for code in languages.CODES] + ["fixed_message"]
    filter_horizontal = ["pages"]
    fields = [*(f"label_{code}" for code in languages.CODES), "reason_type", "fixed_message", "asks_free_text",
              "position", "active", "pages"]
    ordering = ["position", "pk"]  # the order of the dropdown

    def get_changeform_initial_data(self, request):
        # A new answer goes to the end of the dropdown, with room to slot one in before it.
        last = UnsubscribeReason.objects.aggregate(last=models.Max("position"))["last"]
        return {"position": min((last or 0) + 10, 32767), **super().get_changeform_initial_data(request)}

    def get_deleted_objects(self, objs, request):
        return without_link_rows(super().get_deleted_objects(objs, request))  # see backoffice/deletion.py

    @admin.display(description=_("answer"))
    def answer(self, obj: UnsubscribeReason) -> str:
        return obj.label(translation.get_language() or "en")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("pages")

    @admin.display(description=_("pages"))
    def shown_on(self, obj: UnsubscribeReason) -> str:
        return ", ".join(page.name for page in obj.pages.all()) or _("all pages")


class OverdueFilter(admin.SimpleListFilter):
    title = _("delivery time")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [
            ("hour", _("pending for more than one hour")),
            ("yes", _("pending for more than two days")),
        ]

    def queryset(self, request, queryset):
        older_than = {"hour": reports.PENDING_WARNING_AGE, "yes": reports.DELIVERY_DEADLINE}.get(self.value())
        if older_than is None:
            return queryset
        return queryset.filter(status=Status.PENDING, created_at__lt=timezone.now() - older_than)


class AgeFilter(admin.SimpleListFilter):
    """When a request was received, in buckets that match the SLA page's windows."""

    title = _("received")
    parameter_name = "age"
    BUCKETS = {
        "1h": (None, timedelta(hours=1)),
        "24h": (timedelta(hours=1), timedelta(hours=24)),
        "7d": (timedelta(hours=24), timedelta(days=7)),
        "30d": (timedelta(days=7), timedelta(days=30)),
        "older": (timedelta(days=30), None),
    }

    def lookups(self, request, model_admin):
        return [
            ("1h", _("less than an hour ago")),
            ("24h", _("1 to 24 hours ago")),
            ("7d", _("1 to 7 days ago")),
            ("30d", _("7 to 30 days ago")),
            ("older", _("more than 30 days ago")),
        ]

    def queryset(self, request, queryset):
        if self.value() not in self.BUCKETS:
            return queryset
        younger_than, older_than = self.BUCKETS[self.value()]
        now = timezone.now()
        if younger_than is not None:
            queryset = queryset.filter(created_at__lte=now - younger_than)
        if older_than is not None:
            queryset = queryset.filter(created_at__gt=now - older_than)
        return queryset


class SuspectedFilter(admin.SimpleListFilter):
    title = _("suspected automated")
    parameter_name = "suspected"

    def lookups(self, request, model_admin):
        return [
            ("unreviewed", _("suspected, not reviewed yet")),
            ("reviewed", _("suspected, reviewed")),
            ("yes", _("suspected (all)")),
            ("no", _("not suspected")),
        ]

    def queryset(self, request, queryset):
        return {
            "unreviewed": lambda: queryset.filter(suspected_automation=True, reviewed_at__isnull=True),
            "reviewed": lambda: queryset.filter(suspected_automation=True, reviewed_at__isnull=False),
            "yes": lambda: queryset.filter(suspected_automation=True),
            "no": lambda: queryset.filter(suspected_automation=False),
        }.get(self.value(), lambda: queryset)()


@admin.register(UnsubscribeRequest)
class UnsubscribeRequestAdmin(HidesPersonalData, admin.ModelAdmin):
    """The audit log: marketers read, retry and review, never add or edit. The checksum is never shown, and the
    personal fields only to holders of "view personal data" (personal_data.py).
    The SLA and reason pages (report_views.py) hang off its URLs."""

    personal_fields = ("contact_id", "reason_message", "reviewed_by", "last_error", "short_error")

    list_display = ["created_at", "contact_id", "status", "via", "reason_entry", "mailing_id",
                    "attempts", "age", "short_error", "suspected", "verified", "note"]
    list_select_related = ["reason"]
    list_filter = ["status", "via", "reason_type", "page", AgeFilter, OverdueFilter, SuspectedFilter,
                   ("mistake_reported_at", admin.EmptyFieldListFilter)]
    search_fields = ["=contact_id", "=mailing_id"]
    search_help_text = _("A contact id or a mailing id (exact number).")
    date_hierarchy = "created_at"
    actions = ["retry_now", "mark_reviewed"]
    fields = ["contact_id", "mailing_id", "page", "via", "language", "reason", "reason_type", "reason_message",
              "status", "verified", "attempts", "next_attempt_at", "last_error", "note", "suspected_automation",
              "evidence", "reviewed_at", "reviewed_by", "created_at", "delivered_at", "age"]
    readonly_fields = fields

    def get_search_results(self, request, queryset, search_term):
        # Ids are numbers: anything else finds nothing instead of an error or a text scan.
        term = search_term.strip()
        if not term:
            return queryset, False
        if not term.isdigit():
            return queryset.none(), False
        number = int(term)
        if not may_see(request):
            return queryset.filter(mailing_id=number), False
        return queryset.filter(Q(contact_id=number) | Q(mailing_id=number)), False

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        if not may_see(request):
            changelist.search_help_text = _("A mailing id (exact number).")
        return changelist

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # view only; "retry now" and "mark reviewed" have their own permission below

    def has_delete_permission(self, request, obj=None):
        return False  # the record of an unsubscribe is kept

    def has_retry_permission(self, request):
        return request.user.has_perm("preference_center.change_unsubscriberequest")

    def has_review_permission(self, request):
        return request.user.has_perm("preference_center.change_unsubscriberequest")

    # --- columns

    @admin.display(description=_("reason"), ordering="reason_type")
    def reason_entry(self, obj: UnsubscribeRequest) -> str:
        """The catalogue entry the recipient chose and the Maileon type it was counted under."""
        kind = obj.get_reason_type_display()
        label = obj.reason.label(translation.get_language() or "en") if obj.reason else ""
        if label and kind:
            return f"{label} ({kind})"
        return label or kind or "–"

    @admin.display(description=_("age"), ordering="-created_at")  # youngest first
    def age(self, obj: UnsubscribeRequest) -> str:
        end = obj.delivered_at or timezone.now()
        text = timesince(obj.created_at, end)
        if obj.status == Status.PENDING and end - obj.created_at > reports.PENDING_WARNING_AGE:
            # Words and a class: the marker must not rely on colour alone.
            return format_html('<strong class="pc-overdue">{}</strong>', _("%(age)s (overdue)") % {"age": text})
        return text

    @admin.display(description=_("last error"))
    def short_error(self, obj: UnsubscribeRequest) -> str:
        return obj.last_error if len(obj.last_error) <= 80 else obj.last_error[:79] + "…"

    @admin.display(description=_("suspected automated"), ordering="suspected_automation")
    def suspected(self, obj: UnsubscribeRequest) -> str:
        if not obj.suspected_automation:
            return "–"
        state = _("reviewed") if obj.reviewed_at else _("not reviewed")
        return format_html('<span class="pc-suspected">{}</span> ({}): {}', _("suspected"), state,
                           describe_evidence(obj.automation_evidence) or _("no evidence recorded"))

    @admin.display(description=_("evidence"))
    def evidence(self, obj: UnsubscribeRequest) -> str:
        return describe_evidence(obj.automation_evidence)

    # --- actions

    @admin.action(description=_("Retry now"), permissions=["retry"])
    def retry_now(self, request, queryset):
        requeued = outbox.requeue(queryset)
        count = requeued if isinstance(requeued, int) else queryset.count()
        self.message_user(
            request,
            ngettext("%(count)d unsubscribe queued for delivery now.",
                     "%(count)d unsubscribes queued for delivery now.", count) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Mark suspected automated requests as reviewed"), permissions=["review"])
    def mark_reviewed(self, request, queryset):
        # The unsubscribe was honoured either way; reviewing records that a person looked at the evidence.
        count = queryset.filter(suspected_automation=True, reviewed_at__isnull=True).update(
            reviewed_at=timezone.now(), reviewed_by=request.user
        )
        self.message_user(
            request,
            ngettext("%(count)d suspected automated request marked as reviewed.",
                     "%(count)d suspected automated requests marked as reviewed.", count) % {"count": count},
            messages.SUCCESS,
        )

    # --- report pages

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(lambda request: function(self, request))

        return [
            path("sla/", view(report_views.sla_view), name="preference_center_unsubscriberequest_sla"),
            path("reasons/", view(report_views.reasons_view), name="preference_center_unsubscriberequest_reasons"),
            path("reasons.csv", view(report_views.reasons_csv),
                 name="preference_center_unsubscriberequest_reasons_csv"),
            path("kept.csv", view(report_views.kept_csv), name="preference_center_unsubscriberequest_kept_csv"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "sla_url": reverse("admin:preference_center_unsubscriberequest_sla"),
            "reasons_url": reverse("admin:preference_center_unsubscriberequest_reasons"),
        }
        return super().changelist_view(request, extra_context)


# The admin index links to the unsubscribe reports (template: admin/preference_center/index.html).
admin.site.index_template = "admin/preference_center/index.html"
# The product's name, not "Django administration"; our stylesheet comes with admin/base_site.html.
admin.site.site_header = admin.site.site_title = _("Maileon Preference Center")
admin.site.index_title = _("Pages and reports")
# No model list down the left: it took 300 px of every screen; the breadcrumbs and the index lead everywhere.
admin.site.enable_nav_sidebar = False
