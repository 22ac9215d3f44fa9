"""Fact keys, the entities they belong to, and claims: what a sentence may state about whom.

``FactCatalog(facts)`` flattens a facts document into keyed facts. A key is the dotted path of the value, with
each list item named by its identity, the convention of the facts' ``figures`` list::

    slos.chat-api-availability.attainment          slo chat-api-availability, component chat-api
    components.chat-api.latency_p95_ms             component chat-api
    cost.by_team.ML Platform team                  team "ML Platform team"
    cost.budgets.ML Platform team.projected_share  team "ML Platform team"
    quality.chat-api:claude-sonnet-4-5.eval_pass_rate   component chat-api, model claude-sonnet-4-5
    cost.previous_total                            the previous period

Each ``KeyedFact`` carries its value, its unit class (money, ratio, burn, a duration unit, count, plain), the
entities it belongs to (``component:<id>``, ``slo:<name>``, ``team:<name>``, ``model:<id>``,
``provider:<name>``, ``incident:<id>``) and its period (``current`` or ``previous``, from a ``previous`` in
the key). A fact with no entity (``cost.total``, ``incident_stats.count``) belongs to the whole platform.

Daily series (``components[].days``, ``slos[].daily``, ``cost.by_day``) are kept only for the dates inside
the period's window: the status history's 90 daily uptimes would otherwise support almost any percentage
between 99 and 100. ``sources`` (file rows and hashes) and the ``figures`` list (a copy) are not facts a
text states.

``catalog.names`` is the lexicon of every entity the facts know (ids, names, teams, models, providers,
incidents and period labels); ``catalog.entities_in(sentence)`` finds the ones a sentence names.

Claims: a narrator's output is text plus the claims it makes, each ``Claim(fact_key, display)``. A model
writes figures as placeholders ``{{slos.chat-api-availability.attainment}}``; ``render(text, catalog)``
substitutes each key's display value (``catalog.display(key)``) and returns the published text, its claims
and the keys that do not exist.
"""

from __future__ import annotations

import bisect
import calendar
import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .. import display
from ..model import parse_timestamp
from .document import document
from .numbers import NumberMention, extract_numbers

UNIT_MS = {"ms": 1, "seconds": 1_000, "minutes": 60_000, "hours": 3_600_000, "days": 86_400_000}
UNIT_MS["weeks"] = 7 * UNIT_MS["days"]
_KEY_UNIT = re.compile(r"(?:^|_)(ms|seconds|minutes|hours|days|weeks)(?:_|$)")
_COMPLEMENT = re.compile(r"attainment|uptime|pass_rate|hit_rate|coverage|telemetry")
_BURN = re.compile(r"burn")
_CHANGE = re.compile(r"week_over_week|quarter_over_quarter|period_over_period|(?:^|_)(?:change|delta)(?:_|$)")
_RATIO = re.compile(
    r"share|rate|ratio|attainment|uptime|coverage|telemetry|objective|target|budget_remaining|"
    r"budget_consumed|error_budget|_max$|roi|week_over_week|over_|change|delta|accuracy"
)
MONEY_LEAVES = frozenset(
    {
        "total", "previous_total", "amount", "saving", "monthly_budget", "month_to_date", "projected_month_end",
        "unattributed", "revenue_at_risk_known", "revenue_at_risk_total", "cost", "expected_benefit",
        "running_cost_per_year", "spend", "budget_total", "projected_total", "daily_average",
        "previous_daily_average", "budgeted_month_to_date", "budgeted_projected", "unbudgeted_month_to_date",
        "unbudgeted_projected", "degraded_revenue_at_risk", "rate_per_minute",
        # the budget month that ended inside the period (cost.closed_month)
        "budgeted_spend", "unbudgeted_spend",
        # options: the revenue at risk of serious incidents and what a fix may cost
        "revenue_at_risk", "revenue_at_risk_per_year", "break_even_cost",
        # self_hosting: spend, engineering and API cost of the same traffic, and both prices per 1M tokens
        "gpu_spend", "engineering", "engineering_monthly", "self_hosted_cost", "api_cost",
        "monthly_self_hosted_cost", "self_hosted_per_million", "api_per_million",
    }
)  # fmt: skip
MONEY_BLOCKS = (
    "cost",
    "business",
    "incidents",
    "gaps",
    "investments",
    "incident_history",
    "options",
    "self_hosting",
)
"""The top-level blocks whose ``MONEY_LEAVES`` are amounts of money."""
MONEY_PARENTS = frozenset(
    {
        "by_component", "by_team", "by_model", "by_provider", "per_successful_task",
        "previous_per_successful_task", "per_incident", "by_day", "rates",
    }
)  # fmt: skip
DAY_COUNTS = frozenset(
    {"days", "previous_days", "days_with_data", "elapsed_days", "days_in_month", "overspent_days"}
)
"""Durations that count days ("data on 30 of its 91 days"): stated as a number of days or as a bare count."""
SKIPPED = frozenset({"figures", "files"})
TABLE_SKIPPED = (
    "coverage.series", "verdict.events", "incident_history", "business.assumptions", "sources",
    "cost.month_end.teams",  # the same figures as cost.budgets[] (and the unbudgeted line as month_end's own)
    "source_types",  # the sources' files and rows by type: the appendix of the print edition
    # AI operations blocks: stated by their own tables and template sentences (narrative/aiops.py)
    "ai_incidents", "segments", "drift", "kpi_changes", "self_hosting",
)  # fmt: skip
_TABLE_REPEATS = re.compile(
    r"^cost\.budgets\.[^.]+\.(?:month|data_through|elapsed_days|days_in_month)$"
    r"|^components\.[^.]+\.(?:history_days|days_with_uptime|gap_days|days_not_operational)$"
)
"""Per-team copies of the month's calendar, the same for every team as ``cost.month_end``'s, and the day
counts of each component's status history (the status page's, not a brief's)."""
DAILY = frozenset({"days", "daily", "by_day"})
RATIO_PARENTS = frozenset({"per_successful_task_change", "by_team_share"})
"""Maps of a ratio by component or team (``cost.by_team_share.<team>``)."""
_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")
_COMPACT = re.compile(r"^(\d+)(ms|s|m|h|d|w)$")


@dataclass(frozen=True)
class KeyedFact:
    key: str
    value: float
    unit: str  # money | ratio | points | burn | ms | seconds | minutes | hours | days | weeks | count | plain
    entities: frozenset[str]
    period: str  # current | previous
    leaf: str = ""  # the quantity's name: the last path segment that is not an id, label or date
    daily: bool = False  # one day of a daily series: stated only by a sentence that names a day

    @property
    def is_change(self) -> bool:
        return bool(_CHANGE.search(self.leaf))


@dataclass(frozen=True)
class Claim:
    """One figure a text states: the fact key it displays and the display written."""

    fact_key: str
    display: str
    placeholder: str = ""  # the key as written, with display modifiers ("cost.week_over_week|abs")

    @classmethod
    def of(cls, key: str, display: str) -> Claim:
        return cls(key.split("|", 1)[0], display, key)

    def as_dict(self) -> dict[str, str]:
        return {"fact_key": self.fact_key, "display": self.display}


@dataclass(frozen=True)
class Rendered:
    """A placeholder text with every known key substituted: the text, its claims and the unknown keys."""

    text: str
    claims: tuple[Claim, ...]
    unknown: tuple[tuple[str, tuple[int, int]], ...] = ()  # key, span in the rendered text
    spans: tuple[tuple[int, int], ...] = ()  # where each claim's display sits in the rendered text


@dataclass
class _Families:
    values: dict[str, list[tuple[float, int]]] = field(default_factory=dict)

    def add(self, family: str, value: float, idx: int) -> None:
        self.values.setdefault(family, []).append((abs(value), idx))

    def sort(self) -> None:
        for items in self.values.values():
            items.sort()


class FactCatalog:
    """Every fact of one facts document under its key, with entities, units and display values."""

    def __init__(
        self,
        facts: Mapping[str, Any],
        *,
        config: Any = None,
        fixed: Mapping[str, str] | None = None,
        every_day: bool = False,
    ):
        facts = self.facts = document(facts)
        self.fixed = dict(fixed or {})  # pseudo keys with a fixed display, e.g. summary_line
        self.texts: dict[str, str] = {}  # string facts: dates, period labels, titles, sentences
        self.currency = str(facts.get("currency") or (facts.get("cost") or {}).get("currency") or "USD")
        self.period = str(facts.get("period") or "")
        self.previous_period = str(facts.get("previous_period") or "")
        self.next_period = str(facts.get("next_period") or "")
        self.names: dict[str, set[str]] = {}  # alias (lower case) -> entities
        self.canonical: dict[str, str] = {}  # entity -> display name
        self.implies: dict[str, set[str]] = {}  # slo -> its component
        self.kinds: dict[str, set[str]] = {}  # entity kind -> aliases
        self._shown: dict[str, str] = {}  # alias (lower case) -> as written
        self._lexicon(facts, config)
        self.window = None if every_day else _window(facts)  # every_day: the 90-day status history too
        self.items: list[KeyedFact] = []
        self.by_key: dict[str, KeyedFact] = {}
        self._displays = {
            str(f["key"]): str(f["display"])
            for f in facts.get("figures") or []
            if isinstance(f, Mapping) and f.get("key") and f.get("display")
        }
        self._walk(facts, [], frozenset(), "current")
        self.figure_keys = frozenset(self._displays)
        self._families = _Families()
        self.integers: dict[int, list[int]] = {}
        for idx, fact in enumerate(self.items):
            self._index(fact, idx)
        self._families.sort()
        self._alias_re = _alias_pattern(self.names)
        self._written: dict[str, dict[str, str]] = {}  # fact key -> display -> its first key (key_written_as)

    # -- lexicon -----------------------------------------------------------------------------------------

    def _name(self, kind: str, ident: Any, *aliases: Any) -> str | None:
        if not ident or not isinstance(ident, str | int):
            return None
        entity = f"{kind}:{ident}"
        named = next((str(a) for a in aliases if isinstance(a, str) and a.strip()), None)
        if named or entity not in self.canonical:
            self.canonical[entity] = named or str(ident)
        for alias in (ident, *aliases):
            if isinstance(alias, str | int) and str(alias).strip():
                text = " ".join(str(alias).split()).lower()
                self.names.setdefault(text, set()).add(entity)
                self._shown.setdefault(text, " ".join(str(alias).split()))
                self.kinds.setdefault(kind, set()).add(text)
        return entity

    def _lexicon(self, facts: Mapping[str, Any], config: Any) -> None:
        for c in getattr(config, "components", None) or []:
            self._name("component", c.id, c.name)
            self._name("team", c.owner)
        for c in facts.get("components") or []:
            self._name("component", c.get("id"), c.get("name"))
            self._name("team", c.get("owner"))
        for s in facts.get("slos") or []:
            slo = self._name("slo", s.get("name"))
            comp = self._name("component", s.get("component"), s.get("component_name"))
            if slo and comp:
                self.implies.setdefault(slo, set()).add(comp)
        cost = facts.get("cost") or {}
        for team in cost.get("by_team") or {}:
            self._name("team", team)
        for b in cost.get("budgets") or []:
            self._name("team", b.get("team"))
        for model in cost.get("by_model") or {}:
            self._name("model", model)
        for provider in cost.get("by_provider") or {}:
            self._name("provider", provider)
        for q in facts.get("quality") or []:
            self._name("model", q.get("model_version"))
        for row in (
            facts.get("cost_quality") or []
        ):  # the baseline's versions too (a version that left service)
            for version in [*(row.get("model_versions") or []), *(row.get("previous_model_versions") or [])]:
                self._name("model", version)
        for inc in [*(facts.get("incidents") or []), *(facts.get("incident_history") or [])]:
            self._name("incident", inc.get("id"))
            for item in (inc.get("postmortem") or {}).get("action_items") or []:
                self._name("team", item.get("owner"))
        for item in [*(facts.get("next_actions") or []), *(facts.get("recommendations") or [])]:
            self._name("team", item.get("owner"))
        for label in (self.period, self.previous_period, self.next_period):
            self._name("period", label)
        for source in facts.get("sources") or []:
            self._name("source", source.get("id") if isinstance(source, Mapping) else None)

    def entities_in(self, text: str) -> set[str]:
        """The entities ``text`` names (an SLO also names its component)."""
        found: set[str] = set()
        if self._alias_re is None:
            return found
        for m in self._alias_re.finditer(text):
            for entity in self.names.get(" ".join(m.group(0).split()).lower(), ()):
                found.add(entity)
                found |= self.implies.get(entity, set())
        return found

    def canonical_name(self, alias: str) -> str:
        return self._shown.get(alias, alias)

    def last_named(self, text: str) -> set[str]:
        """The entities of the last name in ``text`` (the entity a figure right after it is about)."""
        found: set[str] = set()
        for m in self._alias_re.finditer(text) if self._alias_re is not None else ():
            found = set(self.names.get(" ".join(m.group(0).split()).lower(), ()))
        for e in list(found):
            found |= self.implies.get(e, set())
        return found

    def known_alias(self, phrase: str) -> bool:
        return " ".join(phrase.split()).lower() in self.names

    # -- facts ---------------------------------------------------------------------------------------------

    def _walk(self, node: Any, path: list[str], entities: frozenset[str], period: str) -> None:
        if isinstance(node, Mapping):
            for k, v in node.items():
                key = str(k)
                if key in SKIPPED:
                    continue
                ents = entities | self._entity_of(key)
                # the comparison block describes the baseline period ("2026-Q2 has data on 30 of its 91 days")
                per = "previous" if "previous" in key or (not path and key == "comparison") else period
                self._walk(v, [*path, key], ents, per)
        elif isinstance(node, list | tuple):
            parent = path[-1] if path else ""
            for i, item in enumerate(node):
                if isinstance(item, Mapping):
                    if parent in DAILY and not self._in_window(item.get("date")):
                        continue
                    ident, ents = self._item(parent, item, i)
                    self._walk(item, [*path, ident], entities | ents, period)
                elif isinstance(item, int | float) and not isinstance(item, bool):
                    self._leaf(float(item), [*path, str(i)], entities, period)
        elif isinstance(node, bool) or node is None:
            return
        elif isinstance(node, int | float):
            self._leaf(float(node), path, entities, period)
        elif isinstance(node, str) and path:
            self.texts.setdefault(".".join(path), node)

    def _entity_of(self, segment: str) -> frozenset[str]:
        ents = self.names.get(" ".join(segment.split()).lower())
        if not ents:
            return frozenset()
        out = set(ents) - {e for e in ents if e.startswith("period:")}
        for e in list(out):
            out |= self.implies.get(e, set())
        return frozenset(out)

    def _item(self, parent: str, item: Mapping[str, Any], index: int) -> tuple[str, frozenset[str]]:
        ents: set[str] = set()
        if parent == "slos" and item.get("name"):
            ents.add(f"slo:{item['name']}")
        if parent == "components" and item.get("id"):
            ents.add(f"component:{item['id']}")
        if parent == "sources" and item.get("id"):
            ents.add(f"source:{item['id']}")
        if parent in ("incidents", "incident_history", "events") and item.get("id"):
            ents.add(f"incident:{item['id']}")
        if isinstance(item.get("component"), str):
            ents.add(f"component:{item['component']}")
        for c in item.get("components") or [] if isinstance(item.get("components"), list) else []:
            if isinstance(c, str):
                ents.add(f"component:{c}")
        if isinstance(item.get("team"), str):
            ents.add(f"team:{item['team']}")
        if isinstance(item.get("slo"), str):
            ents.add(f"slo:{item['slo']}")
        if isinstance(item.get("model_version"), str):
            ents.add(f"model:{item['model_version']}")
        for e in list(ents):
            ents |= self.implies.get(e, set())
        if parent == "quality" and item.get("component"):
            ident = f"{item['component']}:{item.get('model_version') or 'all'}"
        elif isinstance(item.get("slo"), str):
            ident = f"{item['slo']}:{item.get('kind') or index}"
        elif item.get("component") and item.get("signal"):
            ident = f"{item['component']}:{item['signal']}"
        else:
            fields = ("name", "id") if parent == "slos" else ("id", "team", "slug", "name", "date", "key")
            ident = next(
                (str(item[f]) for f in fields if isinstance(item.get(f), str)),
                str(item.get("component") or index),
            )
        return ident, frozenset(ents)

    def _in_window(self, date: Any) -> bool:
        if self.window is None or not isinstance(date, str):
            return True
        return self.window[0] <= date[:10] <= self.window[1]

    def _leaf(self, value: float, path: list[str], entities: frozenset[str], period: str) -> None:
        if value != value:
            return
        key = ".".join(path)
        daily = any(seg in DAILY for seg in path)
        fact = KeyedFact(key, value, _unit(path), entities, period, _leaf_name(path), daily)
        self.items.append(fact)
        self.by_key.setdefault(key, fact)

    def _index(self, fact: KeyedFact, idx: int) -> None:
        fam, value, leaf = self._families, fact.value, fact.leaf
        if fact.unit == "money":
            fam.add("money", value, idx)
            return
        fam.add("raw", value, idx)
        if fact.unit in ("ratio", "points", "plain"):
            fam.add("percent", value * 100, idx)
        if _COMPLEMENT.search(leaf) and 0 <= value <= 1:
            fam.add("percent:complement", (1 - value) * 100, idx)
        if fact.unit == "burn":
            fam.add("percent:burn", (value - 1) * 100, idx)
        if fact.unit in UNIT_MS:
            for target, size in UNIT_MS.items():
                fam.add(f"duration:{target}", value * UNIT_MS[fact.unit] / size, idx)
        elif fact.unit in ("count", "plain"):
            fam.add("unitless", value, idx)
        if float(value).is_integer() and (
            fact.unit in ("count", "plain") or (fact.unit == "days" and leaf in DAY_COUNTS)
        ):
            self.integers.setdefault(abs(int(value)), []).append(idx)

    def _near(self, family: str, shown: Decimal, decimals: int, scale: int, floor: bool) -> list[int]:
        values = self._families.values.get(family, [])
        target = abs(shown)
        half = Decimal(5).scaleb(-decimals - 1)
        lo = float((target - half) * scale) * (1 - 1e-12)
        hi = float((target + (1 if floor else half)) * scale) * (1 + 1e-12)
        quantum = Decimal(1).scaleb(-decimals)
        out = []
        start = bisect.bisect_left(values, (lo, -1))
        end = bisect.bisect_right(values, (hi, len(self.items)))
        for value, idx in values[start:end]:
            scaled = Decimal(repr(value / scale)) if scale != 1 else Decimal(repr(value))
            if scaled.quantize(quantum, rounding=ROUND_HALF_UP) == target or (
                floor and int(scaled) == target
            ):
                out.append(idx)
        return out

    def matches(
        self, m: NumberMention, *, any_unit: bool = False, complement: bool = True, burn: bool = True
    ) -> list[KeyedFact]:
        """The facts whose value is displayed as mention ``m`` in its unit (``any_unit``: in any unit). A
        percentage also matches a ratio's complement (``complement``: "0.5% failed" for 99.5% attainment) and
        a burn rate above 1 (``burn``: "burned 59% faster" for 1.59x)."""
        shown, dec, scale = abs(m.shown), m.decimals, m.scale
        floor = m.label == "compound"
        families: list[str]
        if any_unit:
            families = ["money", "raw", "percent", "unitless"]
        elif m.kind == "money":
            families = ["money"]
        elif m.kind in ("percent", "points"):
            families = ["percent"] + ["percent:complement"] * complement + ["percent:burn"] * burn
        elif m.kind == "duration":
            families = [f"duration:{m.unit}", "unitless"]
        elif m.kind == "count" and scale == 1:
            return [self.items[i] for i in self.integers.get(int(shown), [])]
        else:
            families = ["raw"]
        idxs: list[int] = []
        for family in families:
            idxs += self._near(family, shown, dec, scale, floor)
        return [self.items[i] for i in dict.fromkeys(idxs)]

    # -- display and placeholders ----------------------------------------------------------------------------

    def display(self, key: str) -> str | None:
        """How a fact is written (the facts' own display when the ``figures`` list has it); string facts as
        written, ISO times as ``2026-11-04 14:14 UTC``; None for a key no fact has.

        Modifiers after ``|`` choose another display of the same fact: ``abs`` (no sign), ``complement``
        (1 - x, for "0.5% failed"), a unit to convert a duration to (``days``, ``hours``, ``minutes``, ``ms``,
        ``seconds``, ``weeks``) and a number of decimals: ``{{slos.x.time_to_exhaustion_hours|days|1}}``
        is "5.0 days". ``compact`` writes a duration as sentinel.yaml does ("15m", "6h") and ``millions`` a
        token count in millions ("130,846M"). A date or time fact also takes ``date`` ("2026-11-12") or ``time`` ("02:00", UTC). An
        unknown modifier makes the key unknown."""
        if "|" in key:
            base, *mods = key.split("|")
            fact = self.by_key.get(base)
            if fact is not None:
                return format_with(fact, mods, self.currency)
            shown = self.display(base)
            if shown is None:
                return None
            if mods == ["abs"]:
                return shown.replace("-", "", 1).replace("−", "", 1)
            iso = self.texts.get(base, "")
            if mods == ["date"] and re.match(r"^\d{4}-\d{2}-\d{2}", iso):
                return iso[:10]
            if mods == ["time"] and re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", iso):
                return display.timestamp(iso)[11:16]
            if mods == ["month"] and re.fullmatch(r"\d{4}-(?:0[1-9]|1[0-2])", iso):
                return month_name(iso)
            return None
        if key in self.fixed:
            return self.fixed[key]
        if key in self._displays:
            return self._displays[key]
        fact = self.by_key.get(key)
        if fact is not None:
            return format_fact(fact, self.currency)
        text = self.texts.get(key)
        if text is None:
            return None
        if re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", text):
            return display.timestamp(text)
        return text

    def key_table(self) -> str:
        """The keys a draft is offered, one ``key = display`` a line: fixed lines, figures, dates and labels.
        Daily series, coverage series, source detail, long strings and copies (the month-end team rows, each
        budget's copy of the month's calendar) are left out to keep the prompt small; any other existing key
        is still accepted."""
        lines = [f"{k} = {v}" for k, v in self.fixed.items()]
        lines += [
            f"{f.key} = {self.display(f.key)}"
            for f in self.by_key.values()
            if not f.daily
            and not f.key.startswith(TABLE_SKIPPED)
            and ".alerts." not in f.key
            and not _TABLE_REPEATS.match(f.key)
        ]
        lines += [
            f"{k} = {self.display(k)}"
            for k, v in self.texts.items()
            if not k.startswith(TABLE_SKIPPED)
            and not _TABLE_REPEATS.match(k)
            and len(v) <= 160
            and "\n" not in v
            and _has_digit(v)
        ]
        return "\n".join(lines)

    def key_written_as(self, fact: KeyedFact, raw: str) -> str | None:
        """The key of ``fact`` (with display modifiers) whose display is exactly ``raw``, if any: the first
        of ``MODIFIER_CHAINS`` that writes it so. A fact's displays are worked out once (the catalog does not
        change after it is built)."""
        written = self._written.get(fact.key)
        if written is None:
            written = {}
            for chain in MODIFIER_CHAINS:
                key = "|".join((fact.key, *chain))
                shown = self.display(key)
                if shown is not None:
                    written.setdefault(shown, key)
            self._written[fact.key] = written
        return written.get(raw)

    def key_of(self, m: NumberMention) -> str | None:
        """The fact key (with display modifiers) whose display is exactly the figure ``m`` as written."""
        for fact in dict.fromkeys([*self.matches(m), *self.matches(m, any_unit=True)]):
            key = self.key_written_as(fact, m.raw)
            if key is not None:
                return key
        return next((k for k, v in self.texts.items() if v == m.raw), None)

    def unkeyed(self, text: str, *, ignore: Iterable[str] = ()) -> list[NumberMention]:
        """Every figure of ``text`` that is not the display of a fact key: not ``display(key)`` of a numeric
        fact (with any display modifier), nor part of a string fact written whole (a gap sentence, a
        recommendation's title, an alert window "1h"). Dates, times, weeks and quarters are labels, not
        figures (``numbers.extract_numbers``), so they are not returned."""
        whole: list[tuple[int, int]] = []
        for value in {v for v in self.texts.values() if len(v) >= 3 and _has_digit(v)}:
            at = text.find(value)
            while at >= 0:
                whole.append((at, at + len(value)))
                at = text.find(value, at + 1)
        names = [
            a for a, e in self.names.items() if _has_digit(a) and not all(x.startswith("period:") for x in e)
        ]
        out = []
        for m in extract_numbers(text, ignore=[*names, *ignore]):
            if m.is_period or any(a <= m.span[0] and m.span[1] <= b for a, b in whole):
                continue
            if self.key_of(m) is None:
                out.append(m)
        return out

    def keys(self) -> Iterator[str]:
        yield from self.fixed
        yield from self.by_key
        yield from self.texts


def format_fact(fact: KeyedFact, currency: str = "USD") -> str:
    """A fact's display by its unit: money whole (4 decimals below 1), ratios as percentages, burn rates as
    multipliers, durations in the key's unit, counts with separators."""
    v, leaf = fact.value, fact.leaf
    if fact.unit == "money":
        return display.money(v, currency, 0 if abs(v) >= 100 or v == 0 else 2 if abs(v) >= 1 else 4)
    if fact.unit == "ratio":
        return display.pct(v, 2 if re.search(r"attainment|uptime", leaf) and v > 0.9 else 1)
    if fact.unit == "points":
        return display.pct_points(v, 2)
    if fact.unit == "burn":
        return display.multiplier(v)
    if fact.unit == "minutes":
        return display.duration_minutes(v)
    if fact.unit == "hours":
        return display.hours(v)
    if fact.unit == "days":
        return display.days(v, 0 if float(v).is_integer() else 1)
    if fact.unit == "ms":
        return f"{display.number(v)} ms"
    if fact.unit == "count":
        return display.number(v)
    return display.number(v, 0 if float(v).is_integer() else 2)


MODIFIER_CHAINS: tuple[tuple[str, ...], ...] = (
    (),
    *((str(p),) for p in range(7)),
    *((u,) for u in UNIT_MS),
    *((u, str(p)) for u in UNIT_MS for p in range(3)),
    ("abs",),
    *(("abs", str(p)) for p in range(5)),
    *(("complement", str(p)) for p in range(4)),
    ("hyphen",),
    *((u, "hyphen") for u in UNIT_MS),
    ("number",),
    ("signed",),
    *(("signed", str(p)) for p in range(3)),
    ("compact",),
    ("millions",),
)
"""The displays ``to_placeholders`` tries, in order, to write a figure exactly as the template shows it."""


def _compact(ms: float) -> str | None:
    """A duration in its shortest exact spelling, as sentinel.yaml writes one: "15m", "6h", "28d", "90s"."""
    if ms <= 0 or ms % 1000:
        return None
    seconds = int(ms // 1000)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def month_name(month: str) -> str:
    """ "2026-11" -> "November 2026" (a month fact written as a reader says it)."""
    year, number = month.split("-")
    return f"{calendar.month_name[int(number)]} {year}"


def format_with(fact: KeyedFact, mods: list[str], currency: str = "USD") -> str | None:
    """A fact's display after ``display`` modifiers; None for an unknown or impossible modifier."""
    value, unit, precision, hyphen, signed = fact.value, fact.unit, None, False, False
    for mod in mods:
        if mod == "signed":  # "+0.05 pp": a change with its sign written either way
            signed = unit in ("ratio", "points")
            if not signed:
                return None
        elif mod == "hyphen":
            hyphen = unit in UNIT_MS
        elif mod == "abs":
            value = abs(value)
        elif mod == "number" and unit in UNIT_MS:  # a count of days written bare: "data on 30 of its 91 days"
            unit = "plain"
        elif mod == "complement" and unit == "ratio":
            value = 1 - value
        elif mod == "compact" and unit in UNIT_MS:  # "15m": a resolution or window as configured
            return _compact(value * UNIT_MS[unit])
        elif mod == "millions" and unit in ("count", "plain"):  # "130,846M": a token count in millions
            return f"{display.number(value / 1e6, 0)}M"
        elif mod.isdigit() and len(mod) == 1:
            precision = int(mod)
        elif mod in UNIT_MS and unit in UNIT_MS:
            value, unit = value * UNIT_MS[unit] / UNIT_MS[mod], mod
        else:
            return None
    shown = dataclasses.replace(fact, value=value, unit=unit)
    if hyphen:  # "28-day": a duration used as an adjective
        amount = display.number(value, precision or 0)
        return f"{amount}-{unit.removesuffix('s') if unit != 'ms' else unit}"
    if precision is None:
        return _signed(format_fact(shown, currency), value) if signed else format_fact(shown, currency)
    p = precision
    formats = {
        "money": lambda v: display.money(v, currency, p),
        "ratio": lambda v: display.pct(v, p),
        "points": lambda v: display.pct_points(v, p),
        "burn": lambda v: display.multiplier(v, p),
        "hours": lambda v: display.hours(v, p),
        "days": lambda v: display.days(v, p),
        "minutes": lambda v: f"{display.number(v, p)} min",
        "ms": lambda v: f"{display.number(v, p)} ms",
        "seconds": lambda v: f"{display.number(v, p)} s",
        "weeks": lambda v: f"{display.number(v, p)} weeks",
    }
    text = formats.get(unit, lambda v: display.number(v, p))(value)
    return _signed(text, value) if signed else text


def _signed(text: str, value: float) -> str:
    """``text`` with a "+" before a positive change (one that does not round to zero)."""
    return f"+{text}" if value > 0 and any(c in "123456789" for c in text) and text[0].isdigit() else text


def render(text: str, catalog: FactCatalog) -> Rendered:
    """Substitute every ``{{key}}`` with the key's display; unknown keys are kept as written and listed."""
    claims: list[Claim] = []
    spans: list[tuple[int, int]] = []
    unknown: list[tuple[str, tuple[int, int]]] = []
    out: list[str] = []
    last, size = 0, 0
    for m in _PLACEHOLDER.finditer(text):
        before = text[last : m.start()]
        out.append(before)
        size += len(before)
        key = m.group(1)
        shown = catalog.display(key)
        if shown is None:
            unknown.append((key, (size, size + len(m.group(0)))))
            shown = m.group(0)
        else:
            claims.append(Claim.of(key, shown))
            spans.append((size, size + len(shown)))
        out.append(shown)
        size += len(shown)
        last = m.end()
    out.append(text[last:])
    return Rendered("".join(out), tuple(claims), tuple(unknown), tuple(spans))


def placeholders(text: str) -> list[tuple[str, tuple[int, int]]]:
    """Every ``{{key}}`` in ``text`` with its span."""
    return [(m.group(1), m.span()) for m in _PLACEHOLDER.finditer(text)]


def _unit(path: list[str]) -> str:
    leaf = _leaf_name(path)
    parent = path[-2] if len(path) > 1 else ""
    top = path[0] if path else ""
    if any("burn" in seg for seg in path[-3:-1]):
        return "burn"
    if leaf in MONEY_LEAVES and top in MONEY_BLOCKS:
        return "money"
    if top == "self_hosting" and parent == "api_price" and leaf in ("input", "output"):
        return "money"  # the configured API list price per 1M tokens
    if parent in MONEY_PARENTS and top in ("cost", "business"):
        return "money"
    if parent == "rates" and "business_impact" in path:  # an incident's revenue rate per component
        return "money"
    if top == "cost" and parent == "cache" and leaf == "saving":
        return "money"
    if parent in RATIO_PARENTS:
        return "ratio"
    if top == "ai_incidents" and leaf in ("peak", "limit") and parent.endswith("_rate"):
        return "ratio"  # an episode of a rate signal (``severity_criteria.<component>:toxicity_rate``)
    if _BURN.search(leaf) or leaf in ("threshold", "long_burn", "short_burn"):
        return "burn"
    if leaf.endswith("_pp"):  # a difference of two fractions, in percentage points
        return "points"
    unit = _KEY_UNIT.search(leaf)
    if unit:
        return unit.group(1)
    if _RATIO.search(leaf):
        return "ratio"
    if re.search(
        r"count|cases|passed|alerts|intervals|runs|tier|expected|items|slos|incidents|budgets", leaf
    ):
        return "count"
    return "plain"


def _has_digit(text: str) -> bool:
    return any(c.isdigit() for c in text)


def _leaf_name(path: list[str]) -> str:
    """The last path segment that names a quantity (not an entity id, a window label or a date)."""
    if len(path) > 1 and path[-2] in RATIO_PARENTS:
        return path[-2]
    for seg in reversed(path):
        if re.fullmatch(r"[a-z][a-z0-9_]*", seg) and not _COMPACT.match(seg):
            return seg
    return path[-1] if path else ""


def _window(facts: Mapping[str, Any]) -> tuple[str, str] | None:
    window = facts.get("window") or {}
    start, end = window.get("start"), window.get("end")
    if not isinstance(start, str) or not isinstance(end, str):
        return None
    end_date = parse_timestamp(end)
    last = (end_date - dt.timedelta(microseconds=1)).date().isoformat()
    return start[:10], last


def _alias_pattern(names: Mapping[str, Iterable[str]]) -> re.Pattern[str] | None:
    aliases = sorted((a for a in names if a), key=len, reverse=True)
    if not aliases:
        return None
    body = "|".join(r"\s+".join(re.escape(w) for w in a.split()) for a in aliases)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)
