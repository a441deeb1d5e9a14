"""The JSON documents inside the vendors' reference pages, exactly as written there."""

from __future__ import annotations

import json
from pathlib import Path

SEEDS = Path(__file__).parent / "seeds"
CAPILLARY_PAGE = SEEDS / "004_28e94db0cfc32178.txt"
CTRLHUB_PAGE = SEEDS / "000_fa51b4a2cdffdd9d.txt"


def json_documents(page: Path) -> list[dict]:
    """Every top-level JSON object on the page: each starts with "{" at a line start."""
    text = page.read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    documents, position = [], 0
    while (start := text.find("\n{", position)) != -1:
        try:
            document, end = decoder.raw_decode(text, start + 1)
        except json.JSONDecodeError:
            position = start + 2
            continue
        documents.append(document)
        position = end
    return documents


def capillary_nested() -> dict:
    return next(d for d in json_documents(CAPILLARY_PAGE) if "response" in d)


def capillary_flat() -> dict:
    return next(d for d in json_documents(CAPILLARY_PAGE) if "interaction" in d)


def ctrlhub_interaction() -> dict:
    return next(d for d in json_documents(CTRLHUB_PAGE) if "data" in d)
