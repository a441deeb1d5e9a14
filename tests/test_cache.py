"""The offline store on a real SQLite file: round trips, secrecy, expiry, recovery, sharing."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import (
    CTRLHUB_INTERACTION,
    CTRLHUB_MOBILE,
    FLAT_SAMPLE_MOBILE,
    capillary_client,
    ctrlhub_client,
)
from viewer import cache
from viewer.cache import FILE_NAME, OfflineStore
from viewer.domain import IdentifierKind, Query, Source
from viewer.lookup import LookupService

KEY = bytes(range(32))
OLIVER = Query(IdentifierKind.MOBILE, CTRLHUB_MOBILE)


def open_store(folder: Path, key: bytes = KEY, **kwargs) -> OfflineStore:
    return OfflineStore.open(folder, key, **kwargs)


def file_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.iterdir() if p.is_file())


async def live_then_saved(demo_server, store, query):
    service = LookupService(
        [capillary_client(demo_server.url), ctrlhub_client(demo_server.url)], store, "office"
    )
    try:
        live = await service.lookup(query)
        for task in list(service._saving):
            await task
        saved = await service.cached(query)
        detail = await service.interaction_detail(Source.CTRLHUB, CTRLHUB_INTERACTION)
        for task in list(service._saving):
            await task
    finally:
        await service.aclose()
    return live, saved, detail


@pytest.mark.asyncio
async def test_both_sources_round_trip_and_nothing_is_readable_in_the_file(demo_server, tmp_path):
    store = open_store(tmp_path)
    live, saved, _detail = await live_then_saved(demo_server, store, OLIVER)
    assert saved.from_cache and saved.fetched_at
    assert [i.key for i in saved.interactions] == [i.key for i in live.interactions]
    assert {i.source for i in saved.interactions} == {Source.CAPILLARY, Source.CTRLHUB}
    assert saved.customer == live.customer
    assert saved.counts == live.counts
    store.close()

    raw = file_bytes(tmp_path)  # the database and its WAL, as a thief would read them
    subjects = {i.subject for i in live.interactions if len(i.subject) > 8}
    for secret in [
        CTRLHUB_MOBILE,
        "Oliver",
        "Smith",
        "oliver.smith@example.com",
        "CRM-100247",
        *subjects,
    ]:
        assert secret.encode() not in raw, secret


@pytest.mark.asyncio
async def test_ctrlhub_details_open_from_saved_data(demo_server, tmp_path):
    store = open_store(tmp_path)
    await live_then_saved(demo_server, store, OLIVER)
    service = LookupService([ctrlhub_client(demo_server.url)], store, "office")
    service.offline = True
    before = demo_server.request_count
    try:
        detail = await service.interaction_detail(Source.CTRLHUB, CTRLHUB_INTERACTION)
        result = await service.lookup(OLIVER)
    finally:
        await service.aclose()
    assert detail.related["contact"].name == "Mr Oliver Smith"
    assert result.from_cache and demo_server.request_count == before  # nothing was sent


@pytest.mark.asyncio
async def test_a_vendor_sample_customer_round_trips(demo_server, tmp_path):
    store = open_store(tmp_path)
    live, saved, _ = await live_then_saved(
        demo_server, store, Query(IdentifierKind.MOBILE, FLAT_SAMPLE_MOBILE)
    )
    assert [(i.id, i.occurred_at) for i in saved.interactions] == [
        (i.id, i.occurred_at) for i in live.interactions
    ]


def test_profiles_are_kept_apart(tmp_path):
    store = open_store(tmp_path)
    query = Query(IdentifierKind.EMAIL, "a@example.com")
    store.save_lookup("eu", query, "Anna", {"sources": {}})
    assert store.load_lookup("eu", query) is not None
    assert store.load_lookup("us", query) is None
    assert store.recent("us") == []
    assert [r.name for r in store.recent("eu")] == ["Anna"]
    store.clear_profile("eu")
    assert store.load_lookup("eu", query) is None


def test_recent_is_newest_first(tmp_path):
    store = open_store(tmp_path)
    for n in range(3):
        store.save_lookup(
            "eu", Query(IdentifierKind.EXTERNAL_ID, f"C-{n}"), f"Customer {n}", {"sources": {}}
        )
        time.sleep(0.01)
    store.load_lookup("eu", Query(IdentifierKind.EXTERNAL_ID, "C-0"))  # viewed again: first
    assert [r.name for r in store.recent("eu")] == ["Customer 0", "Customer 2", "Customer 1"]


def test_opening_a_saved_customer_waits_for_no_disk_flush_and_a_deletion_still_does(tmp_path):
    """The time a customer was opened (Recent's order) is the only write an agent waits for:
    it is committed with synchronous=NORMAL. Every other write, a sign-out's deletion above
    all, is committed with FULL, on the disk when the call returns."""
    store = open_store(tmp_path)
    query = Query(IdentifierKind.EXTERNAL_ID, "C-1")
    store.save_lookup("eu", query, "Customer 1", {"sources": {}})
    statements: list[str] = []
    store._db.set_trace_callback(statements.append)
    assert store.load_lookup("eu", query) is not None
    touch = [s.split(" SET")[0] for s in statements if not s.startswith("SELECT")]
    assert touch == [
        "PRAGMA synchronous=NORMAL",
        f"PRAGMA busy_timeout={cache.TOUCH_WAIT_MS}",
        "BEGIN DEFERRED",
        "UPDATE lookups",
        "COMMIT",
        "PRAGMA synchronous=FULL",
        f"PRAGMA busy_timeout={cache.BUSY_TIMEOUT_MS}",
    ]
    statements.clear()
    store.clear_profile("eu")
    assert any(s.startswith("DELETE FROM lookups") for s in statements)
    assert not [s for s in statements if "synchronous" in s]
    store._db.set_trace_callback(None)
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert store.load_lookup("eu", query) is None


def test_a_saved_customer_opens_at_once_while_the_other_copy_of_the_program_writes(tmp_path):
    """Noting when it was opened is skipped rather than waited for (it waited up to 10 s and
    then opened as if nothing were saved); Recent keeps its old order meanwhile."""
    store = open_store(tmp_path)
    for n in range(2):
        store.save_lookup(
            "eu", Query(IdentifierKind.EXTERNAL_ID, f"C-{n}"), f"Customer {n}", {"sources": {}}
        )
        time.sleep(0.01)
    other = sqlite3.connect(str(tmp_path / FILE_NAME), isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # the other copy is writing
        start = time.perf_counter()
        saved = store.load_lookup("eu", Query(IdentifierKind.EXTERNAL_ID, "C-0"))
        took = time.perf_counter() - start
        assert saved is not None and saved.value == {"sources": {}}
        assert took < 2, f"waited {took:.1f} s for the other copy"
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert [r.name for r in store.recent("eu")] == ["Customer 1", "Customer 0"]  # not noted
    assert store._db.execute("PRAGMA busy_timeout").fetchone()[0] == cache.BUSY_TIMEOUT_MS
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 2
    store.load_lookup("eu", Query(IdentifierKind.EXTERNAL_ID, "C-0"))  # free again: noted
    assert [r.name for r in store.recent("eu")] == ["Customer 0", "Customer 1"]


def test_expiry_by_age(tmp_path, monkeypatch):
    store = open_store(tmp_path, keep_days=30)
    query = Query(IdentifierKind.EXTERNAL_ID, "old")
    real_time = time.time
    monkeypatch.setattr(cache.time, "time", lambda: real_time() - 31 * 86400)
    store.save_lookup("eu", query, "Old", {"sources": {}})
    monkeypatch.setattr(cache.time, "time", real_time)
    assert store.load_lookup("eu", query) is None
    store.prune()
    assert store.size_bytes() == 0


def test_expiry_by_size_drops_the_least_recently_viewed(tmp_path):
    store = open_store(tmp_path, max_mb=1)
    # Random hex compresses about 2:1, so each entry seals to ~160 kB (under the 256 kB a
    # single customer may take of 1 MB): eight exceed 1 MB, and the oldest goes.
    queries = [Query(IdentifierKind.EXTERNAL_ID, f"c{n}") for n in range(8)]
    for query in queries:
        assert (
            store.save_lookup(
                "eu", query, query.value, {"sources": {"x": os.urandom(150_000).hex()}}
            )
            is None
        )
    assert store.load_lookup("eu", queries[0]) is None
    assert store.load_lookup("eu", queries[-1]) is not None
    assert store.size_bytes() <= 1024 * 1024


@pytest.mark.parametrize("damage", ["garbage", "truncated", "wrong key"])
def test_an_unreadable_file_is_set_aside_and_a_new_store_works(tmp_path, damage):
    store = open_store(tmp_path)
    store.save_lookup("eu", Query(IdentifierKind.EXTERNAL_ID, "x"), "X", {"sources": {}})
    store.close()
    path = tmp_path / FILE_NAME
    for extra in tmp_path.glob(f"{FILE_NAME}-*"):
        extra.unlink()  # the WAL was checkpointed on close; leave only the main file
    key = KEY
    if damage == "garbage":
        path.write_bytes(os.urandom(8192))
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:1500])
    else:
        key = bytes(32)
    reopened = open_store(tmp_path, key)
    assert len(reopened.notices) == 1 and "set aside" in reopened.notices[0]
    assert list(tmp_path.glob(f"{FILE_NAME}.unreadable-*"))
    query = Query(IdentifierKind.EXTERNAL_ID, "y")
    reopened.save_lookup("eu", query, "Y", {"sources": {}})
    assert reopened.load_lookup("eu", query) is not None


def test_without_a_key_the_store_lives_in_memory_and_says_so(tmp_path):
    store = OfflineStore.open(tmp_path, None)
    assert store.path is None and "session only" in store.notices[0]
    assert not list(tmp_path.iterdir())


def test_two_processes_writing_at_once(tmp_path):
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    writers = [
        subprocess.Popen(
            [
                sys.executable,
                str(root / "tests" / "cache_writer.py"),
                str(tmp_path),
                KEY.hex(),
                tag,
                "60",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        for tag in ("a", "b")
    ]
    for writer in writers:
        out, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err.decode()
    store = open_store(tmp_path)
    assert not store.notices
    names = {r.name for r in store.recent("shared", limit=200)}
    assert len(names) == 120 and {"a 59", "b 59"} <= names


# -- sizes: no customer or detail may push the others out -------------------------------------
def test_one_row_too_large_to_keep_is_refused_and_evicts_no_one(tmp_path):
    store = open_store(tmp_path, max_mb=1)
    kept = [Query(IdentifierKind.EXTERNAL_ID, f"kept-{n}") for n in range(3)]
    for query in kept:
        store.save_lookup("eu", query, query.value, {"sources": {"x": os.urandom(20_000).hex()}})
    huge = Query(IdentifierKind.EXTERNAL_ID, "huge")
    refusal = store.save_lookup("eu", huge, "Huge", {"sources": {"x": os.urandom(600_000).hex()}})
    assert refusal and "too large to keep offline" in refusal
    assert store.load_lookup("eu", huge) is None
    assert all(store.load_lookup("eu", q) is not None for q in kept)


def test_interaction_details_obey_the_size_cap(tmp_path):
    store = open_store(tmp_path, max_mb=1)
    for n in range(12):  # ~160 kB sealed each: together past 1 MB
        assert store.save_detail("eu", f"detail-{n}", {"data": os.urandom(150_000).hex()}) is None
    assert store.size_bytes() <= 1024 * 1024
    assert (
        store.load_detail("eu", "detail-0") is None
        and store.load_detail("eu", "detail-11") is not None
    )
    refusal = store.save_detail("eu", "huge", {"data": os.urandom(600_000).hex()})
    assert refusal and "too large to keep offline" in refusal
    assert (
        store.load_detail("eu", "huge") is None and store.load_detail("eu", "detail-11") is not None
    )


# -- keys: derived with HKDF, never the keyring's key itself -----------------------------------
def test_blobs_are_sealed_with_an_hkdf_derived_key_not_the_master_key(tmp_path):
    import sqlite3

    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.hashes import SHA256
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    store = open_store(tmp_path)
    store.close()
    with sqlite3.connect(tmp_path / FILE_NAME) as db:
        blob = db.execute("SELECT value FROM meta WHERE name = 'key_check'").fetchone()[0]
    with pytest.raises(InvalidTag):
        AESGCM(KEY).decrypt(blob[:12], blob[12:], b"key_check")
    derived = HKDF(algorithm=SHA256(), length=32, salt=None, info=cache.AES_KEY_INFO).derive(KEY)
    assert AESGCM(derived).decrypt(blob[:12], blob[12:], b"key_check")
    assert cache.AES_KEY_INFO != cache.INDEX_KEY_INFO


def test_a_file_from_the_raw_key_version_is_set_aside_with_its_own_notice(tmp_path):
    import sqlite3

    with sqlite3.connect(tmp_path / FILE_NAME) as db:  # what version 1 left: schema "1"
        db.executescript(cache._SCHEMA)
        db.execute("INSERT INTO meta VALUES ('schema', '1')")
    store = open_store(tmp_path)
    assert store.take_notices() == [cache.OLDER_FORMAT]
    assert store.take_notices() == []  # said once
    assert list(tmp_path.glob(f"{FILE_NAME}.unreadable-*"))


# -- files only the user can read ----------------------------------------------------------------
def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_the_folder_and_every_file_of_the_store_are_user_only(tmp_path):
    folder = tmp_path / "saved"
    old_umask = os.umask(0o022)  # the usual umask: files would be 0644, folders 0755
    try:
        store = open_store(folder)
        store.save_lookup("eu", Query(IdentifierKind.EXTERNAL_ID, "x"), "X", {"sources": {"x": 1}})
        store.load_lookup("eu", Query(IdentifierKind.EXTERNAL_ID, "x"))
        names = {p.name: _mode(p) for p in folder.iterdir()}
        store.close()
    finally:
        os.umask(old_umask)
    assert _mode(folder) == 0o700
    assert {FILE_NAME, f"{FILE_NAME}-wal", f"{FILE_NAME}-shm"} <= set(names)
    assert set(names.values()) == {0o600}, names


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_files_an_older_version_left_readable_are_tightened(tmp_path):
    store = open_store(tmp_path / "saved")
    store.close()
    os.chmod(tmp_path / "saved", 0o755)
    os.chmod(tmp_path / "saved" / FILE_NAME, 0o644)
    store = open_store(tmp_path / "saved")
    assert not store.notices
    assert _mode(tmp_path / "saved") == 0o700 and _mode(tmp_path / "saved" / FILE_NAME) == 0o600
    store.close()


def test_a_reply_kept_as_received_round_trips_without_being_re_serialised(tmp_path):
    """Raw reply bytes are stored as they are (no json.dumps of a 23 MB reply), and come back
    as the same bytes inside the same structure."""
    import os

    from viewer.cache import OfflineStore, pack, unpack
    from viewer.domain import IdentifierKind, Query

    body = b'{"name": "Priya \\u00e9", "interaction": []}' * 1000
    payload = {
        "sources": {
            "capillary": {"format": 1, "interaction": body, "details": {"a": [1, "x"]}},
            "ctrlhub": {"pages": [{"data": []}]},
        }
    }
    assert unpack(pack(payload)) == payload
    assert unpack(pack({"plain": [1, 2]})) == {"plain": [1, 2]}  # no bytes: plain JSON, as before
    several = {"a": [b"one", {"b": b""}], "c": b"three" * 100}
    assert unpack(pack(several)) == several == unpack(bytearray(pack(several)))
    store = OfflineStore.open(tmp_path / "saved", os.urandom(32))
    query = Query(IdentifierKind.MOBILE, "919845012345")
    store.save_lookup("office", query, "Priya", payload)
    opened = store.load_lookup("office", query).value
    assert opened == payload
    # The reply comes back in the buffer it was inflated into, not copied out of it (a
    # 23 MB copy held the GIL 15 ms while the window waited).
    assert isinstance(opened["sources"]["capillary"]["interaction"], bytearray)
    store.close()


def test_a_saved_value_larger_than_one_inflated_piece_opens_whole(tmp_path, monkeypatch):
    """Saved values are inflated a piece at a time (the window keeps the GIL between
    pieces): a value of many pieces comes back whole, and a sealed value whose compressed
    stream ends early (a bug of ours; the seal itself cannot be forged) is refused, not
    returned short."""
    import zlib

    monkeypatch.setattr(cache, "INFLATE_PIECE", 1000)
    body = bytes(range(256)) * 400 + b'{"name": "Priya"}' * 2000
    payload = {"sources": {"capillary": {"format": 1, "interaction": body}}}
    store = OfflineStore.open(tmp_path / "saved", os.urandom(32))
    query = Query(IdentifierKind.MOBILE, "919845012345")
    store.save_lookup("office", query, "Priya", payload)
    assert store.load_lookup("office", query).value == payload  # its reply copied in pieces too
    store.close()
    whole = zlib.compress(body)
    assert cache._inflate(whole) == body
    with pytest.raises(zlib.error):
        cache._inflate(whole[: len(whole) // 2])


def test_saving_or_reading_a_reply_leaves_no_reference_cycle_holding_it(tmp_path):
    """The window keeps the cyclic collector off during a search and freezes what is alive
    after a large one (ui/gc_guard.py): a cycle made while saving would keep the whole reply
    in memory for good, one more per search (23 MB each at 100,000 messages)."""
    import gc

    store = OfflineStore.open(tmp_path / "saved", os.urandom(32))
    query = Query(IdentifierKind.MOBILE, "919845012345")
    reply = b'{"interaction": []}' * 1000
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        store.save_lookup("office", query, "Priya", {"sources": {"capillary": {"page": reply}}})
        cache.pack({"sources": {"capillary": {"page": reply, "more": [reply]}}})
        saved = store.load_lookup("office", query)  # reading it back, too
        assert saved is not None
        read = saved.value["sources"]["capillary"]["page"]
        assert read == reply
        del saved
        gc.set_debug(gc.DEBUG_SAVEALL)  # what the collector finds stays in gc.garbage
        gc.collect()
        # (earlier tests may leave garbage of their own: only what holds the reply counts)
        holding = [
            o for o in gc.garbage if any(r is reply or r is read for r in gc.get_referents(o))
        ]
        assert holding == []  # reference counting freed everything that held the reply
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()
    store.close()
