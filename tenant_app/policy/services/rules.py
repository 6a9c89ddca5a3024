"""The effective policy grouped by rule id: a card per rule (SX-3, XJ-C1, NAT-APL-63.1 …), each
holding the pack tables that carry that rule id, with the text's sentence of each (a national
rule's ``quote`` — the article's sentence —, a regional table's ``title`` and ``note``) and every
value with the layer it comes from (国家法律层 / 省级政策包 / 上级覆盖 / 本级覆盖).

A table is an *entry* when it has a ``rule_id`` or a ``title``; a value belongs to the nearest
entry above it and to the rule id of the nearest table above that has one. Tables with no rule id
anywhere above them (the inspection categories) are grouped under their section, with no rule id
shown: nothing is invented. Keys that describe the rule rather than set it (rule id, basis,
title, note, quote, source …) are shown as its words, not as values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from policies.national_layer import NATIONAL
from policies.overrides import is_overridable
from tenant_app.policy.service import EffectivePolicy
from tenant_app.policy.services.words import FIELD_NAMES, VOCABS, unit_of, vocab_of

# Keys that describe a rule table: its words, not its values.
DESCRIBING = frozenset(
    {
        "rule_id",
        "basis",
        "title",
        "note",
        "quote",
        "source",
        "act",
        "regional",
        "set_by",
        "national_value",
        "region_note",
        "extended_at",
        "kind",
        "id",
        "code_basis",
    }
)
SKIPPED_SECTIONS = ("meta", "overridable")


@dataclass
class RuleValue:
    path: str
    name: list[tuple[str, str]]  # (vocabulary, code) per key below the entry: words, in order
    value: Any
    unit: str  # words.UNIT_OF_KEY's units, a national rule's unit, or ""
    vocab: str | None  # where the codes of this value are explained
    origin: str  # national / pack / parent / own
    origin_name: str  # the ancestor's name for "parent"
    overridable: bool
    national_value: Any = None  # a national rule the region set: the law's own value
    differs_from_law: bool = False


@dataclass
class RuleEntry:
    path: str
    rule_id: str
    title: str
    quote: str = ""
    note: str = ""
    article: str = ""  # a national rule's source article
    basis: str = ""
    regional: str = ""  # a national rule: what a region may do with it
    values: list[RuleValue] = field(default_factory=list)


@dataclass
class RuleCard:
    rule_id: str  # "" for tables no rule id covers
    section: str  # the top-level key: screening, inspection, national …
    entries: list[RuleEntry] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.rule_id or f"section-{self.section}"

    @property
    def national(self) -> bool:
        return self.section == NATIONAL

    @property
    def values(self) -> list[RuleValue]:
        return [v for e in self.entries for v in e.values]

    @property
    def sentence(self) -> str:
        """The first sentence the text gives for this rule: a quote, else a title."""
        for e in self.entries:
            if e.quote:
                return e.quote
        for e in self.entries:
            if e.title:
                return e.title
        return ""

    @property
    def origins(self) -> list[str]:
        return sorted(
            {v.origin for v in self.values}, key=["national", "pack", "parent", "own"].index
        )

    def search_text(self) -> str:
        words: list[str] = [self.rule_id, self.section]
        for e in self.entries:
            words += [e.path, e.title, e.quote, e.note, e.article]
            for v in e.values:
                words.append(v.path)
                words += [FIELD_NAMES.get(code, code) for _vocab, code in v.name]
        return " ".join(w for w in words if w).lower()


def _natural(rule_id: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", rule_id))


def _card_order(card: RuleCard) -> tuple[Any, ...]:
    # Regional rules first (the pack's own text), then national law, then tables without a rule.
    return (not card.rule_id, card.national, _natural(card.rule_id or card.section))


def _name(parts: Iterable[str]) -> list[tuple[str, str]]:
    """Each key in words: a key name, a code of the parent's vocabulary, a list position."""
    out: list[tuple[str, str]] = []
    for part in parts:
        if part in FIELD_NAMES:
            out.append(("field", part))
        elif part.isdigit():
            out.append(("index", str(int(part) + 1)))
        else:
            vocab = next(
                (k for k in ("inspection_category", "level", "trigger") if part in VOCABS[k]), None
            )
            out.append((vocab or "code", part))
    return out


class _Walker:
    def __init__(self, eff: EffectivePolicy, overridable: list[str]) -> None:
        self.eff = eff
        self.overridable = overridable
        self.entries: list[RuleEntry] = []

    def value(self, entry: RuleEntry, path: str, value: Any, table: Mapping[str, Any]) -> None:
        rel = path[len(entry.path) + 1 :].split(".") if entry.path else path.split(".")
        origin, name = self.eff.origin_of(path)
        unit = unit_of(path)
        if rel[-1] == "n" and isinstance(table.get("unit"), str):
            unit = table["unit"]  # a period: n counted in its sibling unit
        entry.values.append(
            RuleValue(
                path=path,
                name=_name(rel),
                value=value,
                unit=unit,
                vocab=vocab_of(path),
                origin=origin,
                origin_name=name,
                overridable=is_overridable(path, self.overridable),
            )
        )

    def walk(
        self, table: Mapping[str, Any], path: str, rule_id: str, entry: RuleEntry | None
    ) -> None:
        if "rule_id" in table or "title" in table:
            rule_id = str(table.get("rule_id") or rule_id)
            entry = RuleEntry(
                path=path,
                rule_id=rule_id,
                title=str(table.get("title") or ""),
                note=str(table.get("note") or ""),
                basis=str(table.get("basis") or (entry.basis if entry else "")),
            )
            self.entries.append(entry)
        for key, value in table.items():
            sub = f"{path}.{key}"
            if isinstance(value, Mapping) and value:
                self.walk(value, sub, rule_id, entry)
                continue
            if key in DESCRIBING and entry is not None and entry.path == path:
                continue
            if entry is None or not sub.startswith(entry.path + "."):
                # A value no titled table holds: its own table becomes the entry, untitled.
                entry = RuleEntry(path=path, rule_id=rule_id, title="")
                self.entries.append(entry)
            self.value(entry, sub, value, table)

    def national(self, section: Mapping[str, Any]) -> None:
        for topic, items in (section.get("rules") or {}).items():
            for name, rule in items.items():
                path = f"{NATIONAL}.rules.{topic}.{name}"
                entry = RuleEntry(
                    path=path,
                    rule_id=rule["rule_id"],
                    title=rule.get("title", ""),
                    quote=rule.get("quote", ""),
                    note=rule.get("region_note") or rule.get("note", ""),
                    article=rule.get("source", ""),
                    basis=rule.get("basis", ""),
                    regional=rule.get("regional", ""),
                )
                self.entries.append(entry)
                origin, origin_name = self.eff.origin_of(f"{path}.value")
                entry.values.append(
                    RuleValue(
                        path=f"{path}.value",
                        name=[("field", "value")],
                        value=rule["value"],
                        unit=rule.get("unit") or "",
                        vocab={"obligation": "obligation", "role": "role"}.get(
                            rule.get("unit") or ""
                        ),
                        origin=origin,
                        origin_name=origin_name,
                        overridable=False,
                        national_value=rule.get("national_value"),
                        differs_from_law=rule.get("national_value") != rule["value"],
                    )
                )


def rule_cards(eff: EffectivePolicy, overridable: list[str] | None = None) -> list[RuleCard]:
    """The effective policy as cards, one per rule id, regional rules first."""
    pack = eff.effective
    walker = _Walker(
        eff, list(overridable if overridable is not None else pack.get("overridable") or [])
    )
    for section, data in pack.items():
        if section in SKIPPED_SECTIONS or not isinstance(data, Mapping):
            continue
        if section == NATIONAL:
            walker.national(data)
        else:
            walker.walk(data, section, "", None)
    cards: dict[tuple[str, str], RuleCard] = {}
    for entry in walker.entries:
        section = entry.path.split(".", 1)[0]
        key = (entry.rule_id, "" if entry.rule_id else section)
        card = cards.get(key)
        if card is None:
            card = cards[key] = RuleCard(entry.rule_id, section)
        card.entries.append(entry)
    return sorted(cards.values(), key=_card_order)


def matching(cards: list[RuleCard], query: str) -> list[RuleCard]:
    """The cards whose rule id, words or keys contain ``query`` (case-insensitive)."""
    q = query.strip().lower()[:100]
    if not q:
        return cards
    return [c for c in cards if q in c.search_text()]


def context_of(pack: Mapping[str, Any], path: str) -> tuple[str, str]:
    """(rule id, title) of the nearest tables above ``path`` (or at it) that carry them."""
    rule_id, title, node = "", "", pack
    for part in [*path.split("."), ""]:
        if not isinstance(node, Mapping):
            break
        if isinstance(node.get("rule_id"), str):
            rule_id = node["rule_id"]
        if isinstance(node.get("title"), str):
            title = node["title"]
        node = node.get(part) if part else None  # type: ignore[assignment]
    return rule_id, title


def name_of(path: str) -> list[tuple[str, str]]:
    """A whole dotted path in words (the version diff names keys without their card)."""
    return _name(path.split("."))
