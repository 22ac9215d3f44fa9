"""Attribution of FOCUS charges (`focus`): component, team and model of each row, from the Tags JSON (or
MAP) and the attribution rules, then the component's owner. Tags are decoded once per distinct value.
"""

from __future__ import annotations

import fnmatch
import json
import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import SourceError
from .base import CollectContext
from .focus_table import dictionary_codes


def attribute(
    table: pa.Table, options: Any, ctx: CollectContext, file: str, unknown_values: set[str]
) -> tuple[pa.Array, pa.Array, pa.Array]:
    n = table.num_rows
    tags = _tag_values(table, options, file)
    known = ctx.config.component_ids
    component = pa.nulls(n, pa.string())
    if options.component_tag:
        raw = tags[options.component_tag]
        mapped = _map_values(raw, options.tag_values)
        valid = pc.is_in(mapped, value_set=pa.array(known, pa.string()))
        unknown = pc.filter(mapped, pc.and_(pc.invert(valid), pc.is_valid(mapped)))
        unknown_values.update(pc.unique(unknown).to_pylist()[:50])
        component = pc.if_else(valid, mapped, None)
    team = tags[options.team_tag] if options.team_tag else pa.nulls(n, pa.string())
    model = tags[options.model_tag] if options.model_tag else pa.nulls(n, pa.string())
    if options.model_column and options.model_column in table.column_names:
        model = pc.coalesce(model, _blank_to_null(table[options.model_column]))
    for rule in options.rules:
        mask = _rule_mask(table, rule.match, n)
        if rule.component is not None:
            component = pc.if_else(pc.and_(mask, pc.is_null(component)), rule.component, component)
        if rule.team is not None:
            team = pc.if_else(pc.and_(mask, pc.is_null(team)), rule.team, team)
    if options.team_from_owner:
        owners = pa.array([c.owner for c in ctx.config.components], pa.string())
        owner = pc.take(owners, pc.index_in(component, value_set=pa.array(known, pa.string())))
        team = pc.coalesce(team, owner)
    return component, team, model


def _blank_to_null(values: Any) -> pa.Array:
    trimmed = pc.utf8_trim_whitespace(pc.cast(values, pa.string()))
    return pc.if_else(pc.equal(trimmed, ""), None, trimmed)


def _map_values(values: pa.Array, mapping: dict[str, str]) -> pa.Array:
    if not mapping:
        return values
    keys = pa.array(list(mapping), pa.string())
    targets = pa.array(list(mapping.values()), pa.string())
    return pc.coalesce(pc.take(targets, pc.index_in(values, value_set=keys)), values)


def _rule_mask(table: pa.Table, match: dict[str, str], n: int) -> pa.Array:
    mask = pa.array(np.ones(n, dtype=bool))
    for column, glob in match.items():
        if column not in table.column_names:
            return pa.array(np.zeros(n, dtype=bool))
        pattern = re.compile(fnmatch.translate(glob))
        codes, uniques = dictionary_codes(table[column])
        hits = np.array([bool(pattern.match(str(u))) for u in uniques] + [False], dtype=bool)
        mask = pc.and_(mask, pa.array(hits[codes]))
    return mask


def _tag_values(table: pa.Table, options: Any, file: str) -> dict[str, pa.Array]:
    """Each configured tag key's value per row (null where absent), decoding each distinct Tags value once."""
    keys = [k for k in (options.component_tag, options.team_tag, options.model_tag) if k]
    n = table.num_rows
    if not keys or "Tags" not in table.column_names:
        return {k: pa.nulls(n, pa.string()) for k in keys}
    tags = table["Tags"]
    if pa.types.is_map(tags.type):
        return {
            k: _blank_to_null(pc.map_lookup(tags, pa.scalar(k, tags.type.key_type), "first")) for k in keys
        }
    codes, uniques = dictionary_codes(tags)
    per_key: dict[str, list[str | None]] = {k: [] for k in keys}
    for i, text in enumerate(uniques):
        obj = _tags_object(text, file, codes, i)
        for k in keys:
            value = obj.get(k)
            per_key[k].append(None if value is None or str(value).strip() == "" else str(value).strip())
    return {k: pa.array([*vals, None], pa.string()).take(pa.array(codes)) for k, vals in per_key.items()}


def _tags_object(text: Any, file: str, codes: np.ndarray, index: int) -> dict[str, Any]:
    if isinstance(text, dict):
        return text
    try:
        obj = json.loads(text) if str(text).strip() else {}
    except (json.JSONDecodeError, RecursionError):
        obj = None
    if not isinstance(obj, dict):
        row = int(np.flatnonzero(codes == index)[0]) + 1
        raise SourceError(
            file, "Tags is not a JSON object", row=row, column="Tags",
            expected='a JSON key-value object such as {"team": "search"}', found=text,
        )  # fmt: skip
    return obj
