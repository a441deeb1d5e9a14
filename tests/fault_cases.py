"""What the agent must be told for each injected fault, per source (tests and bench/fault_table.py).

Each entry: fault spec → (CLI exit code with only that source set up,
{source: words the message must contain}).
"""

from __future__ import annotations

DEADLINE_S = 2.0  # profiles in the fault tests: "did not answer within 2 s"

BOTH = object()
CASES: dict[str, tuple[int, dict[str, str]]] = {
    "delay/5": (
        5,
        {"capillary": "did not answer within 2 s", "ctrlhub": "did not answer within 2 s"},
    ),
    "401": (4, {"capillary": "refused the username or password", "ctrlhub": "session has expired"}),
    "403": (
        4,
        {
            "capillary": "may not use the customer interaction API",
            "ctrlhub": "may not see that organisation",
        },
    ),
    "404": (5, {"capillary": "no customer interaction API at this address"}),
    "429/0": (5, {"capillary": "limiting requests", "ctrlhub": "limiting requests"}),
    "461": (5, {"capillary": "search is busy", "ctrlhub": "busy right now (HTTP 461)"}),
    "500": (5, {"capillary": "server had a problem (HTTP 500)", "ctrlhub": "Quote trace id"}),
    "502": (5, {"capillary": "busy right now (HTTP 502)", "ctrlhub": "busy right now (HTTP 502)"}),
    "503": (5, {"capillary": "busy right now (HTTP 503)", "ctrlhub": "busy right now (HTTP 503)"}),
    "504": (5, {"capillary": "busy right now (HTTP 504)", "ctrlhub": "busy right now (HTTP 504)"}),
    "521": (5, {"capillary": "busy with another action", "ctrlhub": "busy right now (HTTP 521)"}),
    "malformed": (5, {"capillary": "not valid JSON", "ctrlhub": "not valid JSON"}),
    "wrong-shape": (5, {"capillary": "neither of the known shapes", "ctrlhub": "unexpected shape"}),
    "html": (5, {"capillary": "web page instead of data", "ctrlhub": "web page instead of data"}),
    "cutoff": (5, {"capillary": "broke off", "ctrlhub": "broke off"}),
    "reset": (5, {"capillary": "broke off", "ctrlhub": "broke off"}),
    "drip/0.05": (
        5,
        {"capillary": "did not answer within 2 s", "ctrlhub": "did not answer within 2 s"},
    ),
    "empty": (5, {"capillary": "empty reply", "ctrlhub": "empty reply"}),
    "huge": (5, {"capillary": "larger than 40 MB", "ctrlhub": "larger than 40 MB"}),
}
# Ctrl-Hub's 404 on the contacts list means an unknown organisation: a set-up problem (exit 4).
CTRLHUB_EXIT = {"404": 4}
CTRLHUB_WORDS = {"404": "does not know this organisation"}


def expected(spec: str, source: str) -> tuple[int, str]:
    code, words = CASES[spec]
    if source == "ctrlhub":
        return CTRLHUB_EXIT.get(spec, code), CTRLHUB_WORDS.get(spec, words.get("ctrlhub", ""))
    return code, words["capillary"]
