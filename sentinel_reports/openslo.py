"""OpenSLO v1 `kind: SLO` documents as SLO definitions.

Supported: inline indicators (`spec.indicator`) with `ratioMetric` (good/total; `bad` is rejected with a
message) or `thresholdMetric`; budgetingMethod Occurrences, Timeslices and RatioTimeslices; rolling windows
(`isRolling: true`, duration in m/h/d/w) and calendar windows of a week, month or quarter (`1w`, `1M`, `1Q`).
Metric queries are opaque here, so the `slos:` entry that references the file names the canonical signals.
A document with several objectives yields one SLO per objective.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import ConfigError, ConfigProblem

_OPENSLO_DURATION = re.compile(r"^(\d+)(m|h|d|w|M|Q|Y)$")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:64] or "slo"


def load_openslo(project_dir: Path, ref: Any, read_yaml: Callable[[Path, str], Any]) -> list[dict[str, Any]]:
    """Read the OpenSLO file(s) at `ref.openslo` with `read_yaml` (config's reader, passed in so that this
    module does not import config) and return plain `slos:` entries (dicts)."""
    path = Path(ref.openslo)
    if not path.is_absolute():
        path = project_dir / path
    file = str(path)
    doc = read_yaml(path, "OpenSLO")
    problems: list[ConfigProblem] = []

    def bad(where: str, message: str) -> None:
        problems.append(ConfigProblem(where, message, file))

    if not isinstance(doc, dict):
        raise ConfigError(ConfigProblem("", "expected an OpenSLO document (a mapping)", file))
    if doc.get("apiVersion") != "openslo/v1":
        bad("apiVersion", f"expected 'openslo/v1', found {doc.get('apiVersion')!r}")
    if doc.get("kind") != "SLO":
        bad("kind", f"expected 'SLO', found {doc.get('kind')!r}")
    meta = doc.get("metadata") or {}
    spec = doc.get("spec") or {}
    if not isinstance(spec, dict) or not isinstance(meta, dict):
        raise ConfigError(ConfigProblem("spec", "expected mappings for metadata and spec", file))
    name = _slug(str(meta.get("name") or path.stem))
    component = ref.component or spec.get("service")
    if not component:
        bad("spec.service", "no service in the document and no `component:` in the slos entry")

    indicator_spec = (
        (spec.get("indicator") or {}).get("spec") if isinstance(spec.get("indicator"), dict) else None
    )
    if spec.get("indicatorRef"):
        bad("spec.indicatorRef", "referenced SLI documents are not supported; inline the indicator")
    indicator: dict[str, Any] | None = None
    kind = None
    if not isinstance(indicator_spec, dict):
        bad("spec.indicator.spec", "expected an inline indicator with ratioMetric or thresholdMetric")
    elif "ratioMetric" in indicator_spec:
        rm = indicator_spec["ratioMetric"] or {}
        if "bad" in rm and "good" not in rm:
            bad(
                "spec.indicator.spec.ratioMetric", "bad/total ratio metrics are not supported; use good/total"
            )
        kind = "ratio"
        indicator = {"ratio": {"good": ref.good, "total": ref.total}}
    elif "thresholdMetric" in indicator_spec:
        kind = "threshold"
        if not ref.signal:
            bad(
                "signal",
                "a thresholdMetric indicator needs `signal:` in the slos entry (e.g. latency_p95_ms)",
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
        window = _window(tw[0], bad)

    objectives = spec.get("objectives")
    out: list[dict[str, Any]] = []
    if not isinstance(objectives, list) or not objectives:
        bad("spec.objectives", "expected a non-empty list of objectives")
        objectives = []
    for i, obj in enumerate(objectives):
        where = f"spec.objectives[{i}]"
        if not isinstance(obj, dict):
            bad(where, "expected a mapping")
            continue
        target = obj.get("target", obj.get("targetPercent"))
        if "targetPercent" in obj and "target" not in obj and target is not None:
            target = float(target) / 100
        if not isinstance(target, int | float) or not 0 < float(target) < 1:
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
        if kind == "threshold":
            op, value = obj.get("op"), obj.get("value")
            if op not in ("lt", "lte", "gt", "gte"):
                bad(f"{where}.op", f"expected lt, lte, gt or gte, found {op!r}")
                continue
            if not isinstance(value, int | float):
                bad(f"{where}.value", f"op {op!r} needs a numeric value; found {value!r}")
                continue
            entry["indicator"] = {"threshold": {"signal": ref.signal, "op": op, "value": float(value)}}
        elif kind == "ratio":
            entry["indicator"] = indicator
            if method in ("timeslices", "ratio_timeslices"):
                slice_target = obj.get("timeSliceTarget")
                if slice_target is None:
                    found = (
                        f"op {obj.get('op')!r} without value"
                        if "op" in obj and "value" not in obj
                        else "nothing"
                    )
                    bad(
                        f"{where}.timeSliceTarget",
                        f"budgetingMethod {method_raw} needs timeSliceTarget (the ratio a slice must reach); "
                        f"found {found}",
                    )
                    continue
                entry["timeslice_target"] = float(slice_target)
                entry["budgeting_method"] = "ratio_timeslices"
        out.append(entry)
    if problems:
        raise ConfigError(problems)
    return out


def _rolling_duration(text: str, where: str, bad: Any) -> dt.timedelta | None:
    m = _OPENSLO_DURATION.match(text.strip())
    sizes = {"m": 60, "h": 3600, "d": 86400, "w": 604800}
    if not m or m.group(2) not in sizes or int(m.group(1)) == 0:
        bad(where, f"expected a duration longer than zero such as 1m, 1h, 28d or 2w, found {text!r}")
        return None
    return dt.timedelta(seconds=int(m.group(1)) * sizes[m.group(2)])


def _window(tw: dict[str, Any], bad: Any) -> dict[str, Any]:
    duration = str(tw.get("duration", ""))
    if tw.get("isRolling", True) is not False:
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
