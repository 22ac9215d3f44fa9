"""A non-editable install works from any folder: code, theme and scaffold travel with the wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = tmp_path_factory.mktemp("build")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
        cwd=build,
        capture_output=True,
    )
    (found,) = out.glob("sentinel_reports-*.whl")
    return found


def test_wheel_carries_package_data(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "sentinel_reports/cli.py" in names
    assert any(n.startswith("sentinel_reports/theme/") and n.endswith(".css") for n in names)
    assert any(n.startswith("sentinel_reports/theme/") and n.endswith(".html") for n in names)
    assert any(n.startswith("sentinel_reports/collectors/") and n.endswith("prometheus.py") for n in names)
    assert not any(n.startswith(("tests/", "data/", "site/")) for n in names)


def test_installed_wheel_runs_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site-packages"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (
        "import sentinel_reports, pathlib;"
        "p = pathlib.Path(sentinel_reports.__file__).parent;"
        f"assert str(p).startswith({str(target)!r}), p;"
        "assert any((p / 'theme').rglob('*.css'));"
        "from sentinel_reports.collectors import registry; assert 'prometheus' in registry()"
    )
    env = {"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
