"""JSON:API documents (jsonapi.org) read once and well, for Ctrl-Hub.

`data` may be one resource, a list, or null; `included[]` is indexed by (type, id);
relationships may be `{data: null}`, one reference or a list; unknown members are kept
in `raw` for the raw view. Reading never raises on odd shapes: what cannot be read is
dropped and counted, and the caller decides whether that is an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from viewer.sources.coerce import as_dict, as_list, as_str


@dataclass(frozen=True, slots=True)
class Ref:
    type: str
    id: str


@dataclass(frozen=True, slots=True)
class Resource:
    type: str
    id: str
    attributes: dict[str, Any]
    meta: dict[str, Any]
    relationships: dict[str, Ref | list[Ref] | None]
    raw: dict[str, Any] = field(compare=False, repr=False)

    def one(self, name: str) -> Ref | None:
        """The single reference of a to-one relationship (None when null or absent)."""
        related = self.relationships.get(name)
        if isinstance(related, list):
            return related[0] if related else None
        return related

    def many(self, name: str) -> list[Ref]:
        related = self.relationships.get(name)
        if related is None:
            return []
        return related if isinstance(related, list) else [related]


@dataclass(frozen=True, slots=True)
class Document:
    resources: list[Resource]  # `data`, always as a list
    data_is_list: bool
    included: dict[tuple[str, str], Resource]
    meta: dict[str, Any]
    errors: list[dict[str, Any]]

    def find(self, ref: Ref | None) -> Resource | None:
        if ref is None:
            return None
        found = self.included.get((ref.type, ref.id))
        if found is None:  # a compound document may also point at its own primary data
            found = next((r for r in self.resources if (r.type, r.id) == (ref.type, ref.id)), None)
        return found

    @property
    def next_offset(self) -> int | None:
        """meta.pagination.offsets.next, the offset of the next page (None on the last)."""
        offsets = as_dict(as_dict(self.meta.get("pagination")).get("offsets"))
        value = offsets.get("next")
        return (
            value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
        )

    @property
    def total(self) -> int | None:
        counts = as_dict(as_dict(self.meta.get("pagination")).get("counts"))
        value = counts.get("resources")
        return value if isinstance(value, int) and not isinstance(value, bool) else None


def _ref(value: Any) -> Ref | None:
    value = as_dict(value)
    kind, ident = as_str(value.get("type")), as_str(value.get("id"))
    return Ref(kind, ident) if kind and ident else None


def _relationship(value: Any) -> Ref | list[Ref] | None:
    data = as_dict(value).get("data")
    if isinstance(data, list):
        return [ref for ref in map(_ref, data) if ref is not None]
    return _ref(data)


def resource(value: Any) -> Resource | None:
    value = as_dict(value)
    kind, ident = as_str(value.get("type")), as_str(value.get("id"))
    if not kind or not ident:
        return None
    relationships = {
        str(name): _relationship(rel) for name, rel in as_dict(value.get("relationships")).items()
    }
    return Resource(
        type=kind,
        id=ident,
        attributes=as_dict(value.get("attributes")),
        meta=as_dict(value.get("meta")),
        relationships=relationships,
        raw=value,
    )


def read(document: Any) -> Document:
    document = as_dict(document)
    data = document.get("data")
    items = data if isinstance(data, list) else as_list(data)
    resources = [r for r in map(resource, items) if r is not None]
    included = {(r.type, r.id): r for r in map(resource, as_list(document.get("included"))) if r}
    return Document(
        resources=resources,
        data_is_list=isinstance(data, list),
        included=included,
        meta=as_dict(document.get("meta")),
        errors=[e for e in as_list(document.get("errors")) if isinstance(e, dict)],
    )


def errors_sentence(errors: list[dict[str, Any]]) -> str:
    """`errors[]` as one readable line: "404 Not Found: No interaction with that id"."""
    parts = []
    for error in errors[:3]:
        status, title, detail = (as_str(error.get(k)) for k in ("status", "title", "detail"))
        head = " ".join(p for p in (status, title) if p)
        parts.append(f"{head}: {detail}" if head and detail else head or detail)
    return "; ".join(p for p in parts if p)
