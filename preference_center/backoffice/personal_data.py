"""Who may see personal data in the admin, and hiding it from everyone else.

Personal in our admin (README, "Roles"): what names or describes one recipient or one colleague.
- the contact id: Maileon's account names the person behind it;
- the reason message: the recipient's own words, often with a name, an address or a story;
- who reviewed a request, and the history of who changed what: colleagues' user names;
- the last delivery error: Maileon's message may repeat the contact id.
Not personal, shown to everyone with view access: mailing ids, pages, status and times, the reason chosen from the
catalogue, and the automation evidence (only the scanner pattern a user agent matched and how fast a form was
sent; never the whole user agent, never an IP address: neither is stored). The reports and their CSV files hold
counts only.

Users with the permission "view personal data" (PERMISSION; the Marketing group has it) see everything their
other permissions allow; anyone else sees the screens without these fields, and can neither search nor filter by
them (a search by contact id would tell whether that person unsubscribed), nor open an object's history.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

PERMISSION = "preference_center.view_personal_data"


def may_see(request) -> bool:
    return request.user.has_perm(PERMISSION)


class HidesPersonalData:
    """For a ModelAdmin: `personal_fields` (model fields and the columns showing them) leave the list, the form,
    the search and the URL lookups of users without PERMISSION."""

    personal_fields: tuple[str, ...] = ()

    def _is_personal(self, name: str) -> bool:
        return name.split("__")[0].lstrip("-=^@") in self.personal_fields

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        return columns if may_see(request) else [name for name in columns if not self._is_personal(name)]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if may_see(request) else [name for name in fields if not self._is_personal(name)]

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        return fields if may_see(request) else [name for name in fields if not self._is_personal(name)]

    def lookup_allowed(self, lookup, value, request):
        # The admin accepts ?<field>=... for any field of the model: ?contact_id=123 would answer "did 123 leave?".
        if self._is_personal(lookup) and not may_see(request):
            return False
        return super().lookup_allowed(lookup, value, request)

    def history_view(self, request, object_id, extra_context=None):
        # The history names the colleague behind every change.
        if not may_see(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)
