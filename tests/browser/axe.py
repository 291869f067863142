"""axe-core (vendored in vendor/, see vendor/README.md) run inside the page under test.

The script is evaluated through the DevTools protocol, which the page's Content-Security-Policy does not
govern: the audit needs no `bypass_csp`, so the page is checked exactly as it is served.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

AXE_SOURCE = Path(__file__).parent / "vendor" / "axe.min.js"
# WCAG 2.2 level A and AA, as axe tags them (2.2 added only AA-level rules that axe automates).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@cache
def _source() -> str:
    return AXE_SOURCE.read_text(encoding="utf-8")


def audit(page) -> list[dict]:
    """The violations of the WCAG 2.2 A/AA rules on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_source() + "\n;undefined")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return result["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['failureSummary']}")
    return "\n".join(lines)
