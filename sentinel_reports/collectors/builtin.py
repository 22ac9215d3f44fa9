"""Imports every built-in collector module so each registers itself."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

_SKIP = {"base", "builtin"}

for _info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda i: i.name):
    if _info.name not in _SKIP and not _info.name.startswith("_"):
        importlib.import_module(f"{__package__}.{_info.name}")
