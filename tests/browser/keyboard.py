"""Keyboard-only helpers: move focus with Tab / Shift+Tab and check that every stop is visibly focused."""

from __future__ import annotations

MAX_STOPS = 60

# What has focus: where it sits in the DOM and on the page, and whether it shows a focus indicator.
_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  return {
    domIndex: Array.prototype.indexOf.call(document.querySelectorAll('*'), el),
    describe: el.tagName.toLowerCase() + (el.name ? `[name=${el.name}]` : '') + (el.value
              && (el.type === 'checkbox' || el.type === 'radio') ? `[value=${el.value}]` : '') + (el.id ? `#${el.id}`
              : ''),
    // Focus on a date input's calendar button (inside the input) shows on the input: :focus-within.
    focusVisible: el.matches(':focus-visible') || (el.type === 'date' && el.matches(':focus-within')),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    shadow: style.boxShadow !== 'none',
    top: rect.top + window.scrollY, bottom: rect.bottom + window.scrollY, left: rect.left + window.scrollX,
    inViewport: rect.bottom > 0 && rect.top < window.innerHeight && rect.right > 0 && rect.left < window.innerWidth,
  };
}"""

# What the keyboard should reach, in DOM order: enabled, rendered, not taken out of the tab order. A group of
# radio buttons is one stop (arrow keys move within it): its checked button, or its first while none is.
_TABBABLE = """() => Array.from(document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]'))
  .filter(el => !el.disabled && el.tabIndex >= 0 && el.type !== 'hidden' && el.getClientRects().length > 0)
  .filter(el => {
    if (el.type !== 'radio') return true;
    const group = Array.from(el.form.elements).filter(other => other.type === 'radio' && other.name === el.name);
    return el.checked || (!group.some(other => other.checked) && group[0] === el);
  })
  .map(el => Array.prototype.indexOf.call(document.querySelectorAll('*'), el))"""


def focused(page) -> dict | None:
    return page.evaluate(_FOCUSED)


def assert_visibly_focused(stop: dict) -> None:
    assert stop["focusVisible"], f"{stop['describe']} has focus but not :focus-visible"
    assert stop["outline"] or stop["shadow"], f"{stop['describe']} shows no focus indicator"
    assert stop["inViewport"], f"{stop['describe']} has focus outside the viewport"


def press(page, key: str) -> dict | None:
    page.keyboard.press(key)
    stop = focused(page)
    if stop is not None:
        assert_visibly_focused(stop)
    return stop


def tab_to(page, selector: str, *, key: str = "Tab") -> None:
    """Tab (or Shift+Tab) until the element matching `selector` has focus, checking every stop on the way."""
    for _ in range(MAX_STOPS):
        press(page, key)
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never got focus with {key}")


def tab_sequence(page, key: str = "Tab") -> list[dict]:
    """Every stop from the top of the page (or the bottom, with Shift+Tab) until focus leaves the document.
    Call it on a freshly loaded page, before anything has focus."""
    stops = []
    for _ in range(MAX_STOPS):
        stop = press(page, key)
        if stop is None or (stops and stop["domIndex"] == stops[0]["domIndex"]):
            return stops
        if not (stops and stop["domIndex"] == stops[-1]["domIndex"]):  # a date input's parts: one stop
            stops.append(stop)
    raise AssertionError(f"more than {MAX_STOPS} tab stops")


def tabbable_dom_indexes(page) -> list[int]:
    return page.evaluate(_TABBABLE)


def assert_reading_order(stops: list[dict]) -> None:
    """Each stop is below the previous one, or beside it on the same line: focus never jumps back up."""
    for previous, stop in zip(stops, stops[1:], strict=False):
        same_line = stop["top"] < previous["bottom"] and previous["top"] < stop["bottom"]
        if same_line:
            assert stop["left"] >= previous["left"], f"{stop['describe']} comes left of {previous['describe']}"
        else:
            assert stop["top"] >= previous["bottom"] - 1, f"{stop['describe']} is above {previous['describe']}"
