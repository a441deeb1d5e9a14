"""Print the fault matrix as a table: injected fault → what the agent is told, per source.

    .venv/bin/python bench/fault_table.py
Each source alone, a 2 s deadline per lookup (profile setting), real retries and backoff.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import bench_home  # noqa: F401 - first: never the agent's own folders

from tests.fault_cases import CASES, DEADLINE_S
from viewer.demo import DEMO_CAPILLARY_PASSWORD, DEMO_CTRLHUB_ORG, DEMO_CTRLHUB_TOKEN, DemoServer
from viewer.domain import IdentifierKind, Query, ViewerError
from viewer.lookup import LookupService
from viewer.sources.capillary import CapillaryClient, CapillarySettings
from viewer.sources.ctrlhub import CtrlHubClient, CtrlHubSettings

QUERY = Query(IdentifierKind.MOBILE, "447700900123")


def client(source: str, url: str):
    if source == "capillary":
        return CapillaryClient(
            CapillarySettings(url, "demo", DEMO_CAPILLARY_PASSWORD, "UTC", read_timeout=DEADLINE_S)
        )
    return CtrlHubClient(
        CtrlHubSettings(url, DEMO_CTRLHUB_ORG, DEMO_CTRLHUB_TOKEN, read_timeout=DEADLINE_S)
    )


async def told(source: str, url: str) -> str:
    service = LookupService([client(source, url)], deadline_s=DEADLINE_S)
    try:
        await service.lookup(QUERY)
        return "(answered)"
    except ViewerError as exc:
        return f"{exc.message} [exit {int(exc.exit_code)}]"
    finally:
        await service.aclose()


async def main() -> None:
    with DemoServer() as server:
        specs = list(CASES)
        rows = await asyncio.gather(
            *(
                asyncio.gather(
                    *(told(s, f"{server.url}/fault/{spec}") for s in ("capillary", "ctrlhub"))
                )
                for spec in specs
            )
        )
    print("| fault | Capillary | Ctrl-Hub |\n|---|---|---|")
    for spec, (capillary, ctrlhub) in zip(specs, rows, strict=True):
        print(f"| `{spec}` | {capillary} | {ctrlhub} |")


if __name__ == "__main__":
    asyncio.run(main())
