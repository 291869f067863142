"""A customer installing us today: a fresh database, `migrate` and `collectstatic` with DEBUG off, gunicorn, and a
Maileon account that is not the sandbox's demo account (other names, and lenient about checksums on reads).
Every page works from the first minute; what a page names that the account lacks is shown by `check_pages`."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

from preference_center.dev.sandbox.serve import spawn
from preference_center.dev.sandbox.store import checksum_for
from tests.support import ERIKA, JOHN, LENA

from .crowd import BROWSER, ROOT, AppServer



@pytest.fixture
def installed(tmp_path):
    """gunicorn (2 workers) on a freshly migrated SQLite file, DEBUG off, against another customer's account."""
    sandbox = spawn("--other-account", "--lenient-checksum-reads")
    server = AppServer(f"sqlite:///{tmp_path / 'fresh.sqlite3'}", sandbox.api_url, tmp_path)
    server.env.update(DEBUG="off", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="127.0.0.1",
                      SECURE_SSL_REDIRECT="off")
    server.manage("migrate", "--noinput", "-v0")
    server.manage("collectstatic", "--noinput", "-v0")
    server.start(workers=2, threads=4)
    try:
        yield server, sandbox
    finally:
        server.stop()
        sandbox.stop()


def check_pages(server: AppServer) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", "check_pages"], cwd=ROOT, env=server.env,
                          capture_output=True, text=True, timeout=120)


def fetch(url: str, data: bytes | None = None, **headers) -> tuple[int, str]:
    request = urllib.request.Request(url, data=data, headers={"User-Agent": BROWSER, **headers})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def link(contact_id: int, checksum: str | None = None, **extra) -> str:
    return urlencode({"contactid": contact_id, "checksum": checksum or checksum_for(contact_id),
                      "mailingid": 88120, **extra})


def test_a_fresh_install_against_another_account_works_from_the_first_minute(installed):
    server, sandbox = installed
    checked = check_pages(server)
    assert (checked.returncode, checked.stdout.splitlines()[0]) == (0, "default: ok"), checked.stderr

    status, html = fetch(f"{server.url}/profile/?{link(ERIKA, lang='de')}")
    assert status == 200 and 'value="Erika"' in html
    stylesheet = re.search(r'href="(/static/pages\.[0-9a-f]+\.css)"', html)  # collected, hashed, served
    assert stylesheet and fetch(server.url + stylesheet.group(1))[0] == 200
    status, html = fetch(f"{server.url}/profile/?{link(ERIKA, lang='en')}", **{"Sec-Fetch-Dest": "iframe"})
    assert status == 200 and "Your profile" in html

    status, html = fetch(f"{server.url}/unsubscribe/?{link(LENA, lang='en')}")
    assert status == 200
    served = re.search(r'name="served" value="([^"]+)"', html).group(1)
    status, html = fetch(f"{server.url}/unsubscribe/?{link(LENA, lang='en')}",
                         urlencode({"reason": "", "message": "", "served": served}).encode(),
                         **{"Sec-Fetch-Site": "same-origin"})
    assert status == 200 and ("You are unsubscribed" in html or "being processed" in html)
    assert fetch(f"{server.url}/unsubscribe/one-click/?{link(JOHN)}", b"List-Unsubscribe=One-Click")[0] == 200
    sandbox.control.process_pending()
    stats = sandbox.control.stats(JOHN, LENA - JOHN + 1)
    assert stats["unsubscribe_calls_by_contact"] == {str(JOHN): 1, str(LENA): 1}  # delivered inline, once each
    assert stats["not_unsubscribed_ids"] == [1003]

    # This Maileon answers reads whatever the checksum: our own comparison refuses a forged link.
    forged = link(ERIKA, checksum="forged-checksum")
    assert fetch(f"{server.url}/profile/?{forged}")[0] == 404
    assert fetch(f"{server.url}/unsubscribe/one-click/?{forged}", b"List-Unsubscribe=One-Click")[0] == 404


def test_a_page_naming_what_the_account_lacks_still_works_and_check_pages_says_why(installed):
    server, _sandbox = installed
    server.manage("shell", "-c", (
        "from preference_center.models import PageConfig\n"
        "page = PageConfig.objects.create(slug='shop', name='Shop', doi_mailing_key='doi-standard')\n"
        "page.fields.create(source='standard', name='FIRSTNAME', position=1)\n"
        "page.fields.create(source='custom', name='Lieblingsfarbe', position=2)\n"
        "page.fields.create(source='custom', name='Kundentyp', position=3)\n"
        "page.preference_groups.create(category='Themen', position=1)\n"
        "page.preference_groups.create(category='Interessen', position=2)\n"
    ))

    checked = check_pages(server)
    assert checked.returncode == 1
    assert "shop: the Maileon account lacks\n  - custom field Lieblingsfarbe\n  - category Themen\n" in checked.stdout

    status, html = fetch(f"{server.url}/p/shop/profile/?{link(ERIKA, lang='en')}")
    assert status == 200
    assert 'name="FIRSTNAME"' in html and "Kundentyp" in html and "Mode und Stil" in html
    assert "Lieblingsfarbe" not in html and "Themen" not in html
