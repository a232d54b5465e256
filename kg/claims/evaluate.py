"""Score the claim layer against a multi-document gold (``tests/gold/threads/``).

A thread gold folder holds ``gold.jsonl`` (the contract's gold format, one
document a line, ``doc`` relative to the folder; every position and
precondition has an ``id`` and a ``said`` date: when the text places the
statement it comes in, else null) and ``claims.jsonl``: records
``{"claim": ID, "thread": NAME, "members": ["DOC#ID", ...]}`` (assertions that
say the same thing; an assertion in no record is a claim of its own),
``{"change": TYPE, "from": ID, "to": ID}`` (a typed change between two claims,
or from a claim to itself: ``reaffirmed``, said again later) and
``{"contradiction": [ID, ID]}``. The first claim of a gold thread that the texts
date is ``new``: it is not written down.

Two modes:

- **extraction** (default): the documents are ingested into a temporary store
  (NLP, extraction, claim layer, as ``kg ingest`` does), and each extracted
  report is matched to a gold assertion of its document with the contract's
  rules (:mod:`kg.eval`: holder, stance and a shared content word; demander,
  action, addressee, regions).
- **gold-fed**: the gold assertions themselves, with their gold said-times,
  are the reports given to :func:`kg.claims.build_threads`: the claim layer's own
  quality, extraction errors left out.

Figures:

- *merging*: over every pair of matched assertions, whether the layer put them
  in one claim and whether the gold does (pairwise precision, recall, F1);
  ``end_to_end_recall`` counts the gold pairs an unmatched assertion takes part in
  as missed.
- *changes* on one time basis (``said`` by default): a predicted change counts
  when a gold change of the same type links the gold claims its two claims stand
  for (a predicted claim stands for the gold claim most of its matched reports
  belong to). Predicted changes between claims no gold assertion is behind are
  not scored (they are extraction false positives, counted apart).
- *said-time*: of the gold assertions with a said date, how many matched reports
  carry a said-time inside that date (a day inside the gold month is right).
- *contradictions*: pairs of gold claims, likewise.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from kg.claims.build import build_threads, date_range
from kg.claims.model import CHANGE_TYPES, ClaimLayer, Report
from kg.errors import DataFileError
from kg.sparql import stored_query

__all__ = ["load_threads", "evaluate_claims", "ClaimEval", "format_claim_eval", "format_details", "score_layer"]


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else (1.0 if not self.fn else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def row(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass
class ThreadGold:
    folder: Path
    documents: list[dict]
    claim_of: dict[str, str]  # assertion ref -> gold claim id
    changes: list[tuple[str, str | None, str]]  # (type, from, to)
    contradictions: list[frozenset[str]]
    assertions: dict[str, dict] = field(default_factory=dict)  # ref -> the gold assertion (with kind, doc)


@dataclass
class ClaimEval:
    mode: str
    basis: str
    assertions: int
    matched: int
    merging: PRF
    end_to_end_recall: float
    changes: dict[str, PRF]
    unscored_changes: int
    said_dated: int
    said_matched: int
    said_correct: int
    contradictions: PRF
    details: list[dict] = field(default_factory=list)  # per gold assertion: its claim, the report matched, said-times
    quote_said_correct: int | None = None  # gold-fed: dated gold assertions whose own quote gives the right said-time
    text_said_correct: int | None = None  # end to end: dated gold assertions whose sentence the extractor dates right

    @property
    def changes_overall(self) -> PRF:
        total = PRF()
        for s in self.changes.values():
            total.tp += s.tp
            total.fp += s.fp
            total.fn += s.fn
        return total

    def as_dict(self) -> dict:
        return {
            "mode": self.mode, "basis": self.basis, "gold_assertions": self.assertions, "matched": self.matched,
            "merging": {**self.merging.row(), "end_to_end_recall": round(self.end_to_end_recall, 4)},
            "changes": {t: s.row() for t, s in self.changes.items()},
            "changes_overall": self.changes_overall.row(), "unscored_changes": self.unscored_changes,
            "said_time": {"dated": self.said_dated, "matched": self.said_matched, "correct": self.said_correct,
                          "accuracy_matched": round(self.said_correct / self.said_matched, 4) if self.said_matched else None,
                          "accuracy_all": round(self.said_correct / self.said_dated, 4) if self.said_dated else None},
            "contradictions": self.contradictions.row(),
            "said_time_from_quote_alone": self.quote_said_correct,
            "said_time_of_gold_sentences": self.text_said_correct,
        }


def _lines(path: Path) -> list[tuple[int, dict]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(path, f"cannot read ({exc})") from exc
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataFileError(path, f"malformed JSON ({exc.msg})", number) from exc
        if not isinstance(record, dict):
            raise DataFileError(path, "a line must be an object", number)
        out.append((number, record))
    return out


def load_threads(folder: str | Path) -> ThreadGold:
    """Read and check a thread gold folder (``gold.jsonl`` and ``claims.jsonl``)."""
    folder = Path(folder)
    gold_path, claims_path = folder / "gold.jsonl", folder / "claims.jsonl"
    documents, assertions = [], {}
    for number, record in _lines(gold_path):
        if "doc" not in record:
            raise DataFileError(gold_path, "a gold line must have 'doc'", number)
        if not (folder / record["doc"]).is_file():
            raise DataFileError(gold_path, f"document {record['doc']!r} not found beside the gold file", number)
        for kind in ("positions", "preconditions"):
            for item in record.get(kind, []):
                if "id" not in item:
                    raise DataFileError(gold_path, f"every assertion needs an 'id' ({record['doc']})", number)
                ref = f"{record['doc']}#{item['id']}"
                if ref in assertions:
                    raise DataFileError(gold_path, f"assertion {ref} given twice", number)
                assertions[ref] = {**item, "kind": kind[:-1], "doc": record["doc"]}
        documents.append(record)
    claim_of: dict[str, str] = {}
    changes, contradictions, claims = [], [], set()
    pending = []
    for number, record in _lines(claims_path):
        if "claim" in record:
            claims.add(record["claim"])
            for ref in record.get("members", []):
                if ref not in assertions:
                    raise DataFileError(claims_path, f"unknown assertion {ref!r}", number)
                if ref in claim_of:
                    raise DataFileError(claims_path, f"assertion {ref!r} is in two claims", number)
                claim_of[ref] = record["claim"]
        else:
            pending.append((number, record))
    for ref in assertions:
        claim_of.setdefault(ref, ref)
    known = set(claim_of.values())
    for number, record in pending:
        if "change" in record:
            if record["change"] not in CHANGE_TYPES or record["change"] == "new":
                raise DataFileError(claims_path, f"change type must be one of {CHANGE_TYPES[1:]}", number)
            if record.get("from") not in known or record.get("to") not in known:
                raise DataFileError(claims_path, "a change links two known claims ('from', 'to')", number)
            changes.append((record["change"], record["from"], record["to"]))
        elif "contradiction" in record:
            pair = record["contradiction"]
            if not (isinstance(pair, list) and len(pair) == 2 and set(pair) <= known):
                raise DataFileError(claims_path, "a contradiction is a list of two known claims", number)
            contradictions.append(frozenset(pair))
        else:
            raise DataFileError(claims_path, "a line is a claim, a change or a contradiction", number)
    return ThreadGold(folder, documents, claim_of, changes, contradictions, assertions)


def _gold_changes(gold: ThreadGold, basis: str) -> Counter:
    """The gold changes, with ``new`` for the first dated claim of each gold thread."""
    dated = defaultdict(list)
    published = {d["doc"]: d.get("published") for d in gold.documents}
    for ref, item in gold.assertions.items():
        time = item.get("said") if basis == "said" else published.get(item["doc"])
        if time:
            dated[gold.claim_of[ref]].append(time)
    out = Counter((t, f, to) for t, f, to in gold.changes)
    # gold threads: claims linked by changes between different claims
    parent = {c: c for c in set(gold.claim_of.values())}

    def find(c):
        while parent[c] != c:
            c = parent[c]
        return c

    for _, f, to in gold.changes:
        if f != to:
            parent[find(f)] = find(to)
    groups = defaultdict(list)
    for claim in parent:
        if dated.get(claim):
            groups[find(claim)].append(claim)
    for members in groups.values():
        first = min(members, key=lambda c: (min(dated[c]), c))
        out[("new", None, first)] += 1
    return out


def _entity_names(entities: list[dict]) -> list:
    from kg.eval import entity_keys

    return entity_keys(entities)


def _resolve(forms: set[str], keys: list) -> str | None:
    """The gold entity of ``keys`` that one of ``forms`` names, as ``kg eval`` matches entities."""
    from kg.eval import matching_entities

    found = matching_entities(forms, keys)
    return keys[found[0]][0] if found else None


def _same(gold_item: dict, report: Report, actor, region, actors, regions) -> bool:
    from kg.eval import content_words

    if gold_item["kind"] != report.kind:
        return False
    if report.kind == "position":
        return (actor(report.actor) == gold_item["holder"] and report.stance == gold_item["stance"]
                and bool(content_words(gold_item.get("topic", "")) & content_words(report.topic or "")))
    if actor(report.actor) != gold_item["demander"] or report.action != gold_item["action"]:
        return False
    if gold_item.get("addressee") and actor(report.addressee) != gold_item["addressee"]:
        return False
    if gold_item.get("regions"):
        want = set(gold_item["regions"])
        got = {region(r) for r in report.regions}
        if len(want & got) / len(want | got) < 0.5:
            return False
    return True


def _overlap(a: str, b: str) -> int:
    return len(set(a.casefold().split()) & set(b.casefold().split()))


def match_reports(gold: ThreadGold, reports: list[Report], document_of: dict[str, str],
                  forms_of) -> dict[str, str]:
    """Report IRI -> gold assertion ref, one to one within each document (contract rules; ties by quote overlap).

    ``document_of`` maps a document IRI to its gold ``doc``; ``forms_of(iri)`` gives an entity's
    names and mention texts, resolved to the gold line's actors and regions."""
    by_doc = defaultdict(list)
    for report in reports:
        doc = document_of.get(report.document)
        if doc is not None:
            by_doc[doc].append(report)
    lines = {d["doc"]: d for d in gold.documents}
    matched = {}
    for doc, items in by_doc.items():
        line = lines[doc]
        actors, regions = _entity_names(line.get("actors", [])), _entity_names(line.get("regions", []))

        def actor(iri, actors=actors):
            return _resolve(forms_of(iri), actors) if iri else None

        def region(iri, regions=regions):
            return _resolve(forms_of(iri), regions)

        candidates = [(ref, g) for ref, g in gold.assertions.items() if g["doc"] == doc]
        used = set()
        for report in sorted(items, key=lambda r: r.iri):
            fits = [(ref, g) for ref, g in candidates
                    if ref not in used and _same(g, report, actor, region, actors, regions)]
            if fits:
                ref = max(fits, key=lambda x: (_overlap(x[1].get("quote", ""), report.quote), x[0]))[0]
                used.add(ref)
                matched[report.iri] = ref
    return matched


def score_layer(gold: ThreadGold, layer: ClaimLayer, matched: dict[str, str], *, basis: str = "said",
                mode: str = "extraction") -> ClaimEval:
    """Merging, change, said-time and contradiction figures of ``layer`` whose reports ``matched`` gold refs."""
    claim_of_report = {r.iri: c.iri for c in layer.claims for r in c.reports}
    report_by_iri = {r.iri: r for c in layer.claims for r in c.reports}
    pairs = sorted((iri, ref) for iri, ref in matched.items() if iri in claim_of_report)
    merging = PRF()
    for i, (a, ga) in enumerate(pairs):
        for b, gb in pairs[i + 1:]:
            gold_same = gold.claim_of[ga] == gold.claim_of[gb]
            pred_same = claim_of_report[a] == claim_of_report[b]
            if gold_same and pred_same:
                merging.tp += 1
            elif pred_same:
                merging.fp += 1
            elif gold_same:
                merging.fn += 1
    members = defaultdict(list)
    for ref, claim in gold.claim_of.items():
        members[claim].append(ref)
    gold_pairs = sum(len(m) * (len(m) - 1) // 2 for m in members.values())
    end_to_end = merging.tp / gold_pairs if gold_pairs else 1.0
    # predicted claim -> gold claim (most of its matched reports)
    stands_for = {}
    for claim in layer.claims:
        votes = Counter(gold.claim_of[matched[r.iri]] for r in claim.reports if r.iri in matched)
        if votes:
            stands_for[claim.iri] = min(votes, key=lambda c: (-votes[c], c))
    want = _gold_changes(gold, basis)
    got = Counter()
    unscored = 0
    for change in layer.changes:
        if change.basis != basis:
            continue
        after = stands_for.get(change.after)
        before = stands_for.get(change.before) if change.before else None
        if after is None or (change.before and before is None):
            unscored += 1
            continue
        got[(change.type, before, after)] += 1
    changes = {}
    for kind in CHANGE_TYPES:
        w = Counter({k: v for k, v in want.items() if k[0] == kind})
        g = Counter({k: v for k, v in got.items() if k[0] == kind})
        tp = sum((w & g).values())
        changes[kind] = PRF(tp, sum(g.values()) - tp, sum(w.values()) - tp)
    said_dated = said_matched = said_correct = 0
    gold_to_report = {ref: iri for iri, ref in matched.items()}
    for ref, item in gold.assertions.items():
        if not item.get("said"):
            continue
        said_dated += 1
        iri = gold_to_report.get(ref)
        if iri is None or iri not in report_by_iri:
            continue
        said_matched += 1
        predicted = report_by_iri[iri].said
        if predicted:
            lo, hi = date_range(item["said"])
            plo, phi = date_range(predicted)
            if lo <= plo and phi <= hi:
                said_correct += 1
    want_con = set(gold.contradictions)
    got_con = set()
    for con in layer.contradictions:
        a, b = stands_for.get(con.first), stands_for.get(con.second)
        if a and b and a != b:
            got_con.add(frozenset((a, b)))
    contradictions = PRF(len(want_con & got_con), len(got_con - want_con), len(want_con - got_con))
    details = []
    for ref, item in sorted(gold.assertions.items()):
        iri = gold_to_report.get(ref)
        report = report_by_iri.get(iri) if iri else None
        details.append({"assertion": ref, "gold_claim": gold.claim_of[ref], "gold_said": item.get("said"),
                        "report": iri if report else None, "claim": claim_of_report.get(iri) if report else None,
                        "said": report.said if report else None})
    return ClaimEval(mode, basis, len(gold.assertions), len(pairs), merging, end_to_end, changes, unscored,
                     said_dated, said_matched, said_correct, contradictions, details)


def _gold_reports(gold: ThreadGold) -> tuple[list[Report], dict[str, str]]:
    from kg.claims.layer import outlet_of

    lines = {d["doc"]: d for d in gold.documents}
    reports, matched = [], {}
    for ref, item in sorted(gold.assertions.items()):
        line = lines[item["doc"]]
        common = dict(iri=ref, kind=item["kind"], document=item["doc"],
                      outlet=outlet_of(line.get("url"), item["doc"]), quote=item.get("quote", ""),
                      said=item.get("said"), reported=line.get("published"))
        if item["kind"] == "position":
            report = Report(actor=item["holder"], stance=item["stance"], topic=item.get("topic", ""), **common)
        else:
            report = Report(actor=item["demander"], addressee=item.get("addressee"), action=item["action"],
                            outcome=item.get("for") or "other", regions=tuple(sorted(item.get("regions") or ())),
                            **common)
        reports.append(report)
        matched[ref] = ref
    return reports, matched


def _quote_said(gold: ThreadGold) -> int:
    """How many dated gold assertions get their said-time right from their quote alone (:func:`kg.claims.said.said_time`)."""
    from kg.claims.said import said_time

    published = {d["doc"]: d.get("published") for d in gold.documents}
    correct = 0
    for item in gold.assertions.values():
        if not item.get("said"):
            continue
        found = said_time(item.get("quote", ""), published.get(item["doc"]))
        if found:
            lo, hi = date_range(item["said"])
            plo, phi = date_range(found)
            correct += lo <= plo and phi <= hi
    return correct


_FORMS_QUERY = stored_query("claims_surface_forms")

_SOURCE_QUERY = stored_query("claims_sources")


def evaluate_claims(folder: str | Path, *, gold_fed: bool = False, basis: str = "said", nlp=None,
                    store_path: str | Path | None = None) -> ClaimEval:
    """Score the claim layer on a thread gold folder (see the module's docstring)."""
    gold = load_threads(folder)
    if gold_fed:
        reports, matched = _gold_reports(gold)
        result = score_layer(gold, build_threads(reports), matched, basis=basis, mode="gold-fed")
        result.quote_said_correct = _quote_said(gold)
        return result
    from kg.ingest import ingest
    from kg.claims import read_claims
    from kg.store import open_store

    by_url = {}
    with tempfile.TemporaryDirectory(prefix="kg-eval-claims-") as tmp:
        batch = Path(tmp) / "threads.jsonl"
        with open(batch, "w", encoding="utf-8") as out:
            for line in gold.documents:
                url = line.get("url") or line["doc"]
                if url in by_url:
                    raise DataFileError(gold.folder / "gold.jsonl", f"two documents share the address {url}")
                by_url[url] = line["doc"]
                text = (gold.folder / line["doc"]).read_text(encoding="utf-8")
                out.write(json.dumps({"text": text, "published": line.get("published"), "url": url},
                                     ensure_ascii=False) + "\n")
        with open_store(Path(store_path) if store_path else Path(tmp) / "store") as store:
            report = ingest([batch], store, nlp=nlp)
            if not report.ok:
                raise DataFileError(gold.folder / "gold.jsonl", "ingesting the thread documents failed")
            layer = read_claims(store)
            document_of = {row["g"].value: by_url.get(row["source"].value) for row in store.query(_SOURCE_QUERY)}
            forms = defaultdict(set)
            for row in store.query(_FORMS_QUERY):
                forms[row["node"].value].add(row["text"].value)
    reports = [r for c in layer.claims for r in c.reports]

    def forms_of(iri: str) -> set[str]:  # names and mentions, and the IRI's own name ("United_States")
        return forms.get(iri, set()) | {unquote(iri.rsplit("/", 1)[-1]).replace("_", " ")}

    matched = match_reports(gold, reports, document_of, forms_of)
    result = score_layer(gold, layer, matched, basis=basis)
    result.text_said_correct = _text_said(gold, result, nlp)
    return result


def _text_said(gold: ThreadGold, result: ClaimEval, nlp=None) -> int:
    """How many dated gold assertions get their said-time right from the extractor's resolver
    run on their own sentence in its document (:func:`kg.extract.sentence_said_times`): the
    said-time alone, whether or not extraction found the assertion. Each detail line gains the
    value and how it was found (``text_said``, ``text_how``)."""
    from kg.documents import document_from_text
    from kg.extract import sentence_said_times
    from kg.nlp.pipeline import load_nlp

    nlp = nlp or load_nlp()
    found: dict[str, tuple[str | None, str]] = {}
    for line in gold.documents:
        items = [(ref, item) for ref, item in gold.assertions.items() if item["doc"] == line["doc"]]
        if not items:
            continue
        text = (gold.folder / line["doc"]).read_text(encoding="utf-8")
        document = document_from_text(text, published=line.get("published"))
        times = sentence_said_times(document, nlp(document.text))
        for ref, item in items:
            quote = item.get("quote", "")
            at = document.text.find(quote[:80]) if quote else -1
            hit = next((t for start, end, t in times if start <= at < end), None) if at >= 0 else None
            found[ref] = (hit.value, hit.how) if hit else (None, "quote not found")
    correct = 0
    for detail in result.details:
        value, how = found.get(detail["assertion"], (None, "-"))
        detail["text_said"], detail["text_how"] = value, how
        said = detail.get("gold_said")
        if said and value:
            lo, hi = date_range(said)
            plo, phi = date_range(value)
            correct += lo <= plo and phi <= hi
    return correct


def format_claim_eval(result: ClaimEval) -> str:
    """The table ``kg eval-claims`` prints."""
    m = result.merging
    lines = [f"claim layer on the thread gold ({result.mode}; changes by {result.basis}-time)",
             f"gold assertions {result.assertions}, matched to reports {result.matched}", "",
             f"{'measure':<22}{'P':>8}{'R':>8}{'F1':>8}{'TP':>6}{'FP':>6}{'FN':>6}",
             f"{'claim merging (pairs)':<22}{m.precision:>8.3f}{m.recall:>8.3f}{m.f1:>8.3f}{m.tp:>6}{m.fp:>6}{m.fn:>6}"]
    for kind, s in list(result.changes.items()) + [("all", result.changes_overall)]:
        label = f"change {kind}"
        if s.tp + s.fp + s.fn == 0:
            lines.append(f"{label:<22}{'n/a':>8}{'n/a':>8}{'n/a':>8}{0:>6}{0:>6}{0:>6}")
        else:
            lines.append(f"{label:<22}{s.precision:>8.3f}{s.recall:>8.3f}{s.f1:>8.3f}{s.tp:>6}{s.fp:>6}{s.fn:>6}")
    c = result.contradictions
    if c.tp + c.fp + c.fn:
        lines.append(f"{'contradictions':<22}{c.precision:>8.3f}{c.recall:>8.3f}{c.f1:>8.3f}{c.tp:>6}{c.fp:>6}{c.fn:>6}")
    else:
        lines.append(f"{'contradictions':<22}{'n/a':>8}{'n/a':>8}{'n/a':>8}{0:>6}{0:>6}{0:>6}")
    lines.append(f"merging recall over all gold pairs (unmatched = missed): {result.end_to_end_recall:.3f}")
    lines.append(f"changes between claims no gold assertion is behind (not scored): {result.unscored_changes}")
    if result.said_dated:
        acc_m = f"{result.said_correct / result.said_matched:.3f}" if result.said_matched else "n/a"
        lines.append(f"said-time: {result.said_correct} of {result.said_matched} matched dated assertions right ({acc_m}); "
                     f"{result.said_correct} of {result.said_dated} dated gold assertions ({result.said_correct / result.said_dated:.3f})")
    if result.text_said_correct is not None and result.said_dated:
        lines.append(f"said-time of the gold statements' own sentences (the extractor's resolver, matched or not): "
                     f"{result.text_said_correct} of {result.said_dated} "
                     f"({result.text_said_correct / result.said_dated:.3f})")
    if result.quote_said_correct is not None and result.said_dated:
        lines.append(f"said-time from the quote alone (no statement): {result.quote_said_correct} of {result.said_dated} "
                     f"dated gold assertions ({result.quote_said_correct / result.said_dated:.3f})")
    return "\n".join(lines)


def format_details(result: ClaimEval) -> str:
    """One line per gold assertion: its gold claim, the report and claim it was matched to, both said-times."""
    lines = []
    for d in result.details:
        claim = d["claim"].rsplit("/thread/", 1)[-1] if d["claim"] else "-"
        report = "matched" if d["report"] else "MISSED"
        lines.append(f"{d['assertion']}: {report}; gold claim {d['gold_claim']}; claim {claim}; "
                     f"said gold {d['gold_said']} got {d['said']}"
                     + (f"; its sentence {d['text_said']} ({d['text_how']})" if "text_how" in d else ""))
    return "\n".join(lines)
