"""What many tests share besides fixtures: the sandbox's demo contacts, what a browser would submit, and threads
released at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from html.parser import HTMLParser
from typing import TypeVar

from django.db import connection

T = TypeVar("T")

# The sandbox's demo contacts (dev/sandbox/store.py): Erika (de), John (en, `+` in the address), Zoë (no
# permission), Lena (spare, for unsubscribes); a mailing the sandbox has sent.
ERIKA, JOHN, ZOE, LENA = 1001, 1002, 1003, 1004
SENT_MAILING = 88120


class _FormReader(HTMLParser):
    """What a browser would submit from the forms of a page: {action: [(name, value), ...]}."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, list[tuple[str, str]]] = {}
        self._action: str | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._action = a.get("action", "")
            self.forms[self._action] = []
        elif self._action is None:
            return
        elif tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            default = "on" if a.get("type") in ("checkbox", "radio") else ""
            self.forms[self._action].append((a["name"], a.get("value", default)))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.forms[self._action].append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.forms[self._action].append((self._textarea, ""))

    def handle_data(self, data):
        if self._textarea:
            name, value = self.forms[self._action][-1]
            self.forms[self._action][-1] = (name, value + data.lstrip("\n"))

    def handle_endtag(self, tag):
        if tag == "form":
            self._action = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def read_forms(response) -> dict[str, list[tuple[str, str]]]:
    reader = _FormReader()
    reader.feed(response.content.decode())
    return reader.forms


def form_data(response, action_prefix: str = "") -> tuple[str, dict[str, list[str]]]:
    """(action, data) of the first form whose action starts with `action_prefix`, as the browser would post it."""
    for action, pairs in read_forms(response).items():
        if action.startswith(action_prefix):
            data: dict[str, list[str]] = {}
            for name, value in pairs:
                data.setdefault(name, []).append(value)
            return action, data
    raise AssertionError(f"no form with action {action_prefix!r}")


def at_once(action: Callable[[], T], times: int, *, timeout: float = 60) -> tuple[list[T], list[BaseException]]:
    """Run `action` in `times` threads released together (each on its own database connection, closed after):
    what they returned and what they raised, in no particular order."""
    start = threading.Barrier(times)
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait(timeout=timeout)
            results.append(action())
        except Exception as error:  # noqa: BLE001 - handed to the test, which asserts on it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results, errors
