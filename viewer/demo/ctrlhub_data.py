"""Generated Ctrl-Hub data: contacts, accounts, properties, staff and interactions.

Resources are kept as ready-to-send JSON:API resource objects. Each person's resources come
from their own `random.Random("ctrlhub/<key>")`, so ids and contents are identical on every
run and do not shift when another person is added. Built once, on first use (a few ms).
"""

from __future__ import annotations

import random
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .data import ANCHOR, DEMO_CTRLHUB_ORG, PEOPLE, SPAN, Person

INTERACTION = "customer-interactions"
# Relationship name -> resource type it points at.
REL_TYPES = {
    "account": "customer-accounts",
    "author": "users",
    "contact": "contacts",
    "organisation": "organisations",
    "property": "properties",
    "representative": "users",
}

# Staff users; the last one is a system account with an e-mail and no profile at all.
STAFF: list[tuple[str, str] | tuple[None, None]] = [
    ("Hannah", "Patel"),
    ("Tomasz", "Nowak"),
    ("Grace", "O'Neill"),
    ("Kwame", "Mensah"),
    ("Émilie", "Laurent"),
    (None, None),
]
STAFF_DOMAIN = "northfield-homes.example.com"

STREETS = [
    "Albert Road",
    "Mill Lane",
    "Church Street",
    "Station Approach",
    "Victoria Terrace",
    "Queen's Drive",
    "Orchard Close",
    "Canal Wharf",
    "High Street",
    "Beech Grove",
]
TOWNS = [
    ("LEEDS", "LS"),
    ("YORK", "YO"),
    ("SHEFFIELD", "S"),
    ("BRADFORD", "BD"),
    ("HARROGATE", "HG"),
    ("WAKEFIELD", "WF"),
    ("HULL", "HU"),
    ("DONCASTER", "DN"),
]
BUILDING_NAMES = [
    "",
    "",
    "",
    "Rose Cottage",
    "Flat 2",
    "Flat 14, Kingfisher House",
    "The Old Forge",
]

METHODS = (["email", "telephone", "sms", "letter", "visit"], [35, 30, 20, 12, 3])
STATUSES = (
    [
        "completed",
        "no_answer",
        "cancelled",
        "failed",
        "in_progress",
        "awaiting_callback",
        "scheduled",
    ],
    [70, 8, 5, 3, 4, 5, 5],
)

SHORT_NOTES = {
    "email": [
        "Sent the repair appointment confirmation.",
        "Customer e-mailed photos of the leak.",
        "Replied about the rent statement query.",
        "Kundin bittet um Rückruf wegen Heizungsausfall – dringend.",
    ],
    "telephone": [
        "Left voicemail.",
        "Called to confirm the boiler service appointment.",
        "Customer rang about a noisy neighbour; logged with the housing officer.",
        "Client a signalé une fuite sous l'évier ; plombier prévu mardi.",
    ],
    "sms": [
        "Appointment reminder sent.",
        "Customer replied “YES” to confirm 👍",
        "Engineer running 30 min late — customer informed.",
    ],
    "letter": [
        "Annual gas safety letter posted.",
        "Rent review letter (2026/27) posted.",
        "Customer wrote in about the garden fence.",
    ],
    "visit": [
        "Home visit: meter reading taken (E 12 345 kWh).",
        "Visited — nobody home, card left.",
    ],
}

LONG_NOTES = [
    "Customer reported damp and black mould on the bathroom ceiling.\n\n"
    "Inspected on site: the extractor fan is not working and the window trickle vent is painted "
    "shut. Moisture reading 28 % on the external wall.\n\n"
    "Next steps:\n• Replace the extractor fan (job raised)\n• Anti-mould treatment in 2 weeks\n"
    "• Follow-up call after the works\n\n— {author}",
    "Ayşe called on behalf of her mother (the tenant) — consent is on file.\n\n"
    "The heating has been intermittent since Tuesday; the boiler shows fault F28. Explained the "
    "reset procedure; it did not help. Emergency engineer booked for tomorrow 08:00–12:00.\n\n"
    "Vulnerable household: elderly occupant, please prioritise. 🔥",
    "Complaint, stage 1.\n\nThe customer is unhappy that the kitchen refit was postponed "
    "twice. They would like a firm date and compensation for the days off work.\n\n"
    "Agreed: written response within 10 working days; goodwill gesture to be considered "
    "by the team leader.\n\nRef: CMP-2026-0412",
]


def _ref(resource: dict) -> dict:
    return {"id": resource["id"], "type": resource["type"]}


def _rel(resource: dict | None) -> dict:
    return {"data": _ref(resource) if resource else None}


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _ts(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _pick(rng: random.Random, options: tuple[list[str], list[int]]) -> str:
    return rng.choices(options[0], weights=options[1])[0]


@dataclass
class Store:
    organisation: dict
    users: list[dict]
    contacts: list[dict] = field(default_factory=list)
    interactions: list[dict] = field(default_factory=list)
    resources: dict[tuple[str, str], dict] = field(default_factory=dict)  # (type, id) -> resource
    contact_of: dict[str, Person] = field(default_factory=dict)  # contact id -> person
    example_interaction: dict[str, str] = field(default_factory=dict)  # mobile -> interaction id

    def add(self, resource: dict) -> dict:
        self.resources[(resource["type"], resource["id"])] = resource
        return resource

    def get(self, type_: str, id_: str) -> dict | None:
        return self.resources.get((type_, id_))

    @property
    def whoami(self) -> dict:
        return self.users[0]  # the demo session belongs to the first staff member


_store: Store | None = None
_lock = threading.Lock()


def store() -> Store:
    global _store
    with _lock:
        if _store is None:
            _store = _build()
        return _store


def _build() -> Store:
    rng = random.Random("ctrlhub/staff")
    org = {
        "id": DEMO_CTRLHUB_ORG,
        "type": "organisations",
        "attributes": {"name": "Northfield Homes"},
    }
    users = []
    for first, last in STAFF:
        attributes: dict[str, object]
        if first is None or last is None:
            attributes = {"email": f"scheduler@{STAFF_DOMAIN}"}
        else:
            email = f"{first.lower().replace('é', 'e')}.{last.lower().replace(chr(39), '')}@{STAFF_DOMAIN}"
            attributes = {
                "email": email,
                "profile": {"personal": {"first_name": first, "last_name": last}},
            }
        users.append({"id": _uuid(rng), "type": "users", "attributes": attributes})
    s = Store(org, users)
    s.add(org)
    for u in users:
        s.add(u)

    people = [p for p in PEOPLE if p.in_ctrlhub]
    # Oliver and Amelia share one account and property (flatmates): an account with two contacts.
    shared = {"oliver": "amelia"}
    account_of: dict[str, tuple[dict, dict]] = {}
    for p in people:
        prng = random.Random(f"ctrlhub/{p.key}")
        contact = s.add(
            {
                "id": _uuid(prng),
                "type": "contacts",
                "attributes": {
                    "salutation": p.salutation,
                    "first_name": p.first_name,
                    "last_name": p.last_name,
                    "email": p.email,
                    "telephone": p.telephone,
                    "association": prng.choice(["occupier", "occupier", "owner", "tenant"]),
                },
                "meta": {
                    "created_at": _ts(ANCHOR - SPAN - timedelta(days=prng.randrange(30, 900)))
                },
                "relationships": {},
            }
        )
        s.contacts.append(contact)
        s.contact_of[contact["id"]] = p
        owner = next((k for k, v in shared.items() if v == p.key), None)
        if owner in account_of:
            account, prop = account_of[owner]
            account["relationships"]["contacts"]["data"].append(_ref(contact))
        else:
            prop = s.add(_property(prng))
            account = s.add(
                {
                    "id": _uuid(prng),
                    "type": "customer-accounts",
                    "attributes": {"reference": f"ACC-{prng.randrange(1000, 99999):06d}"},
                    "relationships": {
                        "contacts": {"data": [_ref(contact)]},
                        "property": _rel(prop),
                    },
                }
            )
        account_of[p.key] = (account, prop)
        contact["relationships"]["account"] = _rel(account)

    for p in people:
        contact = next(c for c in s.contacts if s.contact_of[c["id"]] is p)
        account, prop = account_of[p.key]
        prng = random.Random(f"ctrlhub/{p.key}/interactions")
        n = {"amelia": 150, "noah": 0}.get(p.key, prng.randint(4, 30))
        own = [_interaction(prng, s, contact, account, prop) for _ in range(n)]
        if p.key == "oliver":  # a few on the shared account with no contact at all
            own += [_interaction(prng, s, None, account, prop) for _ in range(8)]
        s.interactions.extend(own)
        past = [
            i
            for i in own
            if i["relationships"]["contact"]["data"] and i["attributes"]["date_time"] <= _ts(ANCHOR)
        ]
        if past:
            s.example_interaction[p.mobile] = max(past, key=lambda i: i["attributes"]["date_time"])[
                "id"
            ]
        # Links, not 150 ids: the relationship exists, listing goes through the filter.
        contact["relationships"]["interactions"] = {
            "links": {
                "related": f"/v3/orgs/{DEMO_CTRLHUB_ORG}/customers/interactions"
                f"?filter[contact]={contact['id']}"
            },
            "meta": {"count": sum(1 for i in own if i["relationships"]["contact"]["data"])},
        }
    # "A few" visits exercise a method the viewer may not know: make sure there is one.
    if not any(i["attributes"]["method"] == "visit" for i in s.interactions):
        s.interactions[0]["attributes"]["method"] = "visit"
    for i in s.interactions:
        s.add(i)
    return s


def _property(rng: random.Random) -> dict:
    town, area = rng.choice(TOWNS)
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    postcode = (
        f"{area}{rng.randint(1, 20)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
    )
    name = rng.choice(BUILDING_NAMES)
    number = "" if name and not name.startswith("Flat") else str(rng.randint(1, 240))
    street = rng.choice(STREETS)
    line = " ".join(x for x in (number, street) if x)
    description = ", ".join(x for x in (name, line, town.title(), postcode) if x)
    return {
        "id": _uuid(rng),
        "type": "properties",
        "attributes": {
            "address": {
                "description": description,
                "number": number,
                "name": name,
                "thoroughfare": street,
                "post_town": town,
                "postcode": postcode,
            },
            "uprn": str(rng.randrange(10**10, 10**12)),
        },
    }


def _interaction(
    rng: random.Random, s: Store, contact: dict | None, account: dict, prop: dict
) -> dict:
    method = _pick(rng, METHODS)
    if rng.random() < 0.06:  # upcoming: scheduled after the anchor
        when = ANCHOR + timedelta(minutes=rng.randrange(60, 30 * 24 * 60))
        status, contacted = "scheduled", False
        created = ANCHOR - timedelta(minutes=rng.randrange(60, 20 * 24 * 60))
    else:
        when = ANCHOR - timedelta(seconds=rng.randrange(int(SPAN.total_seconds())))
        status = _pick(rng, STATUSES)
        contacted = status in ("completed", "in_progress") and rng.random() < 0.95
        created = when - timedelta(minutes=rng.randrange(0, 72 * 60))
    updated = min(ANCHOR, created + timedelta(minutes=rng.randrange(0, 5 * 24 * 60)))
    author = rng.choice(s.users) if rng.random() < 0.92 else None
    roll = rng.random()
    if roll < 0.03:
        notes = None
    elif roll < 0.08:
        notes = ""
    elif roll < 0.22:
        name = (
            author["attributes"].get("profile", {}).get("personal", {}).get("first_name", "")
            if author
            else ""
        )
        notes = rng.choice(LONG_NOTES).format(author=name or "Customer services")
    else:
        notes = rng.choice(SHORT_NOTES[method])
    return {
        "id": _uuid(rng),
        "type": INTERACTION,
        "attributes": {
            "method": method,
            "direction": rng.choice(["inbound", "outbound", "outbound"]),
            "date_time": _ts(when),
            "contacted": contacted,
            "status": status,
            "notes": notes,
        },
        "meta": {
            "created_at": _ts(created),
            "updated_at": _ts(updated),
            "modified_at": _ts(updated),
        },
        "relationships": {
            "author": _rel(author),
            "organisation": _rel(s.organisation if rng.random() < 0.9 else None),
            "representative": _rel(rng.choice(s.users) if rng.random() < 0.6 else None),
            # An interaction without a contact hangs off its account, so that one is never null.
            "account": _rel(account if contact is None or rng.random() < 0.9 else None),
            "contact": _rel(contact),
            "property": _rel(prop if rng.random() < 0.8 else None),
        },
    }


def demo_interaction_ids() -> dict[str, str]:
    """Mobile (digits) -> the id of that customer's latest past Ctrl-Hub interaction."""
    return dict(store().example_interaction)
