"""Maximum offline time (issue 15 item 3): per profile, saved customers older than N days
go, and all saved data of the profile once no source was reached for N days. A real SQLite
store; the store's clock is moved instead of waiting days."""

from __future__ import annotations

import time
import types

import pytest

from tests.conftest import TYPICAL_MOBILE
from viewer import cache, credentials
from viewer.cache import OfflineStore
from viewer.demo import DEMO_CAPILLARY_PASSWORD, DEMO_CTRLHUB_ORG, DEMO_CTRLHUB_TOKEN
from viewer.domain import IdentifierKind, NotFound, Query
from viewer.profiles import Profile, load_config, save_profile
from viewer.wiring import build_service, open_store

DAY = 86400.0
KEY = bytes(range(32))


class Clock:
    """The store's time.time(): tests move it days ahead."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(
        cache, "time", types.SimpleNamespace(time=fake, sleep=time.sleep, strftime=time.strftime)
    )
    return fake


def customer(n: int) -> Query:
    return Query(IdentifierKind.MOBILE, f"9198450000{n:02d}")


def save(store: OfflineStore, profile: str, n: int) -> None:
    assert (
        store.save_lookup(
            profile, customer(n), f"Customer {n}", {"sources": {"capillary": {"n": n}}}
        )
        is None
    )


def test_saved_customers_older_than_the_limit_go_and_newer_stay(tmp_path, clock):
    store = OfflineStore.open(tmp_path, KEY)
    start = clock.now
    save(store, "eu", 1)
    clock.now = start + 5 * DAY
    save(store, "eu", 2)
    store.mark_reached("eu")
    clock.now = start + 8 * DAY
    assert store.enforce_offline_limit("eu", 7) is None  # a source was reached 3 days ago
    assert store.load_lookup("eu", customer(1)) is None
    assert store.load_lookup("eu", customer(2)) is not None
    store.close()


def test_no_source_reached_for_the_limit_wipes_that_profile_only(tmp_path, clock):
    store = OfflineStore.open(tmp_path, KEY)
    start = clock.now
    store.mark_reached("eu")
    store.mark_reached("us")
    save(store, "eu", 1)
    clock.now = start + 6 * DAY
    save(store, "eu", 2)  # saved data alone does not restart the clock: only a source answering
    save(store, "us", 3)
    store.mark_reached("us")
    clock.now = start + 7 * DAY + 60
    said = store.enforce_offline_limit("eu", 7)
    assert said and "No source was reached for more than 7 days" in said and "“eu”" in said
    assert (
        store.load_lookup("eu", customer(1)) is None
        and store.load_lookup("eu", customer(2)) is None
    )
    assert store.recent("eu") == []
    assert store.enforce_offline_limit("us", 7) is None
    assert store.load_lookup("us", customer(3)) is not None
    store.close()
    # The wipe is in the file, not only in this connection's view.
    again = OfflineStore.open(tmp_path, KEY)
    assert (
        again.load_lookup("eu", customer(2)) is None
        and again.load_lookup("us", customer(3)) is not None
    )
    again.close()


def test_without_the_setting_nothing_is_deleted(tmp_path, clock):
    store = OfflineStore.open(tmp_path, KEY)
    save(store, "eu", 1)
    clock.now += 20 * DAY
    assert store.enforce_offline_limit("eu", 0) is None
    assert store.load_lookup("eu", customer(1)) is not None
    store.close()


def demo_backed_profile(url: str, days: int) -> Profile:
    profile = Profile(
        name="eu",
        capillary_url=url,
        capillary_username="demo",
        capillary_timezone="Asia/Kolkata",
        ctrlhub_url=url,
        ctrlhub_auth_url=url,
        ctrlhub_org=DEMO_CTRLHUB_ORG,
        max_offline_days=days,
    )
    save_profile(profile)
    credentials.set_secret("eu", "capillary_password", DEMO_CAPILLARY_PASSWORD)
    credentials.set_secret("eu", "ctrlhub_token", DEMO_CTRLHUB_TOKEN)
    return load_config().profiles["eu"]


@pytest.mark.asyncio
async def test_a_profile_offline_past_its_limit_is_wiped_at_start_and_the_agent_told(
    demo_server, clock
):
    profile = demo_backed_profile(demo_server.url, 7)
    assert profile.max_offline_days == 7
    query = Query(IdentifierKind.MOBILE, TYPICAL_MOBILE)

    store = open_store()
    service = build_service(profile, store)
    found = await service.final_state(query)
    assert found.result is not None and not found.result.from_cache
    await service.aclose()  # the save and the "source reached" mark finish
    assert store.last_reached("eu") == pytest.approx(clock.now)
    store.close()

    clock.now += 8 * DAY  # eight days without reaching Ctrl-Hub or Capillary
    store = open_store()
    service = build_service(profile, store)
    notices = store.take_notices()
    assert any("every customer saved for profile “eu” was deleted" in n for n in notices)
    service.offline = True
    gone = await service.final_state(query)
    assert isinstance(gone.failure, NotFound)
    await service.aclose()
    store.close()


def test_the_setting_must_be_a_whole_number_of_days(tmp_path):
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "config.toml").write_text(
        '[profiles.a]\ncapillary_url = "https://a.example.com"\nmax_offline_days = "7"\n'
        '[profiles.b]\ncapillary_url = "https://b.example.com"\nmax_offline_days = true\n'
        '[profiles.c]\ncapillary_url = "https://c.example.com"\nmax_offline_days = 30\n',
        encoding="utf-8",
    )
    found = load_config().profiles
    assert [found[n].max_offline_days for n in "abc"] == [0, 0, 30]
