"""The send ledger `.sentinel/sent.json`: which week's brief was e-mailed, when, to whom, with which
Message-ID, so an unattended weekly run never sends a week twice.

    {"version": 1, "weeks": {"2026-W47": [{"sent_at": "...", "recipients": ["..."], "message_id": "<...>"}]}}

`sentinel send` refuses a week that is in the ledger unless `--force` is given (a forced send is appended
to the week's list). `--week last` is `last_closed_week(as_of)`: the latest ISO week that ended at or before
the as-of time, in the project's timezone. The ledger holds no credential.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..analysis.periods import period_of

SENT = Path(".sentinel") / "sent.json"


def last_closed_week(as_of: dt.datetime, tz: ZoneInfo) -> str:
    """The latest ISO week whose end (next Monday 00:00 local) is at or before `as_of`."""
    return period_of("week", as_of - dt.timedelta(days=7), tz)


class SentLedger:
    def __init__(self, project_dir: Path) -> None:
        self.path = project_dir / SENT
        self.doc: dict[str, Any] = {"version": 1, "weeks": {}}
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            doc = None
        except (OSError, ValueError) as exc:
            from ..errors import SentinelError

            raise SentinelError(
                f"{self.path}: cannot read the send ledger ({exc}); fix or remove it to send again"
            ) from None
        if isinstance(doc, dict) and isinstance(doc.get("weeks"), dict):
            self.doc = doc

    def sent(self, week: str) -> list[dict[str, Any]]:
        entries = self.doc["weeks"].get(week)
        return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []

    def refusal(self, week: str) -> str | None:
        """Why `week` must not be sent again, or None when it was never sent."""
        entries = self.sent(week)
        if not entries:
            return None
        last = entries[-1]
        to = ", ".join(last.get("recipients") or []) or "nobody"
        return (
            f"not sent: the brief for {week} was already sent at {last.get('sent_at')} to {to} "
            f"(Message-ID {last.get('message_id')}, recorded in {SENT}); give --force to send it again"
        )

    def record(self, week: str, recipients: Sequence[str], message_id: str | None, at: dt.datetime) -> None:
        entry = {"sent_at": at.isoformat(), "recipients": list(recipients), "message_id": message_id}
        self.doc["weeks"].setdefault(week, []).append(entry)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".sent.", suffix=".part")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(self.doc, fh, indent=1, sort_keys=True)
                fh.write("\n")
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
