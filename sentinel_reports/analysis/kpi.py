"""Business KPIs around model-version changes, and the two tests used (`kpi_changes` in docs/facts.md).

Statistics (numpy/math only; tests compare them with scipy to 1e-9):

- `two_proportion_z(x1, n1, x2, n2)`: z = (p2 − p1) / sqrt(p(1 − p)(1/n1 + 1/n2)) with the pooled
  p = (x1 + x2) / (n1 + n2); two-sided p-value = erfc(|z| / √2). Equal to the chi-square test of the 2×2
  table without continuity correction (z² = χ²).
- `welch_t(a, b)`: t = (mean(b) − mean(a)) / sqrt(s²a/na + s²b/nb) with sample variances (ddof 1), degrees of
  freedom by Welch–Satterthwaite, two-sided p-value = I_{df/(df+t²)}(df/2, 1/2) (the regularised
  incomplete beta function, by its continued fraction).

Model-version changes come from the eval rows: per component, the version with the most eval cases at each
eval time; a change is an eval time whose version differs from the previous one's (its day, in the
project's timezone, is the change day).

For each change and each KPI of the component (`type: business_kpis` rows): the change day is left out,
the *after* window is the days following it, up to `kpis.window`, before the next change and before the
end of the period; the *before* window has the same number of days, ending the day before the change and
starting after the previous change. Rates pool Σ value·n / Σ n over the window's days and use the
two-proportion z-test; means are compared day by day (each day's value is one observation) with Welch's
t-test. A comparison is shown only when both sides reach `kpis.min_sample` (Σ n) and `kpis.min_days`; otherwise
`shown` is false with the reason, and no value or p-value is given. It states an association in time
with the change, never a cause.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd

from ..config import Config
from .provenance import iso

# ------------------------------------------------------------------ statistics

P_FLOOR = 0.001  # a smaller p-value is stated as "p < 0.001"


def two_proportion_z(x1: float, n1: float, x2: float, n2: float) -> tuple[float, float]:
    """(z, two-sided p-value) of the difference between x2/n2 and x1/n1."""
    if n1 <= 0 or n2 <= 0:
        raise ValueError("both samples need at least one trial")
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
    diff = x2 / n2 - x1 / n1
    if se == 0.0:
        return (0.0, 1.0) if diff == 0 else (math.copysign(math.inf, diff), 0.0)
    z = diff / se
    return z, math.erfc(abs(z) / math.sqrt(2.0))


def welch_t(a: Any, b: Any) -> tuple[float, float, float]:
    """(t, degrees of freedom, two-sided p-value) of mean(b) − mean(a), unequal variances."""
    x, y = np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64")
    if len(x) < 2 or len(y) < 2:
        raise ValueError("each sample needs at least two observations")
    va, vb = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    se2 = va + vb
    diff = float(y.mean() - x.mean())
    if se2 == 0.0:
        return (0.0, math.nan, 1.0) if diff == 0 else (math.copysign(math.inf, diff), math.nan, 0.0)
    t = diff / math.sqrt(se2)
    df = se2**2 / (va**2 / (len(x) - 1) + vb**2 / (len(y) - 1))
    return t, float(df), t_two_sided(t, df)


def t_two_sided(t: float, df: float) -> float:
    """P(|T| ≥ |t|) for Student's t with ``df`` degrees of freedom."""
    return regularized_beta(df / (df + t * t), df / 2.0, 0.5)


def regularized_beta(x: float, a: float, b: float) -> float:
    """I_x(a, b) by the continued fraction (modified Lentz), using the symmetry for fast convergence."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_fraction(x, a, b) / a
    return 1.0 - front * _beta_fraction(1.0 - x, b, a) / b


def _beta_fraction(x: float, a: float, b: float) -> float:
    tiny, eps = 1e-300, 1e-16
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        for num in (
            m * (b - m) * x / ((a + m2 - 1.0) * (a + m2)),
            -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0)),
        ):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < eps:
            break
    return h


# ------------------------------------------------------------------ model changes and KPI comparisons


def model_changes(evals: pd.DataFrame, config: Config) -> list[dict[str, Any]]:
    """Per component, the days its dominant eval model version changed (time order)."""
    if not len(evals):
        return []
    rows = evals.loc[evals["model_version"].astype(str).str.strip() != ""]
    if not len(rows):
        return []
    out = []
    for component, mine in rows.groupby(rows["component"].astype(str), sort=True):
        cases = mine.groupby(["ts", "model_version"])["total"].sum().reset_index()
        cases = cases.sort_values(["ts", "total", "model_version"], ascending=[True, False, True])
        runs = cases.drop_duplicates("ts")  # the version with the most cases at each eval time
        previous = None
        for at, version in zip(runs["ts"], runs["model_version"], strict=True):
            if previous is not None and version != previous:
                out.append({"component": component, "day": at.tz_convert(config.tz).date(), "at": at.to_pydatetime(),
                            "from_version": previous, "to_version": version})  # fmt: skip
            previous = version
    return sorted(out, key=lambda c: (c["at"], c["component"]))


def kpi_change_facts(
    kpis: pd.DataFrame, evals: pd.DataFrame, config: Config, start: dt.datetime, end: dt.datetime
) -> list[dict[str, Any]]:
    """Comparisons for the changes at or after start − kpis.window and before end."""
    settings = config.kpis
    window_days = max(1, int(settings.window.total_seconds() // 86400))
    changes = model_changes(evals, config)
    if not len(kpis) or not changes:
        return []
    last_day = (end - dt.timedelta(microseconds=1)).astimezone(config.tz).date()
    days = kpis["day"].dt.tz_convert("UTC").dt.date
    frame = kpis.assign(date=days.to_numpy())
    out = []
    for change in changes:
        if not (start - settings.window <= change["at"] < end):
            continue
        mine = [c for c in changes if c["component"] == change["component"]]
        k = mine.index(change)
        nxt = mine[k + 1]["day"] if k + 1 < len(mine) else None
        prev = mine[k - 1]["day"] if k > 0 else None
        after_last = change["day"] + dt.timedelta(days=window_days)
        if nxt is not None:
            after_last = min(after_last, nxt - dt.timedelta(days=1))
        after_last = min(after_last, last_day)
        n_days = (after_last - change["day"]).days
        if prev is not None:
            n_days = min(n_days, (change["day"] - prev).days - 1)
        n_days = max(n_days, 0)
        before = (change["day"] - dt.timedelta(days=n_days), change["day"] - dt.timedelta(days=1))
        after = (change["day"] + dt.timedelta(days=1), change["day"] + dt.timedelta(days=n_days))
        comp_rows = frame.loc[frame["component"].astype(str) == change["component"]]
        for (kpi, kind), rows in comp_rows.groupby(
            [comp_rows["kpi"].astype(str), comp_rows["kind"].astype(str)], sort=True
        ):
            out.append(_compare(change, kpi, kind, rows, before, after, n_days, settings))
    return out


def _side(rows: pd.DataFrame, first: dt.date, last: dt.date, kind: str) -> dict[str, Any]:
    sel = rows.loc[(rows["date"] >= first) & (rows["date"] <= last)]
    n = int(sel["n"].sum())
    successes = float((sel["value"] * sel["n"]).round().sum()) if kind == "rate" else None  # whole trials
    value = None
    if len(sel) and n > 0:
        value = successes / n if kind == "rate" else float(sel["value"].mean())
    return {"start": first.isoformat(), "end": last.isoformat(), "days": int(sel["date"].nunique()), "n": n,
            "value": value, "rate": value if kind == "rate" else None, "mean": value if kind == "mean" else None,
            "daily": sel.sort_values("date")["value"].tolist(),
            "successes": successes}  # fmt: skip


def _compare(change: dict, kpi: str, kind: str, rows: pd.DataFrame, before: tuple, after: tuple, n_days: int,
             settings: Any) -> dict[str, Any]:  # fmt: skip
    b, a = _side(rows, *before, kind), _side(rows, *after, kind)
    entry: dict[str, Any] = {
        "id": f"{change['component']}:{kpi}:{change['at']:%Y-%m-%dT%H:%MZ}", "p_floor": P_FLOOR,
        "component": change["component"], "kpi": kpi, "kind": kind, "change_at": iso(change["at"]),
        "from_version": change["from_version"], "to_version": change["to_version"], "window_days": n_days,
        "before": {k: v for k, v in b.items() if k != "daily"}, "after": {k: v for k, v in a.items() if k != "daily"},
        "test": "two-proportion z-test" if kind == "rate" else "Welch's t-test", "statistic": None,
        "df": None, "p_value": None, "alpha": settings.alpha, "significant": None, "direction": None,
        "shown": False, "reason": None, "sources": sorted(set(rows["source"].astype(str))),
    }  # fmt: skip
    short = [
        f"{name} has {side['n']:,} {'trials' if kind == 'rate' else 'observations'} over "
        + (f"{side['days']} day" if side["days"] == 1 else f"{side['days']} days")
        for name, side in (("before", b), ("after", a))
        if side["n"] < settings.min_sample or side["days"] < settings.min_days
    ]
    if short:
        entry["reason"] = (
            "; ".join(short) + f" (minimum {settings.min_sample:,} and {settings.min_days} days per side)"
        )
        for side in (entry["before"], entry["after"]):
            side["value"] = side["rate"] = side["mean"] = None  # never shown below the minimum
        return entry
    if kind == "rate":
        stat, p = two_proportion_z(b["successes"], b["n"], a["successes"], a["n"])
        df = None
    else:
        stat, df, p = welch_t(b["daily"], a["daily"])
    diff = a["value"] - b["value"]
    entry.update(statistic=stat, df=df, p_value=p, significant=p < settings.alpha, shown=True,
                 direction="fell" if diff < 0 else "rose" if diff > 0 else "unchanged")  # fmt: skip
    return entry
