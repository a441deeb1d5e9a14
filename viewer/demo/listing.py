"""The text `customer-viewer demo-server --list` prints."""

from __future__ import annotations

import unicodedata

from .ctrlhub_data import demo_interaction_ids
from .data import (
    DEMO_CAPILLARY_PASSWORD,
    DEMO_CAPILLARY_TIMEZONE,
    DEMO_CAPILLARY_USERNAME,
    DEMO_CTRLHUB_ORG,
    DEMO_CTRLHUB_TOKEN,
    demo_customers,
)

__all__ = ["customer_list_text", "demo_interaction_ids"]


def _width(text: str) -> int:
    # CJK characters take two terminal columns; combining marks take none.
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _systems(in_capillary: bool, in_ctrlhub: bool) -> str:
    return " + ".join(n for n, on in (("Capillary", in_capillary), ("Ctrl-Hub", in_ctrlhub)) if on)


def customer_list_text() -> str:
    customers = demo_customers()
    rows = [("Name", "Mobile", "E-mail", "External id", "Systems", "Note")]
    rows += [
        (
            c.name,
            c.mobile,
            c.email,
            c.external_id or "-",
            _systems(c.in_capillary, c.in_ctrlhub),
            c.note,
        )
        for c in customers
    ]
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = [
        "Demo customers (the same data on every run)",
        "",
        f"Capillary: Basic auth user {DEMO_CAPILLARY_USERNAME!r}, password {DEMO_CAPILLARY_PASSWORD!r}; "
        f"tenant time zone {DEMO_CAPILLARY_TIMEZONE}.",
        "  Base URL <server> gives the flat reply shape, <server>/shape/nested the nested one "
        "(or add demoShape=nested|flat).",
        f"Ctrl-Hub: org {DEMO_CTRLHUB_ORG}, X-Session-Token {DEMO_CTRLHUB_TOKEN!r}.",
        "",
    ]
    for i, row in enumerate(rows):
        lines.append(
            "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1]
        )
        if i == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 4)
    ids = demo_interaction_ids()
    lines += [
        "",
        "An example Ctrl-Hub interaction per customer "
        "(GET /v3/orgs/<org>/customers/interactions/<id>):",
    ]
    name_width = max(_width(c.name) for c in customers if c.mobile in ids)
    lines += [
        f"  {_pad(c.name, name_width)}  {ids[c.mobile]}" for c in customers if c.mobile in ids
    ]
    return "\n".join(line.rstrip() for line in lines) + "\n"
