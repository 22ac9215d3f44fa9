"""Business KPIs (`type: business_kpis`): a daily table of `date, component, kpi, value, n` (CSV, JSONL,
JSON or Parquet; gzip allowed).

- `date`: a calendar day (ISO 8601 `YYYY-MM-DD`; a timestamp is read as its day in the source's timezone);
- `component`: a component id (or a `components` label); rows of other components are dropped and counted;
- `kpi`: the KPI's name (e.g. `conversion`, `answer_acceptance`, `csat`);
- `value`: for a KPI listed in `rates`, the share of the day's `n` trials that succeeded (0..1); for any other
  KPI, the mean of the day's `n` observations;
- `n`: trials or observations behind the value (a whole number ≥ 0).

Two rows for the same day, component and KPI are a SourceError (summing or choosing would be a guess);
identical rows are dropped and counted. The rows are compared around model-version changes by
`analysis/kpi.py`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import SourceError
from ..model import conform
from .base import Batch, CollectContext, Collector, SourceOptions, drop_duplicates, parse_numbers
from .csv_samples import map_components, parse_times
from .io import expand_paths, input_file, read_table, require_columns

COLUMNS = ("date", "component", "kpi", "value", "n")


class BusinessKpisOptions(SourceOptions):
    rates: list[str] = []  # KPIs whose value is a share of n trials; the others are means
    components: dict[str, str] = {}


class BusinessKpisCollector(Collector):
    type = "business_kpis"
    Options = BusinessKpisOptions

    def collect(self, options: BusinessKpisOptions, ctx: CollectContext) -> Batch:
        frames, files, rows = [], [], 0
        for path in expand_paths(ctx, options.path):
            file = str(path)
            table = read_table(path)
            table.columns = [str(c).strip() for c in table.columns]
            require_columns(table, COLUMNS, file)
            files.append(input_file(ctx, path, len(table)))
            rows += len(table)
            if not len(table):
                continue
            when = parse_times(table["date"].astype("string"), tz=ctx.tz, file=file, column="date")
            day = when.dt.tz_convert(ctx.tz).dt.normalize().dt.tz_localize(None).dt.tz_localize("UTC")
            kpi = table["kpi"].astype("string").str.strip()
            if kpi.isna().any() or (kpi == "").any():
                i = int((kpi.isna() | (kpi == "")).to_numpy().nonzero()[0][0])
                raise SourceError(
                    file, "missing KPI name", row=i + 1, column="kpi", expected="a name", found="empty"
                )
            value = parse_numbers(table["value"], file=file, column="value")
            n = parse_numbers(table["n"], file=file, column="n")
            bad_n = ((n < 0) | (n != n.round()) | ~np.isfinite(n)).to_numpy()
            if bad_n.any():
                i = int(bad_n.nonzero()[0][0])
                raise SourceError(
                    file,
                    "not a count",
                    row=i + 1,
                    column="n",
                    expected="a whole number >= 0",
                    found=table["n"].iloc[i],
                )
            is_rate = kpi.isin(options.rates).fillna(False).to_numpy()
            bad_v = ~np.isfinite(value.to_numpy()) | (is_rate & ((value < 0) | (value > 1)).to_numpy())
            if bad_v.any():
                i = int(bad_v.nonzero()[0][0])
                expected = "a share from 0 to 1 (a rate KPI)" if is_rate[i] else "a finite number"
                raise SourceError(
                    file,
                    "not a KPI value",
                    row=i + 1,
                    column="value",
                    expected=expected,
                    found=table["value"].iloc[i],
                )
            frames.append(pd.DataFrame({
                "day": day.to_numpy(), "component": table["component"].astype("string").str.strip().astype(object).to_numpy(),
                "kpi": kpi.astype(object).to_numpy(), "kind": np.where(is_rate, "rate", "mean"),
                "value": value.to_numpy(), "n": n.to_numpy(dtype="int64"), "file": file, "row": np.arange(1, len(table) + 1),
            }))  # fmt: skip
        if not frames:
            return Batch(files=files, rows=rows, summary={"kpis": [], "days": 0})
        kpis = pd.concat(frames, ignore_index=True)
        deduped, duplicates = drop_duplicates(kpis.drop(columns=["file", "row"]))
        key = ["day", "component", "kpi"]
        clash = deduped.duplicated(key, keep=False)
        if clash.any():
            first = deduped.loc[clash].iloc[0]
            where = kpis.loc[
                (kpis["day"] == first["day"])
                & (kpis["component"] == first["component"])
                & (kpis["kpi"] == first["kpi"])
            ]
            raise SourceError(
                str(where["file"].iloc[-1]), f"two values of {first['kpi']} for {first['component']} on {first['day']:%Y-%m-%d}",
                row=int(where["row"].iloc[-1]), column="value", expected="one row per day, component and KPI",
                found=where["value"].tolist()[:2],
            )  # fmt: skip
        mapped, keep, warning = map_components(
            deduped["component"], options.components, ctx.config.component_ids
        )
        deduped = deduped.assign(component=mapped.to_numpy()).loc[keep]
        deduped = deduped.sort_values(key, kind="stable").assign(source=ctx.source_id)
        return Batch(
            kpis=conform("kpis", deduped),
            files=files,
            rows=rows,
            duplicates_dropped=duplicates,
            warnings=[warning] if warning else [],
            summary={
                "kpis": sorted(set(deduped["kpi"].astype(str))),
                "days": int(deduped["day"].nunique()),
                "dropped_other_components": int((~keep).sum()),
            },
        )
