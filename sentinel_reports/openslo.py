"""OpenSLO v1 `kind: SLO` documents as SLO definitions.

A file may hold several YAML documents (``---``): every one is read. `kind: SLO` documents become SLOs;
`kind: SLI` documents are the targets of `spec.indicatorRef`, looked up by `metadata.name` in the same file
first, then in the sibling `*.yaml`/`*.yml` files of its folder; `kind: Service` and the other OpenSLO kinds
are accepted and not used (the `slos:` entry or `spec.service` names the component).

Validation follows the OpenSLO Go SDK (github.com/OpenSLO/go-sdk, `pkg/openslo/v1/slo.go`): `indicator` and
`indicatorRef` are mutually exclusive and one is required; a ratioMetric indicator forbids `op` and `value`
on its objectives, a thresholdMetric indicator requires both; `target` and `targetPercent` are mutually
exclusive (target in [0, 1), targetPercent in [0, 100)); budgetingMethod Timeslices requires
`timeSliceTarget` (in (0, 1]) and `timeSliceWindow`, RatioTimeslices requires `timeSliceWindow`; exactly one
time window, whose `calendar` is required when `isRolling` is false (its default) and forbidden when true.
The SDK checks `op`/`value` only on inlined indicators; Sentinel resolves `indicatorRef` first (as the SDK's
inliner does for the references it knows) and applies the same rule to the referenced SLI.

Sentinel's own limits, beyond the SDK: `bad`/`total` and `raw` ratio metrics are rejected with a message
(use good/total); composite SLOs (indicators on objectives) are not supported; RatioTimeslices also needs a
`timeSliceTarget` (Sentinel evaluates timeslices against a slice target); calendar windows are `1w`, `1M` or
`1Q`; rolling durations are m/h/d/w. Metric queries are opaque here, so the `slos:` entry that references
the file names the canonical signals. A document with several objectives yields one SLO per objective.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import ConfigError, ConfigProblem

_OPENSLO_DURATION = re.compile(r"^(\d+)(m|h|d|w|M|Q|Y)$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
KNOWN_KINDS = (
    "SLO",
    "SLI",
    "Service",
    "DataSource",
    "AlertPolicy",
    "AlertCondition",
    "AlertNotificationTarget",
)

ReadDocuments = Callable[[Path, str], list[Any]]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:64] or "slo"


def load_openslo(project_dir: Path, ref: Any, read_documents: ReadDocuments) -> list[dict[str, Any]]:
    """Read the OpenSLO file at `ref.openslo` with `read_documents` (config's multi-document YAML reader,
    passed in so that this module does not import config) and return plain `slos:` entries (dicts), one per
    objective of every `kind: SLO` document in the file."""
    path = Path(ref.openslo)
    if not path.is_absolute():
        path = project_dir / path
    file = str(path)
    docs = read_documents(path, "OpenSLO")
    problems: list[ConfigProblem] = []
    several = len(docs) > 1
    slos: list[tuple[str, dict[str, Any]]] = []
    for n, doc in enumerate(docs):
        where = f"documents[{n}]" if several else ""
        if not isinstance(doc, dict):
            problems.append(ConfigProblem(where, "expected an OpenSLO document (a mapping)", file))
            continue
        if doc.get("apiVersion") != "openslo/v1":
            problems.append(
                ConfigProblem(
                    _at(where, "apiVersion"), f"expected 'openslo/v1', found {doc.get('apiVersion')!r}", file
                )
            )
            continue
        kind = doc.get("kind")
        if kind == "SLO":
            slos.append((where, doc))
        elif kind not in KNOWN_KINDS:
            problems.append(
                ConfigProblem(
                    _at(where, "kind"), f"expected one of {', '.join(KNOWN_KINDS)}, found {kind!r}", file
                )
            )
    if not slos and not problems:
        kinds = sorted({str(d.get("kind")) for d in docs if isinstance(d, dict)})
        found = f"only {', '.join(kinds)}" if kinds else "no document"
        problems.append(ConfigProblem("kind", f"expected a document of kind SLO, found {found}", file))
    if problems:
        raise ConfigError(problems)
    sli = _SLIFinder(path, docs, read_documents)
    out: list[dict[str, Any]] = []
    for where, doc in slos:
        out.extend(_slo_entries(doc, where, path, ref, sli, problems))
    if problems:
        raise ConfigError(problems)
    names = [e["name"] for e in out]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(ConfigProblem("metadata.name", f"two SLOs in this file are named {name!r}", file))
    if problems:
        raise ConfigError(problems)
    return out


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


class _SLIFinder:
    """`kind: SLI` documents by `metadata.name`: the file's own first, then its sibling YAML files'."""

    def __init__(self, path: Path, docs: list[Any], read_documents: ReadDocuments) -> None:
        self.path, self.read_documents = path, read_documents
        self.own = self._index(docs, path)
        self._siblings: dict[str, list[tuple[Path, dict[str, Any]]]] | None = None
        self.unreadable: list[str] = []

    @staticmethod
    def _index(docs: list[Any], path: Path) -> dict[str, list[tuple[Path, dict[str, Any]]]]:
        found: dict[str, list[tuple[Path, dict[str, Any]]]] = {}
        for doc in docs:
            if isinstance(doc, dict) and doc.get("kind") == "SLI" and doc.get("apiVersion") == "openslo/v1":
                meta = doc.get("metadata")
                name = meta.get("name") if isinstance(meta, dict) else None
                if isinstance(name, str):
                    found.setdefault(name, []).append((path, doc))
        return found

    def siblings(self) -> dict[str, list[tuple[Path, dict[str, Any]]]]:
        if self._siblings is None:
            self._siblings = {}
            folder = self.path.parent
            files = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p != self.path)
            for sibling in files:
                if not sibling.is_file():
                    continue
                try:
                    docs = self.read_documents(sibling, "OpenSLO")
                except ConfigError as exc:  # not OpenSLO, or broken: it cannot hold the SLI
                    self.unreadable.append(f"{sibling.name} ({exc.problems[0].message})")
                    continue
                for name, hits in self._index(docs, sibling).items():
                    self._siblings.setdefault(name, []).extend(hits)
        return self._siblings

    def find(self, name: str) -> tuple[dict[str, Any] | None, str]:
        """(the SLI document, "") or (None, why not)."""
        for scope in (self.own, None):
            hits = (scope if scope is not None else self.siblings()).get(name, [])
            if len(hits) == 1:
                return hits[0][1], ""
            if len(hits) > 1:
                where = ", ".join(sorted({p.name for p, _ in hits}))
                return None, f"SLI {name!r} is defined {len(hits)} times ({where}); names must be unique"
        skipped = (
            f"; unreadable sibling files skipped: {'; '.join(self.unreadable)}" if self.unreadable else ""
        )
        return None, (
            f"no kind: SLI document named {name!r} in this file or the YAML files beside it{skipped}"
        )


def _slo_entries(
    doc: dict[str, Any], at: str, path: Path, ref: Any, sli: _SLIFinder, problems: list[ConfigProblem]
) -> list[dict[str, Any]]:
    file = str(path)
    count = len(problems)

    def bad(where: str, message: str) -> None:
        problems.append(ConfigProblem(_at(at, where), message, file))

    meta = doc.get("metadata") or {}
    spec = doc.get("spec") or {}
    if not isinstance(spec, dict) or not isinstance(meta, dict):
        bad("spec", "expected mappings for metadata and spec")
        return []
    name = _slug(str(meta.get("name") or path.stem))
    component = ref.component or spec.get("service")
    if not component:
        bad("spec.service", "no service in the document and no `component:` in the slos entry")

    objectives = spec.get("objectives")
    if isinstance(objectives, list) and any(
        isinstance(o, dict) and ("indicator" in o or "indicatorRef" in o) for o in objectives
    ):
        bad("spec.objectives", "composite SLOs (an indicator per objective) are not supported")
        return []
    indicator_spec = _indicator_spec(spec, sli, bad)
    indicator: dict[str, Any] | None = None
    kind = None
    if indicator_spec is None:
        pass
    elif not isinstance(indicator_spec, dict):
        bad("spec.indicator.spec", "expected an indicator with ratioMetric or thresholdMetric")
    elif "ratioMetric" in indicator_spec and "thresholdMetric" in indicator_spec:
        bad("spec.indicator.spec", "ratioMetric and thresholdMetric are mutually exclusive; give one")
    elif "ratioMetric" in indicator_spec:
        rm = indicator_spec["ratioMetric"] if isinstance(indicator_spec["ratioMetric"], dict) else {}
        if "good" not in rm:
            which = "bad/total" if "bad" in rm else ("raw" if "raw" in rm else "this")
            bad("spec.indicator.spec.ratioMetric", f"{which} ratio metrics are not supported; use good/total")
        kind = "ratio"
        indicator = {"ratio": {"good": ref.good, "total": ref.total}}
    elif "thresholdMetric" in indicator_spec:
        kind = "threshold"
        if not ref.signal:
            problems.append(
                ConfigProblem(
                    "signal",
                    "a thresholdMetric indicator needs `signal:` in the slos entry (e.g. latency_p95_ms)",
                    file,
                )
            )
    else:
        bad("spec.indicator.spec", "expected ratioMetric or thresholdMetric")

    method_map = {
        "Occurrences": "occurrences",
        "Timeslices": "timeslices",
        "RatioTimeslices": "ratio_timeslices",
    }
    method_raw = spec.get("budgetingMethod")
    method = method_map.get(str(method_raw))
    if method is None:
        bad(
            "spec.budgetingMethod",
            f"expected Occurrences, Timeslices or RatioTimeslices, found {method_raw!r}",
        )

    window: dict[str, Any] = {}
    tw = spec.get("timeWindow")
    if not isinstance(tw, list) or len(tw) != 1 or not isinstance(tw[0], dict):
        bad("spec.timeWindow", "expected a list with exactly one time window")
    else:
        window = _window(tw[0], lambda where, message: bad(where, message))

    out: list[dict[str, Any]] = []
    if not isinstance(objectives, list) or not objectives:
        bad("spec.objectives", "expected a non-empty list of objectives")
        objectives = []
    for i, obj in enumerate(objectives):
        where = f"spec.objectives[{i}]"
        if not isinstance(obj, dict):
            bad(where, "expected a mapping")
            continue
        if "target" in obj and "targetPercent" in obj:
            bad(where, "target and targetPercent are mutually exclusive; give one")
            continue
        target = obj.get("target", obj.get("targetPercent"))
        if "targetPercent" in obj and "target" not in obj and isinstance(target, int | float):
            target = float(target) / 100
        if not isinstance(target, int | float) or isinstance(target, bool) or not 0 < float(target) < 1:
            bad(f"{where}.target", f"expected a target between 0 and 1, found {target!r}")
            continue
        entry: dict[str, Any] = {
            "name": name if len(objectives) == 1 else _slug(f"{name}-{obj.get('displayName') or i + 1}"),
            "component": component,
            "objective": float(target),
            "budgeting_method": method,
            "description": str(spec.get("description") or meta.get("displayName") or ""),
            "source": str(Path(ref.openslo).as_posix()),
            **window,
        }
        slice_window = obj.get("timeSliceWindow")
        if slice_window is not None:
            entry["timeslice"] = _rolling_duration(str(slice_window), f"{where}.timeSliceWindow", bad)
        elif method in ("timeslices", "ratio_timeslices"):
            bad(f"{where}.timeSliceWindow", f"budgetingMethod {method_raw} requires timeSliceWindow")
            continue
        if kind == "threshold":
            op, value = obj.get("op"), obj.get("value")
            if op not in ("lt", "lte", "gt", "gte"):
                bad(f"{where}.op", f"a thresholdMetric objective needs op: lt, lte, gt or gte; found {op!r}")
                continue
            if not isinstance(value, int | float) or isinstance(value, bool):
                bad(f"{where}.value", f"op {op!r} needs a numeric value; found {value!r}")
                continue
            entry["indicator"] = {"threshold": {"signal": ref.signal, "op": op, "value": float(value)}}
        elif kind == "ratio":
            forbidden = [key for key in ("op", "value") if key in obj]
            if forbidden:
                shown = " and ".join(f"{key}: {obj[key]!r}" for key in forbidden)
                bad(
                    f"{where}.{forbidden[0]}",
                    f"{shown} is forbidden on an objective of a ratioMetric indicator (the OpenSLO Go SDK "
                    "rejects it: op and value belong to thresholdMetric objectives); remove it",
                )
                continue
            entry["indicator"] = indicator
            if method in ("timeslices", "ratio_timeslices"):
                slice_target = obj.get("timeSliceTarget")
                if slice_target is None:
                    need = "requires" if method == "timeslices" else "needs, in Sentinel,"
                    bad(
                        f"{where}.timeSliceTarget",
                        f"budgetingMethod {method_raw} {need} timeSliceTarget (the ratio a slice must reach)",
                    )
                    continue
                if not isinstance(slice_target, int | float) or not 0 < float(slice_target) <= 1:
                    bad(f"{where}.timeSliceTarget", f"expected a ratio in (0, 1], found {slice_target!r}")
                    continue
                entry["timeslice_target"] = float(slice_target)
                entry["budgeting_method"] = "ratio_timeslices"
        out.append(entry)
    return out if len(problems) == count else []


def _indicator_spec(spec: dict[str, Any], sli: _SLIFinder, bad: Callable[[str, str], None]) -> Any:
    """The indicator's spec: inline (`spec.indicator.spec`) or the referenced SLI's (`spec.indicatorRef`)."""
    has_inline, has_ref = "indicator" in spec, "indicatorRef" in spec
    if has_inline and has_ref:
        bad("spec", "indicator and indicatorRef are mutually exclusive; give one")
        return None
    if has_ref:
        name = spec["indicatorRef"]
        if not isinstance(name, str) or not _DNS_LABEL.match(name):
            bad("spec.indicatorRef", f"expected the name of an SLI (a DNS label), found {name!r}")
            return None
        doc, why = sli.find(name)
        if doc is None:
            bad("spec.indicatorRef", why)
            return None
        found = doc.get("spec")
        if not isinstance(found, dict):
            bad("spec.indicatorRef", f"SLI {name!r} has no spec mapping")
            return None
        return found
    if not has_inline:
        bad("spec.indicator", "expected indicator (inline) or indicatorRef (the name of an SLI document)")
        return None
    inline = spec["indicator"]
    found = inline.get("spec") if isinstance(inline, dict) else None
    if found is None:
        bad("spec.indicator.spec", "expected an inline indicator with ratioMetric or thresholdMetric")
        return None
    return found


def _rolling_duration(text: str, where: str, bad: Any) -> dt.timedelta | None:
    m = _OPENSLO_DURATION.match(text.strip())
    sizes = {"m": 60, "h": 3600, "d": 86400, "w": 604800}
    if not m or m.group(2) not in sizes or int(m.group(1)) == 0:
        bad(where, f"expected a duration longer than zero such as 1m, 1h, 28d or 2w, found {text!r}")
        return None
    return dt.timedelta(seconds=int(m.group(1)) * sizes[m.group(2)])


def _window(tw: dict[str, Any], bad: Any) -> dict[str, Any]:
    duration = str(tw.get("duration", ""))
    rolling = tw.get("isRolling", False)  # the OpenSLO default: a calendar window
    if not isinstance(rolling, bool):
        bad("spec.timeWindow[0].isRolling", f"expected true or false, found {rolling!r}")
        return {}
    if rolling and tw.get("calendar") is not None:
        bad("spec.timeWindow[0].calendar", "calendar cannot be set when isRolling is true")
        return {}
    if not rolling and not isinstance(tw.get("calendar"), dict):
        missing = "" if "isRolling" in tw else " (isRolling defaults to false)"
        bad("spec.timeWindow[0].calendar", f"calendar must be set when isRolling is false{missing}")
        return {}
    if rolling:
        td = _rolling_duration(duration, "spec.timeWindow[0].duration", bad)
        return {"window": td, "window_kind": "rolling"} if td else {}
    units = {"1w": ("week", 7), "1M": ("month", 30), "1Q": ("quarter", 91)}
    if duration not in units:
        hint = " (in OpenSLO `m` is minutes; a month is `1M`)" if duration.endswith("m") else ""
        bad(
            "spec.timeWindow[0].duration",
            f"calendar windows of 1w, 1M or 1Q are supported, found {duration!r}{hint}",
        )
        return {}
    unit, days = units[duration]
    return {"window": dt.timedelta(days=days), "window_kind": "calendar", "calendar_unit": unit}
