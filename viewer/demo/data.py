"""The demo people, shared by the fake Capillary and the fake Ctrl-Hub.

Everything here is fixed text, so every run (and every machine) sees the same customers.
Telephone numbers use ranges reserved for fiction where a country has one (UK 7700 900xxx,
Australia 491 570 xxx); e-mail domains are the reserved example.com/.org/.net.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

DEMO_CAPILLARY_USERNAME = "demo"
DEMO_CAPILLARY_PASSWORD = "demo-password"
DEMO_CAPILLARY_TIMEZONE = "Asia/Kolkata"  # the demo tenant's zone: naive times are in it
DEMO_CTRLHUB_ORG = "5f0c3a1e-8b7d-4c2a-9e61-3d4b2a1c0f9e"
DEMO_CTRLHUB_TOKEN = "demo-session-token"  # a pasted session token that never expires
# Sign-in credentials the demo's auth endpoints accept (viewer/demo/auth_api.py).
DEMO_CAPILLARY_OAUTH_KEY = "demo-key"
DEMO_CAPILLARY_OAUTH_SECRET = "demo-oauth-secret"
DEMO_CTRLHUB_USER = "agent@northfield-homes.example.com"
DEMO_CTRLHUB_PASSWORD = "demo-password"
DEMO_CTRLHUB_CLIENT_ID = "demo-client"
DEMO_CTRLHUB_CLIENT_SECRET = "demo-client-secret"

# Kolkata has had no DST since 1945, so a fixed offset is exact and needs no tz database
# (Windows has none unless tzdata is installed).
TENANT_TZ = timezone(timedelta(hours=5, minutes=30), "IST")

# Generated dates are relative to this instant, never to "now", so replies never change.
ANCHOR = datetime(2026, 11, 1, 12, 0, 0, tzinfo=UTC)
SPAN = timedelta(days=730)  # data spreads over the two years before ANCHOR


@dataclass(frozen=True)
class DemoCustomer:
    name: str
    mobile: str  # digits with country code, no "+"
    email: str
    external_id: str
    in_capillary: bool
    in_ctrlhub: bool
    note: str = ""


@dataclass(frozen=True)
class Person:
    """One demo customer with what either back end needs to describe them."""

    key: str  # stable slug: seeds this person's random generators
    name: str  # display name, as Capillary's flat reply gives it
    first_name: str
    last_name: str
    salutation: str
    mobile: str
    telephone: str  # how Ctrl-Hub shows the same number
    email: str
    external_id: str
    capillary_id: int
    in_capillary: bool = True
    in_ctrlhub: bool = True
    note: str = ""

    def customer(self) -> DemoCustomer:
        return DemoCustomer(
            self.name,
            self.mobile,
            self.email,
            self.external_id,
            self.in_capillary,
            self.in_ctrlhub,
            self.note,
        )


def _p(
    key,
    name,
    first,
    last,
    salutation,
    mobile,
    telephone,
    email,
    external_id,
    capillary_id,
    cap=True,
    ch=True,
    note="",
):
    return Person(
        key,
        name,
        first,
        last,
        salutation,
        mobile,
        telephone,
        email,
        external_id,
        capillary_id,
        cap,
        ch,
        note,
    )


# Keys referenced elsewhere (capillary_data / ctrlhub_data give some people special data).
PEOPLE: tuple[Person, ...] = (
    _p(
        "priya",
        "Priya Sharma",
        "Priya",
        "Sharma",
        "Ms",
        "919845012345",
        "+91 98450 12345",
        "priya.sharma@example.com",
        "CRM-100234",
        381204117,
        note="typical; a one-message channel",
    ),
    _p(
        "zoe",
        "Zoë Müller",
        "Zoë",
        "Müller",
        "Ms",
        "4915112345678",
        "+49 1511 2345678",
        "zoe.mueller@example.org",
        "CRM-100235",
        381204118,
    ),
    _p(
        "jose",
        "José Álvarez",
        "José",
        "Álvarez",
        "Mr",
        "34612345678",
        "+34 612 34 56 78",
        "jose.alvarez@example.net",
        "CRM-100236",
        381204119,
        note='unknown status "QUEUED_FOR_RETRY"',
    ),
    _p(
        "an",
        "Nguyễn Văn An",
        "Văn An",
        "Nguyễn",
        "Mr",
        "84912345678",
        "+84 912 345 678",
        "nguyen.van.an@example.com",
        "CRM-100237",
        381204120,
        note="Zalo messages",
    ),
    _p(
        "ayse",
        "Ayşe Yılmaz",
        "Ayşe",
        "Yılmaz",
        "Ms",
        "905321234567",
        "+90 532 123 45 67",
        "ayse.yilmaz@example.org",
        "CRM-100238",
        381204121,
    ),
    # Mixed-case e-mail on purpose: e-mail lookups must be case-insensitive.
    _p(
        "siobhan",
        "Siobhán O'Connor",
        "Siobhán",
        "O'Connor",
        "Ms",
        "353871234567",
        "+353 87 123 4567",
        "Siobhan.OConnor@Example.com",
        "CRM-100239",
        381204122,
    ),
    _p(
        "liwei",
        "李伟",
        "伟",
        "李",
        "Mr",
        "8613812345678",
        "+86 138 1234 5678",
        "liwei@example.net",
        "CRM-100240",
        381204123,
        ch=False,
        note="Capillary only",
    ),
    # The two customers of the vendor's reference page (seeds/004_…): their messages are the
    # sample's, verbatim. The nested sample's e-mail address is hidden in the seed, so ours is made up.
    _p(
        "kavya",
        "Kavya Reddy",
        "Kavya",
        "Reddy",
        "Ms",
        "919148574269",
        "+91 91485 74269",
        "kavya.reddy@example.com",
        "",
        565039505,
        ch=False,
        note="vendor sample (nested)",
    ),
    _p(
        "akash",
        "Akash Vibertest",
        "Akash",
        "Vibertest",
        "Mr",
        "917385022695",
        "+91 73850 22695",
        "akash.vibertest@example.com",
        "CRM-100242",
        432796209,
        note="vendor sample (flat)",
    ),
    _p(
        "bulk",
        "Ravi Menon",
        "Ravi",
        "Menon",
        "Mr",
        "919999900000",
        "+91 99999 00000",
        "bulk.customer@example.com",
        "BULK-100K",
        381204125,
        ch=False,
        note="100,000 messages",
    ),
    _p(
        "yuki",
        "田中 優希",
        "優希",
        "田中",
        "Mx",
        "819012345678",
        "+81 90 1234 5678",
        "yuki.tanaka@example.com",
        "CRM-100244",
        381204126,
        note="LINE messages",
    ),
    _p(
        "somchai",
        "สมชาย ใจดี",
        "สมชาย",
        "ใจดี",
        "Mr",
        "66812345678",
        "+66 81 234 5678",
        "somchai.j@example.net",
        "CRM-100245",
        381204127,
    ),
    _p(
        "fatima",
        "فاطمة السيد",
        "فاطمة",
        "السيد",
        "Ms",
        "971501234567",
        "+971 50 123 4567",
        "fatima.alsayed@example.com",
        "CRM-100246",
        381204128,
        note="right-to-left name; WhatsApp",
    ),
    _p(
        "oliver",
        "Oliver Smith",
        "Oliver",
        "Smith",
        "Mr",
        "447700900123",
        "+44 7700 900123",
        "oliver.smith@example.com",
        "CRM-100247",
        381204129,
        note="shares a Ctrl-Hub account with Amelia Jones",
    ),
    _p(
        "amelia",
        "Amelia Jones",
        "Amelia",
        "Jones",
        "Mrs",
        "447700900234",
        "+44 7700 900234",
        "amelia.jones@example.org",
        "CRM-100248",
        381204130,
        note="e-mail 100 of 130; 150 Ctrl-Hub interactions",
    ),
    _p(
        "soren",
        "Søren Nielsen",
        "Søren",
        "Nielsen",
        "Mr",
        "4520123456",
        "+45 20 12 34 56",
        "soren.nielsen@example.net",
        "CRM-100249",
        381204131,
        note='unknown channel "rcs"',
    ),
    _p(
        "malgorzata",
        "Małgorzata Kowalska",
        "Małgorzata",
        "Kowalska",
        "Ms",
        "48601234567",
        "+48 601 234 567",
        "m.kowalska@example.com",
        "CRM-100250",
        381204132,
    ),
    _p(
        "olumide",
        "Olumide Adeyemi",
        "Olumide",
        "Adeyemi",
        "Mr",
        "447700900456",
        "+44 7700 900456",
        "olumide.adeyemi@example.com",
        "",
        0,
        cap=False,
        note="Ctrl-Hub only",
    ),
    _p(
        "eilidh",
        "Eilidh MacLeod",
        "Eilidh",
        "MacLeod",
        "Miss",
        "447700900567",
        "+44 7700 900567",
        "eilidh.macleod@example.org",
        "",
        0,
        cap=False,
        note="Ctrl-Hub only",
    ),
    _p(
        "chloe",
        "Chloé Dubois",
        "Chloé",
        "Dubois",
        "Ms",
        "33612345678",
        "+33 6 12 34 56 78",
        "chloe.dubois@example.net",
        "CRM-100253",
        381204135,
        note="reply carries a warning",
    ),
    _p(
        "ana",
        "Ana Beatriz Souza",
        "Ana Beatriz",
        "Souza",
        "Ms",
        "5511912345678",
        "+55 11 91234 5678",
        "ana.souza@example.com",
        "CRM-100254",
        381204136,
    ),
    _p(
        "noah",
        "Noah Williams",
        "Noah",
        "Williams",
        "Mr",
        "61491570156",
        "+61 491 570 156",
        "noah.williams@example.com",
        "CRM-100255",
        381204137,
        note="no interactions anywhere",
    ),
)


def digits(text: str) -> str:
    """Telephone numbers are compared on their digits only ("+44 7700 900123" == "447700900123")."""
    return re.sub(r"\D", "", text)


def demo_customers() -> list[DemoCustomer]:
    return [p.customer() for p in PEOPLE]


def _check() -> None:
    # Cheap guard against typos in the table above: the two spellings of a number must agree.
    for p in PEOPLE:
        if digits(p.telephone) != p.mobile:
            raise ValueError(f"demo person {p.key}: telephone and mobile disagree")


_check()
