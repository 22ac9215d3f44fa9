"""`project.collect` joins the sources' frames into the dataset exactly as `pandas.concat` would, whatever
the columns' dtypes (request-log samples keep their text columns categorical; other collectors use `str`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sentinel_reports.collectors.base import CollectContext
from sentinel_reports.collectors.catalog import registry
from sentinel_reports.pipeline import collect, load_project

REPO = Path(__file__).resolve().parents[2]


def test_dataset_samples_equal_the_plain_concatenation_of_every_source() -> None:
    config = load_project(REPO)  # the demo project: request logs, Prometheus, Datadog, evals...
    frames = []
    for index, src in enumerate(config.sources):
        cls = registry()[src.type]
        options = cls.Options.model_validate(src.model_dump(exclude_none=True))
        ctx = CollectContext(project_dir=REPO, source_id=config.source_id(index), tz=config.tz, config=config)
        samples = cls().collect(options, ctx).samples
        frames.append(samples.loc[samples["component"].isin(config.component_ids)])
    frames = [f for f in frames if len(f)]
    kinds = {type(f["component"].dtype).__name__ for f in frames}
    assert kinds == {"CategoricalDtype", "StringDtype"}, kinds  # the case that needs care
    expected = pd.concat(frames, ignore_index=True)
    pd.testing.assert_frame_equal(collect(config).samples, expected, check_exact=True)
