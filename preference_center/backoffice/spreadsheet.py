"""CSV files of the reports as a marketer opens them: by a double click, in Excel, in the admin's language.

Excel reads a CSV as UTF-8 only with a byte order mark (without it, umlauts and accents come out garbled), and
splits columns at the list separator of the computer's language: a comma where numbers have a decimal point
(English), a semicolon where they have a decimal comma (German, French, Italian, Spanish, Dutch). Numbers with
decimals are written the way that language writes them ("62,5"), so Excel reads them as numbers.
"""

from __future__ import annotations

import csv
from typing import Any

from django.http import HttpResponse
from django.utils import formats
from django.utils.http import content_disposition_header

from . import reports


def delimiter() -> str:
    return ";" if formats.get_format("DECIMAL_SEPARATOR") == "," else ","


def safe(text: str) -> str:
    """A text that cannot run as a formula: one starting with = + - @ would (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def decimal(value: float, places: int) -> str:
    return formats.number_format(value, decimal_pos=places)  # the admin's language's decimal mark, no grouping


def download(name: str, date_range: reports.DateRange) -> tuple[HttpResponse, Any]:
    """(response, csv writer) of a file `<name>-<start>-<end>.csv`; `name` in the admin's language."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, f"{name}-{date_range.start.isoformat()}-{date_range.end.isoformat()}.csv")
    response.write("\ufeff")
    return response, csv.writer(response, delimiter=delimiter())
