"""Every error Sentinel raises on purpose, as one tree.

    SentinelError                 anything the CLI reports without a traceback (exit code 1)
    ├── ConfigError               sentinel.yaml or content front matter is invalid (all problems at once)
    ├── SourceError               an input file cannot be read as its declared type
    ├── VerificationError         generated text states something the facts do not support
    ├── PublishError              the site cannot be written (unsafe target, one path written twice, ...)
    ├── DeliveryError             the brief email could not be delivered (connection, auth, refused)
    └── UsageError                the command line asks for something that cannot exist (exit code 2),
                                  e.g. a week outside the data

Each error renders as readable text through ``str()``; the CLI prints that and exits 1 (2 for UsageError).
"""

from __future__ import annotations

from dataclasses import dataclass


def shown_value(value: object) -> str:
    """A value as a message shows it: text quoted, numbers plain (``200``, ``0.5``, ``nan``), never a
    library's spelling such as ``np.float64(200.0)`` or ``Timestamp('2026-11-20 00:00:00+0000')``."""
    if isinstance(value, list | tuple):
        return "[" + ", ".join(shown_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{shown_value(k)}: {shown_value(v)}" for k, v in value.items()) + "}"
    if hasattr(value, "isoformat") and callable(value.isoformat):  # datetime, date, pandas Timestamp
        return str(value.isoformat())
    item = getattr(value, "item", None)  # numpy and pyarrow scalars: the Python value
    if callable(item) and not isinstance(value, str | bytes):
        try:
            value = item()
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return repr(str(value))
    return str(value) if type(value).__module__ != "builtins" else repr(value)


class SentinelError(Exception):
    """Base class: an expected failure the user can act on."""


@dataclass(frozen=True)
class ConfigProblem:
    """One problem in a configuration or front-matter document, located by its key path."""

    path: str
    message: str
    file: str = ""
    line: int | None = None  # 1-based line of the key in `file`, when known

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        if self.line is not None:
            where += f"line {self.line}: "
        return f"{where}{self.path or '(top level)'}: {self.message}"


class ConfigError(SentinelError):
    """The configuration is invalid; carries every problem found, not only the first."""

    def __init__(self, problems: list[ConfigProblem] | ConfigProblem | str):
        if isinstance(problems, str):
            problems = [ConfigProblem("", problems)]
        elif isinstance(problems, ConfigProblem):
            problems = [problems]
        self.problems: list[ConfigProblem] = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        """The first problem on the first line (what the CLI prints after ``error:``); the others follow."""
        if not self.problems:
            return "configuration is invalid"
        first, rest = self.problems[0], self.problems[1:]
        if not rest:
            return str(first)
        more = f"(and {len(rest)} more problem{'s' if len(rest) != 1 else ''}:)"
        return "\n".join([str(first), more, *(f"  - {p}" for p in rest)])


class SourceError(SentinelError):
    """An input file does not match its declared format.

    Names the file, the row (1-based data row, header excluded; in a table, `row_key`) or line, the column, what was expected
    and what was found, so the user can open the file at the right place.
    """

    def __init__(
        self,
        file: str,
        message: str = "",
        *,
        row: int | None = None,
        line: int | None = None,
        column: str | None = None,
        expected: str | None = None,
        found: object = None,
        row_key: str | None = None,
    ):
        self.file = str(file)
        self.row_key = row_key  # a row of a table, which has no row numbers: `request_id 'r-17'`
        self.message = message
        self.row = row
        self.line = line
        self.column = column
        self.expected = expected
        self.found = found
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.row_key is not None:
            parts.append(f"row with {self.row_key}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        text = ", ".join(parts) + ":"
        if self.message:
            text += f" {self.message}"
        if self.expected is not None:
            text += f" (expected {self.expected}"
            if self.found is not None:
                found = shown_value(self.found)
                if len(found) > 80:
                    found = found[:77] + "..."
                text += f", found {found}"
            text += ")"
        return text


class VerificationError(SentinelError):
    """Generated text failed verification against the facts."""

    def __init__(self, violations: list[str]):
        self.violations = list(violations)
        super().__init__("text failed verification:\n" + "\n".join(f"  - {v}" for v in self.violations))


class PublishError(SentinelError):
    """The site could not be written safely."""


class DeliveryError(SentinelError):
    """The brief email could not be delivered."""


class UsageError(SentinelError):
    """A well-formed command asks for something the project does not have (exit code 2)."""
