"""Hostile payloads and the project edits that plant them, for tests/integrity/test_hostile.py.

Every hostile project starts as ``sentinel_reports.demo.scaffold(dir)`` (three ISO weeks of data, two
components, one incident, a postmortem, a maintenance window, a note) and is edited surgically: a payload
goes into one field of one file, so a failure names the field that let it through.

Payload families:

- ``MARKUP``: strings a browser, mail client, feed reader or PDF viewer would execute or restyle if they
  reached the output unescaped (script, event handler, ``javascript:``/``data:`` links, SVG with script,
  CSS break-out). They are planted at once, each in its own incident title, and together in component
  names, the organization name, the postmortem body, the maintenance title, a recommendation's action, the
  weekly note, Prometheus labels and front-matter fields; one build covers them all.
- ``FORMULAS``: spreadsheet formulas in team and component values that reach ``showback.csv``.
- traversal, oversized, nested-JSON and YAML-bomb inputs are built by the functions at the end.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import yaml

from sentinel_reports.demo import scaffold

MARKUP: dict[str, str] = {
    "script": "<script>alert(1)</script>",
    "img_onerror": "<img src=x onerror=alert(1)>",
    "svg_script": '<svg onload="alert(1)"><script>alert(1)</script></svg>',
    "css_breakout": "</style><style>body{display:none}</style>",
    "js_link": "[open the runbook](javascript:alert(1))",
    "js_autolink": "<javascript:alert(1)>",
    "data_link": "[details](data:text/html,<script>alert(1)</script>)",
    "attr_breakout": '" onmouseover="alert(1)" x="',
}
# A marker that must survive as visible, inert text wherever a payload was planted (proves the payload
# reached the output, so a check that finds nothing dangerous is not vacuous).
MARKERS: dict[str, str] = {
    "script": "alert(1)",
    "img_onerror": "onerror=alert(1)",
    "svg_script": "alert(1)",
    "css_breakout": "body{display:none}",
    "js_link": "open the runbook",
    "js_autolink": "javascript:alert(1)",
    "data_link": "details",
    "attr_breakout": 'onmouseover="alert(1)"',
}
ALL_MARKUP = " ".join(MARKUP.values())

FORMULAS: dict[str, str] = {
    "hyperlink": '=HYPERLINK("http://x","y")',
    "plus_cmd": "+cmd|' /C calc'!A0",
    "minus": "-1+1",
    "at_sum": "@SUM(1+1)*cmd|' /C calc'!A0",
}

# Invisible characters that must be stripped on input (NUL breaks XML; bidi controls reorder text).
CONTROLS: dict[str, str] = {
    "nul": "\x00",
    "bell": "\x07",
    "escape": "\x1b[31m",
    "delete": "\x7f",
    "rlo": "\u202e",
    "lri": "\u2066",
    "pdi": "\u2069",
    "lrm": "\u200e",
    "alm": "\u061c",
}
ALL_CONTROLS = "".join(CONTROLS.values())
REMOTE_IMAGE = "https://tracker.example/pixel.png"


def controlled(name: str) -> tuple[str, str]:
    """(text with every control character planted, the text a reader must see) for field ``name``."""
    return f"Ctl {name} a{ALL_CONTROLS}b", f"Ctl {name} a[31mb"


CRLF_ORG = "Example AI Team\r\nBcc: attacker@example.com"
TRAVERSAL_IDS = ("../../etc/passwd", "..\\..\\windows\\win.ini", "/etc/shadow", "INC-9/../../x")
BIG_FIELD_BYTES = 50 * 1024 * 1024


def new_project(root: Path) -> Path:
    """The scaffold, minus its example recommendation (the voice lint rejects its unquantified impact)."""
    scaffold(root)
    for path in sorted((root / "content" / "recommendations").glob("*.md")):
        path.unlink()
    return root


def load_config(root: Path) -> dict:
    return yaml.safe_load((root / "sentinel.yaml").read_text(encoding="utf-8"))


def save_config(root: Path, doc: dict) -> None:
    (root / "sentinel.yaml").write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), "utf-8")


def incident_rows(root: Path) -> tuple[list[str], list[dict[str, str]]]:
    with (root / "data/incidents/incidents.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def save_incidents(root: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (root / "data/incidents/incidents.csv").write_text(buf.getvalue(), encoding="utf-8")


def add_incidents(root: Path, titles: dict[str, str], *, ids: dict[str, str] | None = None) -> None:
    """One resolved SEV3 incident per title, an hour apart after the scaffold's INC-001."""
    header, rows = incident_rows(root)
    base = rows[0]
    for n, (name, title) in enumerate(sorted(titles.items()), start=2):
        row = dict(base)
        day = 13 + n // 6
        hour = 2 + (n % 6) * 3
        row.update(
            id=(ids or {}).get(name, f"INC-{n:03d}"),
            title=title,
            severity="SEV3",
            started_at=f"2026-11-{day:02d}T{hour:02d}:00:00Z",
            detected_at=f"2026-11-{day:02d}T{hour:02d}:05:00Z",
            acknowledged_at=f"2026-11-{day:02d}T{hour:02d}:10:00Z",
            mitigated_at=f"2026-11-{day:02d}T{hour:02d}:30:00Z",
            resolved_at=f"2026-11-{day:02d}T{hour:02d}:40:00Z",
            customer_impact="false",
        )
        rows.append(row)
    save_incidents(root, header, rows)


def _front_matter(doc: dict, body: str) -> str:
    return "---\n" + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True) + "---\n\n" + body + "\n"


def plant_markup(root: Path) -> Path:
    """Every MARKUP payload in every free-text field the scaffold has; see the module docstring."""
    doc = load_config(root)
    doc["organization"] = f"Example AI Team {MARKUP['script']}"
    doc["components"][0]["name"] = f"Assistant API {MARKUP['img_onerror']}"
    doc["components"][1]["name"] = f"Retrieval {MARKUP['css_breakout']} {MARKUP['attr_breakout']}"
    doc["site"] = {"title": f"Status {MARKUP['svg_script']}"}
    save_config(root, doc)
    add_incidents(root, MARKUP)

    content = root / "content"
    postmortem = next((content / "postmortems").glob("*.md"))
    postmortem.write_text(postmortem.read_text(encoding="utf-8") + "\n## Timeline\n\n" + _markdown_block())
    maintenance = next((content / "maintenance").glob("*.md"))
    text = maintenance.read_text(encoding="utf-8")
    maintenance.write_text(
        text.replace("title: Retrieval index upgrade", f"title: {json.dumps('Index upgrade ' + ALL_MARKUP)}")
        + "\n"
        + _markdown_block(),
        encoding="utf-8",
    )
    (content / "notes" / "2026-W47.md").write_text(
        _front_matter({"title": f"Note {MARKUP['script']}"}, _markdown_block()), encoding="utf-8"
    )
    (content / "recommendations" / "hostile-text.md").write_text(
        _front_matter(
            {
                "title": f"Tag log ingestion {MARKUP['script']}",
                "action": f"Tag the log ingestion resources {MARKUP['img_onerror']} {MARKUP['js_link']}",
                "expected_impact": "Unattributed spend falls by 100% within 7 days",
                "owner": "Search team",
                "deadline": "2026-12-04",
                "components": ["retrieval"],
                "risk": {
                    "level": "Low",
                    "likelihood": f"Low; tags only {MARKUP['css_breakout']}",
                    "impact": "Low; no runtime effect",
                    "detection_time": "Within 1 day through the showback report",
                    "mitigation": "Remove the tags",
                },
            },
            _markdown_block(),
        ),
        encoding="utf-8",
    )
    _plant_prometheus_labels(root)
    return root


def _markdown_block() -> str:
    lines = [f"- {name}: {payload}" for name, payload in MARKUP.items()]
    lines += ["", "Raw block:", "", MARKUP["script"], "", MARKUP["svg_script"], ""]
    lines += ["![x](javascript:alert(1))", "", '<a href="javascript:alert(1)">raw anchor</a>', ""]
    return "\n".join(lines)


def _plant_prometheus_labels(root: Path) -> None:
    """Extra label values on a known series and a series whose `service` label is a payload."""
    path = root / "data/prometheus/requests_total.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    series = doc["data"]["result"]
    series[0]["metric"]["pod"] = MARKUP["script"]
    stray = json.loads(json.dumps(series[0]))
    stray["metric"]["service"] = MARKUP["img_onerror"]
    series.append(stray)
    path.write_text(json.dumps(doc), encoding="utf-8")


def plant_formulas(root: Path) -> Path:
    """FORMULAS as team names (component owners, FOCUS `team` tags) and component tag values."""
    doc = load_config(root)
    doc["components"][0]["owner"] = FORMULAS["hyperlink"]
    doc["components"][1]["owner"] = FORMULAS["plus_cmd"]
    doc["budgets"] = {"monthly_spend": {FORMULAS["hyperlink"]: 1000, FORMULAS["plus_cmd"]: 800}}
    save_config(root, doc)
    path = next((root / "data/billing").glob("*.csv.gz"))
    reader = csv.DictReader(io.StringIO(gzip.decompress(path.read_bytes()).decode("utf-8")))
    header, rows = list(reader.fieldnames or []), list(reader)
    teams = {"Assistant team": FORMULAS["hyperlink"], "Search team": FORMULAS["plus_cmd"]}
    for i, row in enumerate(rows):
        tags = json.loads(row["Tags"])
        if "team" in tags:
            tags["team"] = teams.get(tags["team"], tags["team"])
        if i % 7 == 3:  # a slice of untagged-component spend under hostile team names
            tags.pop("component", None)
            tags["team"] = FORMULAS["minus"] if i % 2 else FORMULAS["at_sum"]
        row["Tags"] = json.dumps(tags)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(gzip.compress(buf.getvalue().encode("utf-8"), mtime=0))
    return root


def plant_crlf(root: Path) -> Path:
    """CR/LF header injection in the organization name (reaches titles) and an email section."""
    doc = load_config(root)
    doc["organization"] = CRLF_ORG
    doc["email"] = {"from": "Sentinel <sentinel@example.com>", "to": ["leadership@example.com"]}
    save_config(root, doc)
    add_incidents(root, {"crlf": "Provider errors\r\nBcc: attacker@example.com"})
    return root


def plant_traversal_ids(root: Path) -> Path:
    """Incident ids that would leave status/incidents/ if used as file names unchanged."""
    titles = {f"t{i}": f"Traversal incident {i}" for i in range(len(TRAVERSAL_IDS))}
    add_incidents(root, titles, ids={f"t{i}": v for i, v in enumerate(TRAVERSAL_IDS)})
    postmortem = next((root / "content" / "postmortems").glob("*.md"))
    postmortem.write_text(
        postmortem.read_text(encoding="utf-8").replace("incident: INC-001", f"incident: {TRAVERSAL_IDS[0]}"),
        encoding="utf-8",
    )
    return root


def plant_big_title(root: Path, size: int = BIG_FIELD_BYTES) -> Path:
    """One incident title of ``size`` bytes on a single line."""
    add_incidents(root, {"big": "A" * size})
    return root


def plant_big_label(root: Path, size: int = BIG_FIELD_BYTES) -> Path:
    """A Prometheus series whose `service` label (the component) is ``size`` bytes, on a single line."""
    path = root / "data/prometheus/requests_total.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    stray = json.loads(json.dumps(doc["data"]["result"][0]))
    stray["metric"]["service"] = "s" * size
    doc["data"]["result"].append(stray)
    path.write_text(json.dumps(doc), encoding="utf-8")
    return root


def plant_big_team(root: Path, size: int = BIG_FIELD_BYTES) -> Path:
    """A FOCUS row whose `team` tag (reaches showback.csv) is ``size`` bytes."""
    path = next((root / "data/billing").glob("*.csv.gz"))
    reader = csv.DictReader(io.StringIO(gzip.decompress(path.read_bytes()).decode("utf-8")))
    header, rows = list(reader.fieldnames or []), list(reader)
    tags = json.loads(rows[-1]["Tags"])
    tags["team"] = "t" * size
    rows[-1]["Tags"] = json.dumps(tags)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(gzip.compress(buf.getvalue().encode("utf-8"), mtime=0, compresslevel=1))
    return root


def nested_json(depth: int) -> str:
    return "[" * depth + "]" * depth


def plant_nested_pagerduty(root: Path, depth: int = 200_000) -> Path:
    """A PagerDuty source whose file is ``depth`` nested arrays inside the documented envelope."""
    (root / "data/pagerduty").mkdir(exist_ok=True)
    (root / "data/pagerduty/incidents.json").write_text(
        '{"data": ' + nested_json(depth) + "}", encoding="utf-8"
    )
    doc = load_config(root)
    doc["sources"].append({"type": "pagerduty", "path": "data/pagerduty/incidents.json"})
    save_config(root, doc)
    return root


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def plant_yaml_bomb_config(root: Path, key: str) -> Path:
    """sentinel.yaml with the billion-laughs anchors defined at the top and ``key`` set to ``*i``."""
    text = (root / "sentinel.yaml").read_text(encoding="utf-8")
    bomb = "\n".join(f"x-{line}" for line in BILLION_LAUGHS.splitlines())
    if key == "organization":
        text = text.replace("organization: Example AI Team", "organization: *i")
    elif key == "business":
        text = text.replace("business:\n", "business:\n  notes: *i\n")
    elif key == "top":
        text += "\nextra: *i\n"
    return _write_with_anchors(root, bomb, text)


def _write_with_anchors(root: Path, bomb: str, text: str) -> Path:
    (root / "sentinel.yaml").write_text(bomb + "\n" + text, encoding="utf-8")
    return root


def plant_yaml_bomb_front_matter(root: Path) -> Path:
    path = root / "content" / "notes" / "2026-W47.md"
    front = BILLION_LAUGHS + "title: *i\n"
    path.write_text("---\n" + front + "---\n\nBody.\n", encoding="utf-8")
    return root


def _image(kind: str) -> str:
    return f"\n\n![beacon-{kind}]({REMOTE_IMAGE}?{kind})\n"


def plant_controls(root: Path) -> Path:
    """Every CONTROLS character in every free-text field (see ``controlled``), and a remote markdown image in
    every content kind that publishes its body."""
    doc = load_config(root)
    doc["organization"] = controlled("org")[0]
    doc["components"][0]["name"] = controlled("component")[0]
    doc["components"][1]["owner"] = controlled("team")[0]
    doc["site"] = {"title": controlled("site")[0]}
    save_config(root, doc)
    add_incidents(root, {"ctl": controlled("incident")[0]})
    content = root / "content"
    postmortem = next((content / "postmortems").glob("*.md"))
    postmortem.write_text(
        postmortem.read_text(encoding="utf-8") + "\n" + controlled("postmortem")[0] + _image("postmortem"),
        encoding="utf-8",
    )
    maintenance = next((content / "maintenance").glob("*.md"))
    text = maintenance.read_text(encoding="utf-8")
    maintenance.write_text(
        text.replace("title: Retrieval index upgrade", f"title: {json.dumps(controlled('maintenance')[0])}")
        + _image("maintenance"),
        encoding="utf-8",
    )
    (content / "notes" / "2026-W47.md").write_text(
        _front_matter({"title": controlled("note-title")[0]}, controlled("note")[0] + _image("note")),
        encoding="utf-8",
    )
    (content / "recommendations" / "controls.md").write_text(
        _front_matter(
            {
                "title": f"Tag log ingestion {controlled('recommendation')[0]}",
                "action": "Tag the log ingestion resources",
                "expected_impact": "Unattributed spend falls by 100% within 7 days",
                "owner": "Search team",
                "deadline": "2026-12-04",
                "components": ["retrieval"],
                "risk": {
                    "level": "Low",
                    "likelihood": "Low; tags only",
                    "impact": "Low; no runtime effect",
                    "detection_time": "Within 1 day through the showback report",
                    "mitigation": "Remove the tags",
                },
            },
            "Why: untagged spend." + _image("recommendation"),
        ),
        encoding="utf-8",
    )
    path = root / "data/prometheus/requests_total.json"
    prom = json.loads(path.read_text(encoding="utf-8"))
    prom["data"]["result"][0]["metric"]["pod"] = controlled("label")[0]
    path.write_text(json.dumps(prom), encoding="utf-8")
    return root
