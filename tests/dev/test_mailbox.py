"""The mails the sandbox pretends to send, where a person (the /sandbox/mails/ page of `make run`) and a script
(the standalone sandbox's GET /_sandbox/mails) can see them: type, contact id, personal link, never the address."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from preference_center.dev.sandbox.serve import spawn
from preference_center.dev.sandbox.store import NEW_LINK_TRANSACTION_TYPE

from tests.support import ERIKA, JOHN

from .conftest import SANDBOX_AUTHORIZATION

JSON = "application/json"
ADDRESSES = {ERIKA: "erika.beispiel@example.org", JOHN: "john.example+news@example.com"}


def send_transaction(client: Client, address: str):
    return client.post("/sandbox/maileon/1.0/transactions?ignore_invalid_transactions=true",
                       json.dumps([{"type": NEW_LINK_TRANSACTION_TYPE, "contact": {"email": address}}]),
                       content_type=JSON, HTTP_ACCEPT=JSON, HTTP_AUTHORIZATION=SANDBOX_AUTHORIZATION)


def test_the_mailbox_page_shows_each_mail_with_its_link_newest_first(sandbox_store):
    client = Client()
    for contact_id in (ERIKA, JOHN):
        assert send_transaction(client, ADDRESSES[contact_id]).status_code == 201

    response = client.get("/sandbox/mails/")

    html = response.content.decode()
    assert response.status_code == 200 and "no-cache" in response["Cache-Control"]
    links = [f"http://testserver/profile/?contactid={i}&amp;checksum={sandbox_store.checksum_for(i)}"
             for i in (JOHN, ERIKA)]
    assert f'<a href="{links[0]}">' in html and f'<a href="{links[1]}">' in html
    assert html.index(links[0]) < html.index(links[1])  # newest first
    assert "7001 (neuer_link)" in html
    assert all(address not in html for address in ADDRESSES.values())


def test_an_empty_mailbox_says_how_to_fill_it(sandbox_store):
    html = Client().get("/sandbox/mails/").content.decode()
    assert "No mails yet." in html and "send me a new link" in html


def test_the_standalone_sandbox_lists_its_mails_for_scripts():
    sandbox = spawn()
    try:
        import requests

        answer = requests.post(f"{sandbox.api_url}/transactions", timeout=5,
                               data=json.dumps([{"type": NEW_LINK_TRANSACTION_TYPE,
                                                 "contact": {"email": ADDRESSES[ERIKA]}}]),
                               headers={"Content-Type": JSON, "Accept": JSON, "Authorization": SANDBOX_AUTHORIZATION})
        assert answer.status_code == 201
        [mail] = sandbox.control.mails()
        assert (mail["type_id"], mail["contact_id"]) == (NEW_LINK_TRANSACTION_TYPE, ERIKA)
        assert mail["link"].startswith(f"/profile/?contactid={ERIKA}&checksum=")
        assert ADDRESSES[ERIKA] not in json.dumps(mail)
    finally:
        sandbox.stop()


@pytest.mark.parametrize("method", ["post", "delete"])
def test_the_mailbox_page_only_reads(sandbox_store, method):
    assert getattr(Client(), method)("/sandbox/mails/").status_code == 405
