"""Checks that hostile text reached an output only as inert text, one function per output format.

Each ``*_problems`` function returns a list of findings (``[]`` when the output is safe) so a failing test
prints every live payload at once. ``*_text`` functions return the visible text, to prove a payload was
rendered (and the absence of findings is not just the absence of the payload).

Beyond live markup: ``page_problems`` wants every published HTML page to carry a strict
Content-Security-Policy meta (nothing fetched from elsewhere, no script but the page's own by hash);
``html_problems`` flags an ``<img>`` whose source is on another host (a tracking beacon);
``control_problems`` flags a raw NUL, other C0 control, DEL or bidi control in any output's bytes or visible
text; PDF links must not be ``file:`` URLs.
"""

from __future__ import annotations

import csv
import email
import email.policy
import io
import json
import re
import zipfile
from html.parser import HTMLParser
from xml.etree import ElementTree

import feedparser
from markdown_it import MarkdownIt

_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_BAD_SCHEMES = ("javascript:", "vbscript:", "data:text", "data:application", "data:image/svg", "file:")
_REMOTE = re.compile(r"^([a-z][a-z0-9+.-]*:|//|\\\\|/\\)")
# Characters no output may carry raw: C0 controls but tab, LF and CR (CR LF ends lines in e-mail and CSV),
# DEL, and the bidirectional controls.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def control_problems(text: str) -> list[str]:
    return [f"raw U+{ord(m.group()):04X} at {m.start()}" for m in CONTROL_CHARS.finditer(text)][:5]


def remote_url(value: str) -> bool:
    """A URL on another host (any scheme, or scheme-relative), which a browser would fetch from there."""
    cleaned = _INVISIBLE.sub("", value).lower()
    return bool(_REMOTE.match(cleaned)) and not cleaned.startswith(("data:", "cid:"))


URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "poster", "background", "srcset", "data"}
DATA_STYLE = ("body{display:none}", "display:none}")


def bad_url(value: str) -> bool:
    cleaned = _INVISIBLE.sub("", value).lower()
    return cleaned.startswith(_BAD_SCHEMES)


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.csp: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs)
        if tag not in ("img", "br", "hr", "meta", "link", "input", "source", "col", "area", "wbr"):
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs)

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>: event-handler attribute")
            if name in URL_ATTRS and value and bad_url(value):
                self.problems.append(f"<{tag} {name}={value!r}>: executable URL")
            if name == "style" and value and any(s in value.replace(" ", "") for s in DATA_STYLE):
                self.problems.append(f"<{tag} style={value!r}>: style from data")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.problems.append("<img src=x>: element from data")
        if tag in ("img", "image", "source", "video", "audio", "input") and remote_url(
            dict(attrs).get("src") or ""
        ):
            self.problems.append(f"<{tag} src={dict(attrs).get('src')!r}>: remote image")
        if tag == "meta" and (dict(attrs).get("http-equiv") or "").lower() == "content-security-policy":
            self.csp.append(dict(attrs).get("content") or "")
        if tag in ("iframe", "object", "embed", "base", "form"):
            self.problems.append(f"<{tag}>: element that should never be in an output")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        current = self.stack[-1] if self.stack else ""
        if current == "script":
            self.scripts += 1
        if current == "script" and "alert(" in data:
            self.problems.append(f"<script> with data: {data[:60]!r}")
        elif current == "style" and any(s in data.replace(" ", "") for s in DATA_STYLE):
            self.problems.append(f"<style> with data: {data[:60]!r}")
        elif current not in ("script", "style"):
            self.text.append(data)


def scan_html(html: str) -> _Scanner:
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return scanner


def html_problems(html: str) -> list[str]:
    return scan_html(html).problems


def csp_directives(policy: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


def page_problems(html: str) -> list[str]:
    """A published page: no live markup, and a strict Content-Security-Policy meta before any content."""
    scanner = scan_html(html)
    problems = list(scanner.problems)
    if len(scanner.csp) != 1:
        return [*problems, f"{len(scanner.csp)} Content-Security-Policy metas (want exactly one)"]
    policy = csp_directives(scanner.csp[0])
    if policy.get("default-src") != ["'none'"]:
        problems.append(f"CSP default-src {policy.get('default-src')}")
    if policy.get("img-src") != ["'self'", "data:"]:
        problems.append(f"CSP img-src {policy.get('img-src')} (remote images allowed)")
    scripts = policy.get("script-src", policy.get("default-src"))
    if not scripts or not all(s == "'none'" or s.startswith("'sha256-") for s in scripts):
        problems.append(f"CSP script-src {scripts}")
    if (scripts == ["'none'"]) != (scanner.scripts == 0):
        problems.append(f"CSP script-src {scripts} for {scanner.scripts} inline scripts")
    for name in ("base-uri", "form-action"):
        if policy.get(name) != ["'none'"]:
            problems.append(f"CSP {name} {policy.get(name)}")
    head = html.lower().split("<body", 1)[0]
    if head.find('http-equiv="content-security-policy"') > min(
        (i for i in (head.find("<style"), head.find("<link"), head.find("<script")) if i >= 0),
        default=len(head),
    ):
        problems.append("the CSP meta comes after a stylesheet or script")
    return problems


def html_text(html: str) -> str:
    return " ".join(scan_html(html).text)


def markdown_problems(md: str) -> list[str]:
    """A markdown file read by a CommonMark viewer that allows raw HTML (the permissive default)."""
    return html_problems(MarkdownIt("commonmark").enable("table").render(md))


def email_problems(eml: bytes) -> list[str]:
    problems = []
    msg = email.message_from_bytes(eml, policy=email.policy.default)
    for name in ("Bcc", "Cc", "Reply-To"):
        if msg[name] is not None:
            problems.append(f"header {name}: {msg[name]!r} (injected)")
    raw_headers = eml.split(b"\r\n\r\n", 1)[0].decode("ascii", "replace")
    for line in raw_headers.split("\r\n"):
        if line and not line[0].isspace() and ":" not in line:
            problems.append(f"header line without a name: {line[:60]!r}")
    subject = str(msg["Subject"] or "")
    if "\r" in subject or "\n" in subject:
        problems.append(f"subject with a line break: {subject!r}")
    for part in msg.walk():
        if part.get_content_type() == "text/html":
            problems += [f"html part: {p}" for p in html_problems(part.get_content())]
    return problems


def email_text(eml: bytes) -> str:
    msg = email.message_from_bytes(eml, policy=email.policy.default)
    parts = [str(msg["Subject"] or "")]
    for part in msg.walk():
        if part.get_content_type() == "text/html":
            parts.append(html_text(part.get_content()))
        elif part.get_content_type() == "text/plain":
            parts.append(part.get_content())
    return "\n".join(parts)


def pdf_problems(data: bytes) -> list[str]:
    from pypdf import PdfReader

    problems = []
    for token in (b"/JavaScript", b"/JS ", b"/JS(", b"/JS<", b"/Launch", b"/EmbeddedFile", b"/OpenAction"):
        if token in data:
            problems.append(f"PDF holds {token.decode()}")
    reader = PdfReader(io.BytesIO(data))
    for number, page in enumerate(reader.pages, start=1):
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            uri = str(action.get_object().get("/URI", "")) if action is not None else ""
            if uri and bad_url(uri):
                problems.append(f"page {number}: link to {uri!r}")
            if uri.lower().startswith("file:"):
                problems.append(f"page {number}: link to a file of the build machine {uri!r}")
    return problems


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def pptx_problems(data: bytes) -> list[str]:
    problems = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.endswith(".rels"):
                for rel in ElementTree.fromstring(z.read(name)):
                    target = rel.get("Target") or ""
                    if bad_url(target):
                        problems.append(f"{name}: relationship to {target!r}")
            if "vbaproject" in name.lower() or name.lower().endswith(".vba"):
                problems.append(f"{name}: macro part")
        types = z.read("[Content_Types].xml").decode("utf-8")
        if "macroEnabled" in types or "vbaProject" in types:
            problems.append("[Content_Types].xml declares macros")
    return problems


def pptx_text(data: bytes) -> str:
    from pptx import Presentation

    out = []
    for slide in Presentation(io.BytesIO(data)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                out.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                out += [c.text for row in shape.table.rows for c in row.cells]
    return "\n".join(out)


def json_strings(doc: object) -> list[str]:
    if isinstance(doc, str):
        return [doc]
    if isinstance(doc, dict):
        return [s for k, v in doc.items() for s in (*json_strings(k), *json_strings(v))]
    if isinstance(doc, list):
        return [s for v in doc for s in json_strings(v)]
    return []


def json_problems(data: bytes) -> list[str]:
    try:
        json.loads(data.decode("utf-8"))
    except ValueError as exc:
        return [f"not valid JSON: {exc}"]
    return []


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_problems(data: bytes) -> list[str]:
    problems = []
    for n, row in enumerate(csv.reader(io.StringIO(data.decode("utf-8"))), start=1):
        for cell in row:
            if cell.startswith(FORMULA_START):
                try:
                    float(cell)
                except ValueError:
                    problems.append(f"row {n}: formula cell {cell!r}")
    return problems


def csv_text(data: bytes) -> str:
    return "\n".join("\t".join(row) for row in csv.reader(io.StringIO(data.decode("utf-8"))))


def atom_problems(data: bytes) -> list[str]:
    feed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    problems = [f"feed does not parse: {feed.bozo_exception}"] if feed.bozo else []
    for entry in feed.entries:
        for link in entry.get("links", []):
            if bad_url(link.get("href", "")):
                problems.append(f"entry link {link.get('href')!r}")
        for field in ("title_detail", "summary_detail"):
            detail = entry.get(field)
            if detail and detail.get("type") in ("text/html", "application/xhtml+xml"):
                problems += [f"entry {field}: {p}" for p in html_problems(detail["value"])]
        for content in entry.get("content", []):
            if content.get("type") in ("text/html", "application/xhtml+xml"):
                problems += [f"entry content: {p}" for p in html_problems(content["value"])]
    return problems


def atom_text(data: bytes) -> str:
    feed = feedparser.parse(data, sanitize_html=False)
    parts = []
    for entry in feed.entries:
        parts.append(entry.get("title", ""))
        parts.append(html_text(entry.get("summary", "")))
        parts += [html_text(c.get("value", "")) for c in entry.get("content", [])]
    return "\n".join(parts)


SVG_NS = "{http://www.w3.org/2000/svg}"


def svg_problems(data: bytes) -> list[str]:
    problems = []
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        return [f"not well-formed XML: {exc}"]
    for el in root.iter():
        tag = el.tag.replace(SVG_NS, "")
        if tag in ("script", "foreignObject", "iframe"):
            problems.append(f"<{tag}> element")
        for name, value in el.attrib.items():
            local = name.rsplit("}", 1)[-1]
            if local.startswith("on"):
                problems.append(f"<{tag} {local}>: event-handler attribute")
            if local == "href" and bad_url(value):
                problems.append(f"<{tag} href={value!r}>")
    return problems


def svg_text(data: bytes) -> str:
    root = ElementTree.fromstring(data)
    return "\n".join([*root.itertext(), *(v for el in root.iter() for v in el.attrib.values())])
