"""Sign out (issue 15 item 3): the Ctrl-Hub session is ended at the server (counted at the
demo server), the profile's secrets leave the keyring (the tests' in-memory one) and its
saved customers are deleted; a logout the server refuses still clears everything here."""

from __future__ import annotations

import io

import pytest

from tests.conftest import TYPICAL_MOBILE
from tests.hostile_server import HostileServer, json_reply
from viewer import connections, credentials, masking
from viewer.cli import main
from viewer.demo import (
    DEMO_CAPILLARY_PASSWORD,
    DEMO_CTRLHUB_ORG,
    DEMO_CTRLHUB_PASSWORD,
    DEMO_CTRLHUB_USER,
    auth_api,
)
from viewer.domain import IdentifierKind, Query
from viewer.profiles import Profile, load_config
from viewer.wiring import build_service, open_store

QUERY = Query(IdentifierKind.MOBILE, TYPICAL_MOBILE)


def keyring_entries(backend, profile: str) -> list[str]:
    return [user for (_service, user) in backend.entries if user.startswith(f"{profile}:")]


async def signed_in_profile(url: str, auth_url: str | None = None) -> tuple[Profile, str]:
    """A saved profile signed in to Ctrl-Hub by password, as the set-up dialog leaves it."""
    profile = connections.check_profile(
        Profile(
            name="eu",
            capillary_url=url,
            capillary_username="demo",
            ctrlhub_url=url,
            ctrlhub_auth_url=auth_url or url,
            ctrlhub_org=DEMO_CTRLHUB_ORG,
            ctrlhub_auth="password",
            ctrlhub_username=DEMO_CTRLHUB_USER,
        )
    )
    secrets = await connections.sign_in_if_needed(
        profile,
        {"capillary_password": DEMO_CAPILLARY_PASSWORD, "ctrlhub_password": DEMO_CTRLHUB_PASSWORD},
    )
    token = secrets["ctrlhub_token"]
    connections.save(profile, secrets)
    return load_config().profiles["eu"], token


async def look_up_and_keep(profile: Profile) -> None:
    store = open_store()
    service = build_service(profile, store)
    state = await service.final_state(QUERY)
    assert state.result is not None and not state.result.from_cache
    await service.aclose()
    assert store.load_lookup("eu", QUERY) is not None
    store.close()


def saved_customer(profile_name: str = "eu"):
    store = open_store()
    try:
        return store.load_lookup(profile_name, QUERY)
    finally:
        store.close()


@pytest.mark.asyncio
async def test_sign_out_ends_the_session_and_clears_keyring_and_saved_data(
    demo_server, isolated_settings
):
    profile, token = await signed_in_profile(demo_server.url)
    await look_up_and_keep(profile)
    assert auth_api.valid(token, "ctrlhub_session")
    assert sorted(keyring_entries(isolated_settings, "eu")) == [
        "eu:capillary_password",
        "eu:ctrlhub_token",
    ]
    logouts = auth_api.token_requests["ctrlhub_logout"]

    result = await connections.sign_out(profile)

    assert auth_api.token_requests["ctrlhub_logout"] == logouts + 1
    assert ("DELETE", "/self-service/logout/api") in demo_server.requests
    assert not auth_api.valid(token, "ctrlhub_session")  # the server session is over
    assert result.server_ended and "session was ended" in result.message
    assert keyring_entries(isolated_settings, "eu") == []
    assert saved_customer() is None
    assert "eu" in load_config().profiles  # the profile itself stays, to sign in again


@pytest.mark.asyncio
async def test_a_refused_logout_still_clears_this_computer_and_says_so(
    demo_server, isolated_settings
):
    with HostileServer(lambda seen: json_reply({"error": "down"}, 500)) as auth:
        profile, _token = await signed_in_profile(demo_server.url)
        profile = Profile(**{**profile.__dict__, "ctrlhub_auth_url": auth.url})
        await look_up_and_keep(profile)
        result = await connections.sign_out(profile)
        assert auth.count("/self-service/logout/api") >= 1
    assert not result.server_ended
    assert "may still be valid" in result.message
    assert keyring_entries(isolated_settings, "eu") == []
    assert saved_customer() is None


def test_cli_sign_out_asks_first_and_does_nothing_on_no(
    demo_server, isolated_settings, monkeypatch, capsys
):
    import asyncio

    profile, token = asyncio.run(signed_in_profile(demo_server.url))
    asyncio.run(look_up_and_keep(profile))
    logouts = auth_api.token_requests["ctrlhub_logout"]

    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    assert main(["profile", "sign-out", "eu"]) == 2
    out = capsys.readouterr().out
    assert "Sign out of “eu”" in out and "Nothing changed." in out
    assert auth_api.token_requests["ctrlhub_logout"] == logouts
    assert len(keyring_entries(isolated_settings, "eu")) == 2 and saved_customer() is not None

    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    assert main(["profile", "sign-out", "eu"]) == 0
    assert "session was ended" in capsys.readouterr().out
    assert auth_api.token_requests["ctrlhub_logout"] == logouts + 1
    assert keyring_entries(isolated_settings, "eu") == [] and saved_customer() is None
    assert not auth_api.valid(token, "ctrlhub_session")

    assert main(["profile", "sign-out", "nobody", "--yes"]) == 2
    assert "no profile named" in capsys.readouterr().err


def test_sign_out_is_in_the_access_log(demo_server, tmp_path):
    import asyncio

    profile, _token = asyncio.run(signed_in_profile(demo_server.url))
    assert main(["profile", "sign-out", "eu", "--yes"]) == 0
    log = (tmp_path / "logs" / "access-log.jsonl").read_text(encoding="utf-8")
    assert '"action":"sign-out"' in log and '"profile":"eu"' in log
    assert credentials.get_secret(Profile(name="eu"), "ctrlhub_token", env={}) == ""


def test_the_window_signs_out_after_asking_and_shows_the_access_log(
    qtbot, qloop, demo_server, isolated_settings
):
    from PySide6.QtWidgets import QMessageBox

    from tests.conftest import until
    from tests.test_main_window import search_and_wait
    from viewer.ui.main_window import MainWindow

    profile, token = qloop.run_until_complete(signed_in_profile(demo_server.url))
    store = open_store()
    window = MainWindow(build_service(profile, store), profile_label="eu")
    qtbot.addWidget(window)
    window.show()
    logouts = auth_api.token_requests["ctrlhub_logout"]

    async def scenario():
        await search_and_wait(window, TYPICAL_MOBILE)
        await until(lambda: not window.service._saving, what="the save")
        assert masking._OTP_SPANS_BY_SHAPE  # the customer's texts, digits zeroed (mask_otp)
        window.exports.summary_action.trigger()  # a copy, recorded
        window.privacy.access_log_action.trigger()
        await until(
            lambda: getattr(window.privacy, "access_log_text", None) is not None, what="the log"
        )
        log_text = window.privacy.access_log_text.toPlainText()
        window.privacy.dialog.close()
        window.privacy.sign_out_action.trigger()
        box = window.privacy.dialog
        assert isinstance(box, QMessageBox) and "Sign out of “eu”" in box.text()
        box.button(QMessageBox.StandardButton.Yes).click()
        await until(
            lambda: (
                window.message_bar.isVisible() and "Signed out" in window.message_bar.text.text()
            ),
            what="the sign-out sentence",
        )
        return log_text

    log_text = qloop.run_until_complete(scenario())
    assert "copy" in log_text and "lookup" in log_text and "+91 ••••• ••345" in log_text
    assert TYPICAL_MOBILE not in log_text
    assert window.service is None and window.result is None  # nothing of the profile on screen
    assert not masking._OTP_SPANS_BY_SHAPE  # nor in the window's memory
    assert auth_api.token_requests["ctrlhub_logout"] == logouts + 1
    assert not auth_api.valid(token, "ctrlhub_session")
    assert keyring_entries(isolated_settings, "eu") == []
    assert store.load_lookup("eu", QUERY) is None
    qloop.run_until_complete(window.shutdown())
    store.close()


def test_signing_out_right_after_the_answer_leaves_no_customer_saved(
    qtbot, qloop, demo_server, isolated_settings
):
    """The search that painted the answer saves it once the list has painted; signing out
    at that very moment cancels the search, and its save must land before the clear, not
    after it (100,000 messages: the save takes long enough to show the race)."""
    import asyncio

    from tests.conftest import BULK_EXTERNAL_ID, until
    from tests.test_main_window import search
    from viewer.ui.main_window import MainWindow

    profile, _token = qloop.run_until_complete(signed_in_profile(demo_server.url))
    store = open_store()
    service = build_service(profile, store)
    window = MainWindow(service, profile_label="eu")
    qtbot.addWidget(window)
    window.show()
    signing_out: list[asyncio.Task] = []

    def sign_out_at_the_answer(_seconds: float) -> None:
        if window.searches.shown is not None and window.searches.shown.final and not signing_out:
            signing_out.append(window.privacy.sign_out(load_config().profiles["eu"]))

    window.searches.result_shown.connect(sign_out_at_the_answer)

    async def scenario() -> None:
        search(window, BULK_EXTERNAL_ID)
        await until(lambda: bool(signing_out) and signing_out[0].done(), what="the sign-out")
        await service.settle()  # a save started too late would land now

    qloop.run_until_complete(scenario())
    assert window.service is None and window.result is None
    query = Query(IdentifierKind.EXTERNAL_ID, BULK_EXTERNAL_ID)
    assert store.load_lookup("eu", query) is None  # not saved back after the clear
    assert store.recent("eu") == []
    qloop.run_until_complete(window.shutdown())
    store.close()


def test_a_connection_that_fails_to_close_does_not_stop_a_sign_out(
    qtbot, qloop, demo_server, isolated_settings, caplog
):
    """Switching away closes the old connection; a sign-out or deletion waits for that.
    A source that fails to close is logged, and the sign-out still clears everything."""
    from viewer.ui.main_window import MainWindow

    profile, _token = qloop.run_until_complete(signed_in_profile(demo_server.url))
    store = open_store()
    service = build_service(profile, store)
    window = MainWindow(service, profile_label="eu")
    qtbot.addWidget(window)

    async def broken_close() -> None:
        raise OSError("socket already gone")

    service.sources[0].aclose = broken_close
    try:
        qloop.run_until_complete(window.privacy.sign_out(load_config().profiles["eu"]))
        assert window.service is None
        assert "Signed out" in window.message_bar.text.text()
        assert keyring_entries(isolated_settings, "eu") == []
        assert "closing the previous connection failed: OSError" in caplog.text
    finally:
        qloop.run_until_complete(window.shutdown())
        store.close()
