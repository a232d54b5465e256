"""Counts of what a store holds."""

from __future__ import annotations

from kg.sparql import stored_query

__all__ = ["stats"]

_KEYS = ("documents", "actors", "regions", "statements", "positions", "preconditions")
_COUNTS = stored_query("stats_counts")


def stats(store) -> dict[str, int]:
    """``documents``, ``actors``, ``regions``, ``statements``, ``positions``,
    ``preconditions`` found in documents, and ``triples`` in the whole store."""
    row = next(iter(store.query(_COUNTS)))
    out = {key: int(row[key].value) for key in _KEYS}
    out["triples"] = len(store)
    return out


_SUMMARY_ENTITIES = stored_query("summary_entities")

_SUMMARY_PRECONDITIONS = stored_query("summary_preconditions")


def summary(store, *, limit: int = 20) -> str:
    """A short human-readable account of the store: actors, regions, preconditions with quotes."""
    counts = stats(store)
    lines = [
        f"{counts['documents']} documents, {counts['actors']} actors, {counts['regions']} regions, "
        f"{counts['statements']} statements, {counts['positions']} positions, "
        f"{counts['preconditions']} preconditions ({counts['triples']:,} triples)"
    ]
    rows = list(store.query(_SUMMARY_ENTITIES))
    for role, title in (("actor", "Actors"), ("region", "Regions")):
        items = [r for r in rows if r["role"].value == role]
        shown = ", ".join(
            r["name"].value + (f" ({r['kind'].value})" if role == "actor" and r["kind"] else "")
            for r in items[:limit]
        )
        more = f", … (+{len(items) - limit})" if len(items) > limit else ""
        lines.append(f"{title}: {shown}{more}" if items else f"{title}: none")
    pre = list(store.query(_SUMMARY_PRECONDITIONS))
    lines.append(f"Preconditions: {len(pre)}" if pre else "Preconditions: none")
    for r in pre[:limit]:
        regions = f" [{r['regions'].value}]" if r["regions"] and r["regions"].value else ""
        addressee = r["addressee"].value if r["addressee"] else "(no addressee named)"
        lines.append(f"  {r['demander'].value} -> {addressee}: {r['action'].value}{regions}, for {r['outcome'].value}")
        quote = " ".join(r["quote"].value.split())
        lines.append(f"    \u201c{quote if len(quote) <= 160 else quote[:159] + '…'}\u201d")
    return "\n".join(lines)
