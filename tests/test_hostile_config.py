"""config.toml as a hand-edited, copied or hostile file (issue 10, items 9 and 10).

A line TOML cannot read is named and the rest still works; a profile with an unsafe
address is skipped (a Basic header never travels over plain HTTP, a password never sits in
a URL); any profile name survives being saved (the emoji name once cost every profile);
the file is user-only.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import replace
from ipaddress import ip_address
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile_server import HostileServer, Raw, json_reply
from viewer import profiles
from viewer.profiles import CONFIG_FILE, Config, Profile, load_config, save_profile, write_config
from viewer.sources.capillary import INTERACTION_PATH

NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
PASSWORD = "hunter2-in-the-url"


def run(
    *args: str, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess:
    full = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("VIEWER_CAPILLARY", "VIEWER_CTRLHUB"))
    }
    return subprocess.run(
        [sys.executable, "-m", "viewer", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**full, **NO_KEYRING, **(env or {})},
        timeout=60,
    )


def config_path() -> Path:
    return profiles.config_dir() / CONFIG_FILE


def write_file(text: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def profile_table(name: str, url: str) -> str:
    return (
        f'[profiles."{name}"]\ncapillary_url = "{url}"\ncapillary_username = "agent"\n'
        'capillary_timezone = "Asia/Kolkata"\n\n'
    )


def one_customer(seen) -> Raw:
    if seen.path == INTERACTION_PATH:
        return json_reply({"name": "Priya Sharma", "interaction": [], "warnings": []})
    return Raw(404, b"{}")


# -- a file TOML cannot read ------------------------------------------------------------

BROKEN_AT_LINE_7 = (
    'last_profile = "good"\n'  # 1
    "\n"  # 2
    "[profiles.good]\n"  # 3
    'capillary_url = "{url}"\n'  # 4
    'capillary_username = "agent"\n'  # 5
    "[profiles.typo]\n"  # 6
    'capillary_url = "https://eu.api.capillarytech.com\n'  # 7: the closing quote is missing
    'capillary_username = "agent"\n'  # 8
)


@pytest.mark.parametrize(
    "command",
    [
        ["lookup", "--mobile", "919845012345"],
        ["profile", "list"],
        ["interaction", "3c90c3cc-0d44-4b50-8888-8dd25736052a"],
    ],
)
def test_a_malformed_file_is_one_sentence_naming_the_line_and_exit_2(command):
    write_file(BROKEN_AT_LINE_7.format(url="https://eu.api.capillarytech.com"))
    done = run(*command)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "ValueError" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("customer-viewer: config.toml line 7: ")


def test_the_window_goes_on_with_the_readable_profiles_and_says_which_line(qtbot, qloop):
    from viewer.app import DemoOnDemand, initial_profile
    from viewer.ui.connection_controller import ConnectionController
    from viewer.ui.main_window import MainWindow

    with HostileServer(one_customer) as server:
        write_file(BROKEN_AT_LINE_7.format(url=server.url))
        demo = DemoOnDemand()
        profile, problem = initial_profile(False, None, demo)
        window = MainWindow(None)
        qtbot.addWidget(window)
        controller = ConnectionController(window, demo)
        controller.use(profile)
        window.message_bar.show_message("error", [problem])  # as run_gui does
        assert profile is not None and profile.name == "good"
        assert "config.toml line 7" in window.message_bar.text.text()
        assert [controller.switcher.itemText(i) for i in range(controller.switcher.count())] == [
            "good"
        ]
        qloop.run_until_complete(window.shutdown())
        demo.stop()


def test_saving_after_a_malformed_file_keeps_the_old_file_beside_the_new_one():
    original = BROKEN_AT_LINE_7.format(url="https://eu.api.capillarytech.com")
    write_file(original)
    save_profile(
        Profile(
            name="new", capillary_url="https://in.api.capillarytech.com", capillary_username="b"
        )
    )
    kept = list(config_path().parent.glob("config-unreadable-*.toml"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == original  # nothing lost
    saved = tomllib.loads(config_path().read_text(encoding="utf-8"))
    assert set(saved["profiles"]) == {"good", "new"}


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.binary(max_size=400)
    | st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass"))
)
def test_any_file_content_gives_a_config_never_an_exception(content):
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / CONFIG_FILE).write_bytes(content)
        config = load_config({"VIEWER_CONFIG_DIR": folder})
    assert isinstance(config, Config)
    assert all(isinstance(p, str) and p for p in config.problems)


# -- profiles with unsafe addresses -------------------------------------------------------

UNSAFE_URLS = {
    "plain": ("http://crm.example.com", "must start with https://"),
    "userinfo": (
        f"https://agent:{PASSWORD}@crm.example.com",
        "must not hold a user name or password",
    ),
    "notaurl": ("not a url", "not a web address"),
    "badport": ("https://crm.example.com:http", "not a web address"),
}


@pytest.fixture
def mixed_file():
    with HostileServer(one_customer) as server:
        text = 'last_profile = "good"\n\n' + profile_table("good", server.url)
        text += "".join(profile_table(name, url) for name, (url, _says) in UNSAFE_URLS.items())
        write_file(text)
        yield server


def test_unsafe_profiles_are_skipped_with_a_sentence_and_the_good_one_works(mixed_file):
    done = run(
        "lookup",
        "--mobile",
        "919845012345",
        "--json",
        env={"VIEWER_CAPILLARY_PASSWORD": "pw-not-a-test-secret"},
    )
    assert done.returncode == 0, done.stderr
    assert "Priya Sharma" in done.stdout
    for name, (_url, says) in UNSAFE_URLS.items():
        assert (
            f"Profile “{name}” in config.toml is not used: " in done.stderr and says in done.stderr
        )
    assert PASSWORD not in done.stderr  # the sentence does not repeat the password


@pytest.mark.parametrize("name", sorted(UNSAFE_URLS))
def test_choosing_an_unsafe_profile_sends_nothing(mixed_file, name):
    # The network is a proxy we own: any request the program made, to any host, reaches it.
    with HostileServer(lambda seen: Raw(200, b"{}")) as network:
        proxy = {
            "HTTP_PROXY": network.url,
            "HTTPS_PROXY": network.url,
            "ALL_PROXY": network.url,
            "NO_PROXY": "",
            "no_proxy": "",
            "http_proxy": network.url,
            "https_proxy": network.url,
        }
        done = run(
            "lookup",
            "--profile",
            name,
            "--mobile",
            "919845012345",
            env={"VIEWER_CAPILLARY_PASSWORD": "pw-not-a-test-secret", **proxy},
        )
        assert done.returncode == 2
        assert UNSAFE_URLS[name][1] in done.stderr and "Traceback" not in done.stderr
        assert network.count() == 0 and mixed_file.count() == 0  # no Basic header went anywhere


def test_the_plain_http_profile_would_have_sent_basic_auth_in_the_clear(mixed_file):
    """The attack itself, shown with the address the loader now refuses: a proxy on the way
    (any network in between) reads the Authorization header of an http:// profile."""
    with HostileServer(lambda seen: Raw(200, b"{}")) as network:
        proxy = {
            "HTTP_PROXY": network.url,
            "http_proxy": network.url,
            "NO_PROXY": "",
            "no_proxy": "",
        }
        env = {
            "VIEWER_CAPILLARY_URL": "http://crm.example.com",
            "VIEWER_CAPILLARY_USERNAME": "agent",
            "VIEWER_CAPILLARY_PASSWORD": "pw-not-a-test-secret",
            **proxy,
        }
        done = run("lookup", "--profile", "good", "--mobile", "919845012345", env=env)
        assert (
            done.returncode == 2 and "must start with https://" in done.stderr
        )  # the environment too
        assert network.count() == 0


def test_profile_add_refuses_a_password_in_the_url():
    done = run(
        "profile",
        "add",
        "eu",
        "--capillary-url",
        f"https://agent:{PASSWORD}@crm.example.com",
        "--capillary-username",
        "agent",
        "--secret-stdin",
        stdin="x\n",
    )
    assert done.returncode == 2 and "must not hold a user name or password" in done.stderr
    assert PASSWORD not in done.stderr
    assert not config_path().exists()


def test_saving_another_profile_keeps_a_skipped_one_as_it_was(mixed_file):
    save_profile(
        Profile(
            name="new", capillary_url="https://in.api.capillarytech.com", capillary_username="b"
        )
    )
    saved = tomllib.loads(config_path().read_text(encoding="utf-8"))
    assert set(saved["profiles"]) == {"good", "new", *UNSAFE_URLS}
    assert (
        saved["profiles"]["plain"]["capillary_url"] == "http://crm.example.com"
    )  # for its owner to fix
    assert set(load_config().profiles) == {"good", "new"}


# -- writing: any name survives, user-only ------------------------------------------------


def test_an_emoji_profile_name_no_longer_loses_every_profile(demo_server):
    for name in ("Prod 🇬🇧", "EU"):
        done = run(
            "profile",
            "add",
            name,
            "--capillary-url",
            demo_server.url,
            "--capillary-username",
            "demo",
            "--secret-stdin",
            stdin="not-kept\n",
        )
        assert done.returncode == 5, done.stderr  # saved; no secure keyring in these processes
    listed = run("profile", "list")
    assert listed.returncode == 0 and listed.stderr == ""
    assert "Prod 🇬🇧:" in listed.stdout and "EU:" in listed.stdout
    assert set(load_config().profiles) == {"Prod 🇬🇧", "EU"}


TEXT = st.text(
    st.characters(blacklist_categories=("Cs",)), max_size=40
)  # any text but lone surrogates


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    names=st.lists(TEXT, min_size=1, max_size=4, unique=True),
    username=TEXT,
    key=TEXT,
    zone=TEXT,
    ctrlhub_user=TEXT,
    client_id=TEXT,
    auth=st.sampled_from(profiles.CAPILLARY_AUTHS),
    hub_auth=st.sampled_from(profiles.CTRLHUB_AUTHS),
    seconds=st.floats(min_value=0.001, max_value=3600),
    keep_days=st.integers(1, 10_000),
    max_mb=st.integers(1, 10**6),
)
def test_write_then_load_gives_back_every_profile(
    names, username, key, zone, ctrlhub_user, client_id, auth, hub_auth, seconds, keep_days, max_mb
):
    written = {
        name: Profile(
            name=name,
            capillary_url="https://eu.api.capillarytech.com",
            capillary_auth=auth,
            capillary_username=username,
            capillary_key=key,
            capillary_timezone=zone,
            ctrlhub_org="5f0c3a1e-8b7d-4c2a-9e61-3d4b2a1c0f9e",
            ctrlhub_auth=hub_auth,
            ctrlhub_username=ctrlhub_user,
            ctrlhub_client_id=client_id,
            connect_timeout_s=seconds,
            read_timeout_s=seconds,
            deadline_s=seconds,
        )
        for name in names
    }
    config = Config(written, last_profile=names[-1], keep_days=keep_days, max_mb=max_mb)
    with tempfile.TemporaryDirectory() as folder:
        env = {"VIEWER_CONFIG_DIR": folder}
        write_config(config, env)
        loaded = load_config(env)
    assert loaded.problems == ()
    assert loaded.profiles == written
    assert (loaded.last_profile, loaded.keep_days, loaded.max_mb) == (names[-1], keep_days, max_mb)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=TEXT,
    url=st.one_of(
        TEXT,
        *(
            st.builds(f"{scheme}{{}}".format, TEXT)
            for scheme in ("https://", "http://", "http://127.0.0.1", "https://a:b@")
        ),
    ),
)
def test_any_address_is_loaded_checked_or_skipped_and_kept(name, url):
    """Whatever a profile's address, a save and a load give it back: as a usable profile
    when it is safe, else skipped with a sentence and its text kept."""
    config = Config({name: Profile(name=name, capillary_url=url, capillary_username="agent")})
    with tempfile.TemporaryDirectory() as folder:
        env = {"VIEWER_CONFIG_DIR": folder}
        write_config(config, env)
        loaded = load_config(env)
        write_config(replace(loaded, keep_days=7), env)  # a later save of something else
        again = load_config(env)
    if name in loaded.profiles:  # no address, or a safe one: https, or http to this computer
        parts = urlsplit(loaded.profiles[name].capillary_url or "https://")
        assert (
            parts.scheme == "https"
            or ip_address(parts.hostname).is_loopback
            or parts.hostname == "localhost"
        )
        assert "@" not in parts.netloc
    else:
        assert loaded.skipped[name].table["capillary_url"] == url and len(loaded.problems) == 1
    assert set(again.profiles) | set(again.skipped) == {name}


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_the_file_and_its_folder_are_user_only():
    folder = profiles.config_dir()
    folder.mkdir(parents=True, mode=0o755)
    os.chmod(folder, 0o755)  # as an older version (or the umask) left it
    (folder / CONFIG_FILE).write_text("", encoding="utf-8")
    os.chmod(folder / CONFIG_FILE, 0o644)
    save_profile(
        Profile(name="eu", capillary_url="https://eu.api.capillarytech.com", capillary_username="a")
    )
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / CONFIG_FILE).stat().st_mode) == 0o600
    assert not [p for p in folder.iterdir() if p.name.startswith(".config-")]  # no temporary left
