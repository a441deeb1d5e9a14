"""Ctrl-Hub's JSON:API documents → domain objects. Pure functions, no I/O.

An interaction names its people and places by UUID; the agent needs names. Everything
here turns a resource from `included[]` into a `Related` with a readable name, and never
shows a bare UUID where anything better is known.
"""

from __future__ import annotations

from typing import Any

from viewer.domain import (
    BadReply,
    ChannelCount,
    Customer,
    Direction,
    Interaction,
    InteractionDetail,
    Related,
    Source,
    SourceResult,
)
from viewer.sources import jsonapi
from viewer.sources.coerce import as_bool, as_dict, as_str, parse_time

SOURCE = Source.CTRLHUB
# The layout of SourceResult.raw that from_saved() reads; raise it when that changes.
SAVED_FORMAT = 1
# Ctrl-Hub's `method` → the viewer's channel words; any other method keeps its own word.
METHOD_CHANNELS = {
    "email": "email",
    "sms": "sms",
    "telephone": "phone",
    "phone": "phone",
    "letter": "letter",
}
# The relationships of an interaction, in the order the detail pane shows them.
ROLES = ("contact", "property", "account", "author", "representative", "organisation")
SUBJECT_LENGTH = 120
MAX_IDENTITIES = 1000  # organisations read from one who-am-I reply


def channel_of(method: str) -> str:
    word = method.strip().lower().replace(" ", "_")
    return METHOD_CHANNELS.get(word, word or "other")


def person_name(resource: jsonapi.Resource) -> str:
    """A contact's or user's name: salutation and names, else profile names, else e-mail."""
    a = resource.attributes
    personal = as_dict(as_dict(a.get("profile")).get("personal"))
    first = as_str(a.get("first_name")) or as_str(personal.get("first_name"))
    last = as_str(a.get("last_name")) or as_str(personal.get("last_name"))
    if first or last:
        salutation = as_str(a.get("salutation"))
        return " ".join(p for p in (salutation, first, last) if p)
    return as_str(a.get("email")) or as_str(a.get("name"))


def identity_organisations(user: jsonapi.Resource) -> frozenset[str] | None:
    """The organisations a who-am-I user belongs to: `identities[].meta.organisation_id`,
    lower-case. None when the reply has no identities list, so nothing can be said."""
    identities = user.attributes.get("identities", user.raw.get("identities"))
    if not isinstance(identities, list):
        return None
    found = (
        as_str(as_dict(as_dict(i).get("meta")).get("organisation_id")).lower()
        for i in identities[:MAX_IDENTITIES]
    )
    return frozenset(org for org in found if org)


def one_line_address(resource: jsonapi.Resource) -> str:
    address = as_dict(resource.attributes.get("address"))
    described = as_str(address.get("description"))
    if described:
        return described
    parts = (
        as_str(address.get(k)) for k in ("name", "number", "thoroughfare", "post_town", "postcode")
    )
    return ", ".join(p for p in parts if p)


def _subject(notes: str) -> str:
    """The list has no subject column of Ctrl-Hub's own: the notes' first line stands in."""
    first = next((line.strip() for line in notes.splitlines() if line.strip()), "")
    return first if len(first) <= SUBJECT_LENGTH else first[: SUBJECT_LENGTH - 1] + "…"


def interaction(resource: jsonapi.Resource, document: jsonapi.Document) -> Interaction:
    a = resource.attributes
    direction = as_str(a.get("direction")).lower()
    contact = document.find(resource.one("contact"))
    notes = as_str(a.get("notes"))
    return Interaction(
        source=SOURCE,
        id=resource.id,
        channel=channel_of(as_str(a.get("method"))),
        direction=Direction(direction)
        if direction in ("inbound", "outbound")
        else Direction.UNKNOWN,
        occurred_at=parse_time(a.get("date_time")),
        status=as_str(a.get("status")),
        subject=_subject(notes),
        counterpart=person_name(contact) if contact else "",
        contacted=as_bool(a.get("contacted")),
        notes=notes or None,
        raw=resource.raw,
    )


def interactions(document: jsonapi.Document) -> list[Interaction]:
    return [interaction(r, document) for r in document.resources]


def _related(
    role: str,
    resource: jsonapi.Resource,
    document: jsonapi.Document,
    fallback: dict[str, jsonapi.Resource],
) -> Related:
    a = resource.attributes
    if resource.type == "contacts" or role == "contact":
        lines: tuple[tuple[str, str], ...] = (
            ("E-mail", as_str(a.get("email"))),
            ("Telephone", as_str(a.get("telephone"))),
            ("Association", as_str(a.get("association"))),
        )
        return Related(role, resource.id, person_name(resource), tuple(lines))
    if resource.type == "properties" or role == "property":
        address = as_dict(a.get("address"))
        lines = (("Postcode", as_str(address.get("postcode"))), ("UPRN", as_str(a.get("uprn"))))
        return Related(role, resource.id, one_line_address(resource), lines)
    if resource.type == "customer-accounts" or role == "account":
        return Related(
            role,
            resource.id,
            _account_label(resource, document, fallback),
            (("Reference", as_str(a.get("reference"))),),
        )
    if resource.type == "users" or role in ("author", "representative"):
        return Related(
            role, resource.id, person_name(resource), (("E-mail", as_str(a.get("email"))),)
        )
    return Related(role, resource.id, as_str(a.get("name")) or as_str(a.get("title")))


def _account_label(
    account: jsonapi.Resource, document: jsonapi.Document, fallback: dict[str, jsonapi.Resource]
) -> str:
    """Accounts have no name: "Oliver Smith & Amelia Jones, 12 Acacia Avenue, Leeds"."""
    people = [person_name(c) for c in map(document.find, account.many("contacts")) if c]
    if not people and "contact" in fallback:
        people = [person_name(fallback["contact"])]
    place = document.find(account.one("property")) or fallback.get("property")
    label = " & ".join(p for p in people if p)
    address = one_line_address(place) if place else ""
    return ", ".join(p for p in (label, address) if p)


def detail(raw_document: Any) -> InteractionDetail:
    """One interaction document (with `include=`) → the detail with names resolved."""
    document = jsonapi.read(raw_document)
    if not document.resources or document.data_is_list:
        raise BadReply("Ctrl-Hub's reply holds no single interaction.", source=SOURCE)
    primary = document.resources[0]
    found = {role: document.find(primary.one(role)) for role in ROLES}
    fallback = {role: res for role, res in found.items() if res is not None}
    related: dict[str, Related | None] = {}
    for role in ROLES:
        ref = primary.one(role)
        resource = found[role]
        if ref is None:
            related[role] = None
        elif resource is not None:
            related[role] = _related(role, resource, document, fallback)
        else:  # linked but not included: only the id is known
            related[role] = Related(role, ref.id, "")
    return InteractionDetail(
        interaction=interaction(primary, document),
        related=related,
        created_at=parse_time(primary.meta.get("created_at")),
        updated_at=parse_time(primary.meta.get("updated_at")),
        modified_at=parse_time(primary.meta.get("modified_at")),
        document=raw_document if isinstance(raw_document, dict) else {},
    )


def customer_from_contact(contact: jsonapi.Resource) -> Customer:
    a = contact.attributes
    telephone = "".join(c for c in as_str(a.get("telephone")) if c.isdigit())
    name = " ".join(p for p in (as_str(a.get("first_name")), as_str(a.get("last_name"))) if p)
    return Customer(
        name=name or None,
        mobile=telephone or None,
        email=as_str(a.get("email")) or None,
        source_ids={SOURCE.value: contact.id},
    )


def customer_from_related(contact: Related | None) -> Customer:
    """A card from a detail's contact (when a pasted interaction id opened the customer)."""
    if contact is None:
        return Customer()
    lines = dict(contact.lines)
    telephone = "".join(c for c in lines.get("Telephone", "") if c.isdigit())
    words = contact.name.split()
    salutations = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof"}
    name = " ".join(words[1:] if words and words[0].lower().rstrip(".") in salutations else words)
    return Customer(
        name=name or None,
        mobile=telephone or None,
        email=lines.get("E-mail") or None,
        source_ids={SOURCE.value: contact.id},
    )


def contacts(document: jsonapi.Document) -> list[jsonapi.Resource]:
    return [
        r for r in document.resources if r.type in ("contacts", "contact")
    ] or document.resources


def customer_from_contacts(found: list[jsonapi.Resource]) -> Customer:
    customer = Customer()
    for contact in found:
        customer = customer.merged_with(customer_from_contact(contact))
    return customer


def rows_of_pages(pages: list[Any]) -> list[Interaction]:
    """Every interaction on these pages once, in page order (the API sorts newest first)."""
    rows: list[Interaction] = []
    seen: set[str] = set()
    for page in pages:
        for row in interactions(jsonapi.read(page)):
            if row.id not in seen:
                seen.add(row.id)
                rows.append(row)
    return rows


def count_channels(rows: list[Interaction]) -> dict[str, ChannelCount]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.channel] = counts.get(row.channel, 0) + 1
    return {channel: ChannelCount(channel, n, n) for channel, n in counts.items()}


def from_saved(raw: dict[str, Any]) -> SourceResult:
    """Rebuild a result from the replies the offline store kept (see SourceResult.raw)."""
    if not isinstance(raw, dict) or raw.get("format") != SAVED_FORMAT:
        raise BadReply(
            "Saved Ctrl-Hub data is in a format this version cannot read.", source=SOURCE
        )
    opened = detail(raw["opened"]) if raw.get("opened") else None
    found = contacts(jsonapi.read(raw["contacts"])) if raw.get("contacts") else []
    if found:
        customer = customer_from_contacts(found)
    else:
        customer = customer_from_related(opened.related.get("contact") if opened else None)
    rows = rows_of_pages(raw.get("pages") or [])
    if not rows and opened is not None:
        rows = [opened.interaction]
    return SourceResult(SOURCE, customer, rows, count_channels(rows), [], opened=opened, raw=raw)
