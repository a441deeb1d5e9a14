"""Generated Capillary interaction history for the demo people.

Each person's history comes from `random.Random("capillary/<key>")`, so it does not depend
on which customers were asked for first, and is the same on every run. Histories are built on
first use and cached: start-up stays instant even though one customer has 100,000 messages.
Times are kept as aware UTC datetimes here; `capillary_api` renders them per response shape.
"""

from __future__ import annotations

import bisect
import random
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from .data import ANCHOR, PEOPLE, SPAN, TENANT_TZ, Person, digits

# The order the vendor's flat sample lists channels in; generated customers use it too.
CHANNEL_ORDER = (
    "survey",
    "line",
    "viber",
    "email",
    "whatsapp",
    "missed_call",
    "phone",
    "sms",
    "zalo",
)
MISSED_CALL, SURVEY = "missed_call", "survey"

# Statuses that mean the message reached the customer: only these get a delivered time.
DELIVERED_STATUSES = frozenset({"DELIVERED", "OPENED", "CLICKED", "MARKED_SPAM"})

_BAD = ["FAILED", "NOT-DELIVERED", "BLOCKED"]
STATUSES: dict[str, tuple[list[str], list[int]]] = {
    "email": (
        [
            "DELIVERED",
            "OPENED",
            "CLICKED",
            "SENT",
            "SOFT_BOUNCED",
            "HARD_BOUNCED",
            "MARKED_SPAM",
            *_BAD,
        ],
        [30, 25, 12, 6, 5, 3, 2, 3, 3, 1],
    ),
    "sms": (
        ["DELIVERED", "SENT", "IN_GTW", "DND_BLOCKED", "GTW_NOT_FOUND", *_BAD],
        [50, 8, 4, 4, 3, 4, 4, 2],
    ),
    "chat": (["DELIVERED", "SENT", "IN_GTW", *_BAD], [55, 10, 4, 5, 4, 2]),
    "phone": (["DELIVERED", "GTW_NOT_FOUND", "FAILED", "NOT-DELIVERED"], [6, 2, 2, 1]),
}

# (text, part of a campaign?) — transactional messages carry campaignId -1.
# OTPs are masked the way a tenant with OTP masking returns them.
TEXTS: dict[str, list[tuple[str, bool]]] = {
    "email": [
        ("Your November rewards are here 🎁", True),
        ("Double points this weekend only!", True),
        ("Welcome to Gold tier ✨", True),
        ("{first}, your birthday treat is waiting 🎂", True),
        ("We miss you — here's 20% off", True),
        ("Flash sale: 48 hours only ⏰", True),
        ("Points expiring soon: use {points} points before month end", True),
        ("Neue Kollektion: Herbst/Winter 2026 🍂", True),
        ("¡Última oportunidad! Descuentos de hasta el 50 %", True),
        ("Ưu đãi đặc biệt dành riêng cho bạn", True),
        ("Özel fırsat: sepette %30 indirim", True),
        ("会员专享：双倍积分活动 🎉", True),
        ("Rappel : votre panier vous attend 🛒", True),
        ("Early access: the Winter Sale starts now ❄️", True),
        ("How did we do? Rate your visit ⭐⭐⭐⭐⭐", True),
        ("Your receipt for order #{order}", False),
        ("Your password was changed", False),
        ("Your statement of points – {points} pts", False),
    ],
    "sms": [
        ("Your OTP is ******. Valid for 10 minutes. Do not share it with anyone.", False),
        ("****** is your DemoMart verification code.", False),
        (
            "Hi {first}, you earned {points} points on your last purchase. Balance: {balance}.",
            False,
        ),
        ("Your order #{order} has been dispatched. Track: https://t.example.com/{code}", False),
        ("Flash sale! Extra 15% off today only. T&C apply. STOP to 56161", True),
        ("Welcome to DemoMart Rewards, {first}! 🎉", True),
        ("Your points worth Rs. {inr} expire on 30-11-2026. Redeem now.", True),
        ("Reminder: your store appointment is tomorrow at {hour}:00.", False),
    ],
    "whatsapp": [
        ("Hi {first} 👋 your order #{order} is out for delivery 🚚", False),
        ("Your e-receipt for ₹{inr} is ready 🧾 https://r.example.com/{code}", False),
        ("🎁 Members' week: 3x points on everything until Sunday!", True),
        ("مرحبا {first}! لديك {points} نقطة جديدة 🎉", True),
        ("Your OTP is ******", False),
        ("New arrivals just dropped 👗👟 Tap to shop.", True),
    ],
    "viber": [
        ("Viber exclusive: free delivery this week 📦", True),
        ("Hi {first}, your loyalty card is now Gold ✨", True),
        ("Your order #{order} is ready for pick-up.", False),
    ],
    "line": [
        ("スタンプがもらえるキャンペーン実施中！🎉", True),
        ("โปรโมชั่นพิเศษสำหรับสมาชิก ลด 20% 🎉", True),
        ("{first}, your coupon expires in 3 days ⏳", True),
        ("Order #{order} confirmed. Thank you!", False),
    ],
    "zalo": [
        ("Chào {first}! Bạn có {points} điểm thưởng mới 🎉", True),
        ("Đơn hàng #{order} đang được giao 🚚", False),
        ("Mã OTP của bạn là ******", False),
    ],
    "phone": [
        ("IVR: order #{order} confirmation call", False),
        ("Outbound call: delivery rescheduled", False),
        ("Voice OTP ******", False),
    ],
    "rcs": [
        ("Rich card: new season lookbook 🧥", True),
        ("Carousel: 4 picks for you, {first}", True),
        ("Your order #{order} has shipped 📦", False),
    ],
}

SURVEY_NAMES = [
    "Post-purchase NPS",
    "Store visit feedback",
    "Delivery experience",
    "Avis client – magasin",
    "Müşteri memnuniyeti anketi",
]

# Generic customers: (probability the channel has any messages, min, max).
PROFILE = {
    "email": (0.9, 3, 30),
    "sms": (0.85, 2, 20),
    "whatsapp": (0.55, 1, 12),
    "viber": (0.2, 1, 5),
    "line": (0.1, 1, 4),
    "zalo": (0.05, 1, 3),
    "phone": (0.3, 1, 4),
}

# Per-person counts that make a demo point (see the note column of `demo-server --list`).
OVERRIDES: dict[str, dict[str, int]] = {
    "priya": {"viber": 1, SURVEY: 1, "email": 12},  # one message -> bare object in nested
    "jose": {"whatsapp": 4},
    "an": {"zalo": 9},
    "yuki": {"line": 12},
    "somchai": {"line": 7},
    "fatima": {"whatsapp": 25},
    "liwei": {"whatsapp": 10, "line": 4},
    "amelia": {"email": 100},  # and count 130: see _build
    "soren": {"rcs": 6},
    "chloe": {SURVEY: 0},
    "noah": dict.fromkeys((*PROFILE, SURVEY, MISSED_CALL), 0),
    "bulk": {
        "email": 40_000,
        "sms": 35_000,
        "whatsapp": 15_000,
        "viber": 5_000,
        "phone": 5_000,
        "line": 0,
        "zalo": 0,
        SURVEY: 2,
        MISSED_CALL: 12,
    },
}

CHLOE_WARNING = {
    "status": False,
    "code": 8809,
    "message": "Survey interactions are temporarily unavailable; the list may be incomplete",
}


@dataclass(slots=True)
class Message:
    id: int
    receiver: str
    subject: str
    campaign_id: int  # -1 when the message belongs to no campaign
    status: str
    sent: datetime  # aware, UTC
    delivered: datetime | None
    user_id: int


@dataclass
class Survey:
    name: str
    nps_score: int | None  # None: sent but never completed
    sent_by: str
    response_url: str
    sent: datetime
    completed: datetime | None


@dataclass
class Channel:
    name: str
    count: int  # may exceed len(messages): the API lists only the latest ones
    messages: list[Message] = field(default_factory=list)
    surveys: list[Survey] = field(default_factory=list)
    used_status: bool = False
    # The vendor sample says "null" even for a channel with messages; generated ones give a time.
    last_time_null: bool = False

    def last_time(self) -> datetime | None:
        times = [m.sent for m in self.messages] + [s.sent for s in self.surveys]
        return None if self.last_time_null or not times else max(times)


@dataclass
class CapillaryCustomer:
    person: Person
    channels: list[Channel]
    warnings: list[dict] = field(default_factory=list)


def find_person(identifier_name: str, value: str) -> Person | None:
    """Match like the API: mobile on digits only, e-mail case-insensitively, external id exactly."""
    value = value.strip()
    for p in PEOPLE:
        if not p.in_capillary:
            continue
        if identifier_name == "mobile" and digits(value) and digits(value) == p.mobile:
            return p
        if identifier_name == "email" and value and value.lower() == p.email.lower():
            return p
        if identifier_name == "external_id" and value and value == p.external_id:
            return p
    return None


_cache: dict[str, CapillaryCustomer] = {}
_cache_lock = threading.Lock()


def customer(person: Person) -> CapillaryCustomer:
    # One lock for all: concurrent first requests for the 100k customer build it once.
    with _cache_lock:
        if person.key not in _cache:
            _cache[person.key] = _build(person)
        return _cache[person.key]


def _build(person: Person) -> CapillaryCustomer:
    if person.key == "kavya":
        return _nested_sample(person)
    if person.key == "akash":
        return _flat_sample(person)
    rng = random.Random(f"capillary/{person.key}")
    overrides = OVERRIDES.get(person.key, {})
    names = list(CHANNEL_ORDER) + [
        n for n in overrides if n not in CHANNEL_ORDER and n not in (SURVEY, MISSED_CALL)
    ]
    channels = []
    for name in names:
        if name == SURVEY:
            channels.append(
                _surveys(person, rng, overrides.get(SURVEY, rng.choice([0, 0, 1, 2, 3])))
            )
        elif name == MISSED_CALL:
            n = overrides.get(MISSED_CALL, rng.choice([0, 0, 0, 1, 2, 5]))
            channels.append(Channel(name, n, used_status=n > 0 and rng.random() < 0.5))
        else:
            if name in overrides:
                n = overrides[name]
            else:
                chance, low, high = PROFILE[name]
                n = rng.randint(low, high) if rng.random() < chance else 0
            channels.append(Channel(name, n, _messages(person, rng, name, n)))
    result = CapillaryCustomer(person, channels)
    if person.key == "amelia":
        _channel(result, "email").count = 130  # "100 of 130": the API lists fewer than it counts
    if person.key == "jose":
        latest = _channel(result, "whatsapp").messages[-1]
        latest.status, latest.delivered = "QUEUED_FOR_RETRY", None
    if person.key == "chloe":
        result.warnings.append(dict(CHLOE_WARNING))
    return result


def _channel(c: CapillaryCustomer, name: str) -> Channel:
    return next(ch for ch in c.channels if ch.name == name)


class _Fields(dict):
    """Values for message templates, drawn only when a template asks for them."""

    def __init__(self, person: Person, rng: random.Random) -> None:
        super().__init__(first=person.first_name)
        self.rng = rng

    def __missing__(self, key: str) -> str:
        r = self.rng
        value = {
            "order": lambda: str(r.randrange(100_000, 1_000_000)),
            "points": lambda: str(r.randrange(50, 2_000)),
            "balance": lambda: f"{r.randrange(100, 20_000):,}",
            "inr": lambda: str(r.randrange(100, 5_000)),
            "code": lambda: f"{r.getrandbits(32):08x}",
            "hour": lambda: str(r.randrange(10, 19)),
        }[key]()
        return value


def _messages(person: Person, rng: random.Random, channel: str, n: int) -> list[Message]:
    texts = TEXTS[channel]
    kind = channel if channel in STATUSES else "chat"
    statuses, weights = STATUSES[kind]
    # Plain rng.random() arithmetic instead of randrange/choices: the 100k customer is built
    # on a user's first request, so this loop must be quick.
    total = sum(weights)
    cum = [sum(weights[: i + 1]) / total for i in range(len(weights))]
    receiver = person.email if channel == "email" else person.mobile
    campaigns = [rng.randrange(200_000, 1_300_000) for _ in range(6)]
    fields = _Fields(person, rng)
    span = int(SPAN.total_seconds())
    random_ = rng.random
    seen: set[int] = set()
    out = []
    for _ in range(n):
        sent = ANCHOR - timedelta(seconds=int(random_() * span))
        status = statuses[bisect.bisect_left(cum, random_() * cum[-1])]
        delivered = (
            sent + timedelta(seconds=1 + int(random_() * 900))
            if status in DELIVERED_STATUSES
            else None
        )
        text, in_campaign = texts[int(random_() * len(texts))]
        subject = text.format_map(fields) if "{" in text else text
        # Ids look like the sample's: a millisecond stamp from shortly before sending.
        msg_id = int(sent.timestamp() * 1000) - int(random_() * 10**9)
        while msg_id in seen:
            msg_id += 1
        seen.add(msg_id)
        campaign = campaigns[int(random_() * len(campaigns))] if in_campaign else -1
        out.append(
            Message(
                msg_id, receiver, subject, campaign, status, sent, delivered, person.capillary_id
            )
        )
    out.sort(key=lambda m: m.sent)
    return out


def _surveys(person: Person, rng: random.Random, n: int) -> Channel:
    span = int(SPAN.total_seconds())
    surveys = []
    for _ in range(n):
        sent = ANCHOR - timedelta(seconds=rng.randrange(span))
        done = rng.random() < 0.75
        surveys.append(
            Survey(
                name=rng.choice(SURVEY_NAMES),
                nps_score=rng.randint(0, 10) if done else None,
                sent_by=rng.choice(["email", "sms", "whatsapp"]),
                response_url=f"https://survey.example.com/r/{rng.getrandbits(48):012x}",
                sent=sent,
                completed=sent + timedelta(minutes=rng.randrange(2, 4000)) if done else None,
            )
        )
    surveys.sort(key=lambda s: s.sent)
    return Channel(SURVEY, n, surveys=surveys, used_status=any(s.completed for s in surveys))


# --- the vendor's reference page, verbatim -------------------------------------------------


def _ist(text: str, fmt: str) -> datetime:
    """A naive tenant-zone time from the sample, as aware UTC."""
    return datetime.strptime(text, fmt).replace(tzinfo=TENANT_TZ).astimezone(UTC)


def _nested_sample(person: Person) -> CapillaryCustomer:
    fmt = "%Y-%m-%d %H:%M:%S"
    email = [
        Message(
            1743467374476,
            person.email,
            "Loyalty+ Release Notes - JFM'25 (Part 1\ufe0f\u20e3)",
            267560,
            "OPENED",
            _ist("2025-04-14 14:23:20", fmt),
            _ist("2025-04-14 14:23:20", fmt),
            person.capillary_id,
        ),
        Message(
            1743467660038,
            person.email,
            "Loyalty+ Release Notes - JFM'25 (Part 2\ufe0f\u20e3)",
            267560,
            "DELIVERED",
            _ist("2025-04-16 15:32:10", fmt),
            _ist("2025-04-16 15:32:20", fmt),
            person.capillary_id,
        ),
    ]
    order = ("survey", "missed_call", "whatsapp", "zalo", "line", "phone", "sms")
    channels = [Channel(name, 0, last_time_null=True) for name in order]
    channels.append(Channel("email", 2, email, last_time_null=True))
    return CapillaryCustomer(person, channels)


def _flat_sample(person: Person) -> CapillaryCustomer:
    fmt = "%d-%m-%Y %H:%M:%S"

    def msg(msg_id: int, subject: str, campaign: int, status: str, sent: str) -> Message:
        return Message(
            msg_id,
            person.mobile,
            subject,
            campaign,
            status,
            _ist(sent, fmt),
            None,
            person.capillary_id,
        )

    viber = [
        msg(1746038123052, "AAAAAAACCCCCCC", 1241780, "FAILED", "26-05-2025 15:52:02"),
        msg(1746038123393, "test-hello", 1241780, "FAILED", "26-05-2025 16:17:07"),
        msg(
            1746038178479,
            "Hii,This is the message in viber.",
            1242049,
            "FAILED",
            "28-05-2025 13:52:07",
        ),
    ]
    # The sample lists the same four messages under both "phone" and "sms", unsorted.
    text = "Sample message Akash Vibertest"
    phone = [
        msg(1740767431623, text, -1, "GTW_NOT_FOUND", "07-03-2025 13:48:50"),
        msg(1740767429676, text, -1, "GTW_NOT_FOUND", "07-03-2025 12:57:06"),
        msg(1740767429770, text, -1, "GTW_NOT_FOUND", "07-03-2025 13:01:12"),
        msg(1740767430545, text, -1, "GTW_NOT_FOUND", "07-03-2025 13:37:22"),
    ]
    sms = [
        Message(
            m.id, m.receiver, m.subject, m.campaign_id, m.status, m.sent, m.delivered, m.user_id
        )
        for m in phone
    ]
    counts = {"viber": viber, "phone": phone, "sms": sms}
    channels = [
        Channel(name, len(counts.get(name, [])), counts.get(name, []), last_time_null=True)
        for name in CHANNEL_ORDER
    ]
    return CapillaryCustomer(person, channels)
