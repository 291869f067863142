"""Strings of the admin's third-party apps that their own catalogues leave untranslated in our languages.

Django searches the project's catalogue (settings.LOCALE_PATHS) before any app's, so a msgid translated in
locale/<lang>/LC_MESSAGES/django.po is translated wherever it is used. Listed here with gettext_noop only so
that makemessages keeps them; nothing imports this module. tests/backoffice/test_admin_language.py finds new ones.
"""

from django.utils.translation import gettext_noop

AXES = [
    gettext_noop("Locked Out"),  # the filter of the access attempts list (django-axes: not in its de/fr catalogues)
]
