"""Fake vendor APIs for `httpx2.MockTransport`: each answers in the vendor's documented reply shape from
one small data set, and can also write the same data as a hand-made export file (the shape an operator
would save by hand), so a pull and a hand export can be compared.

Documented shapes: Prometheus HTTP API `query_range`; Datadog API v1 `SLOHistoryResponse`; Anthropic Admin
API "Get Messages Usage Report" / "Get Cost Report" (`data`, `has_more`, `next_page`); OpenAI
"Completions usage" / "Costs" (`object: page`, unix-second buckets, `next_page`); PagerDuty REST v2
"List incidents" (`incidents`, `limit`, `offset`, `more`) and "List log entries for an incident";
incident.io "List Incidents V2" (`incidents`, `pagination_meta.after`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx2 as httpx

UTC = dt.UTC
DAY0 = dt.datetime(2026, 11, 16, tzinfo=UTC)
NOW = dt.datetime(2026, 11, 19, 12, 0, tzinfo=UTC)  # mid-day: 2026-11-19 is the partial last day
STEP = 300
CANARY = "sk-CANARY-5e1f9c0b7d"


def ts(value: str | int | float) -> float:
    if isinstance(value, int | float) or str(value).replace(".", "").isdigit():
        return float(value)
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def iso(t: float) -> str:
    return dt.datetime.fromtimestamp(t, UTC).isoformat().replace("+00:00", "Z")


def count(service: str, t: float) -> int:
    """Requests in the step ending at t (a deterministic, uneven pattern)."""
    return 100 + int(t // STEP) % 17 + (7 if service == "rag" else 0)


def bad(t: float) -> int:
    return 3 if int(t // STEP) % 29 == 0 else 0


class Fake:
    """A vendor API: `handle(request)` answers, `requests` logs every (method, path, query)."""

    def __init__(self, key: str = CANARY) -> None:
        self.key = key
        self.requests: list[tuple[str, str, dict[str, list[str]]]] = []
        self.script: list[int | tuple[int, dict[str, str]]] = []  # statuses to answer first, in order
        self.fail_from: float | None = None  # answer 500 for windows starting at or after this time

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        query = parse_qs(request.url.query.decode(), keep_blank_values=True)
        self.requests.append((request.method, request.url.path, query))
        if self.script:
            step = self.script.pop(0)
            status, headers = step if isinstance(step, tuple) else (step, {})
            body = {"error": {"type": "error", "message": f"scripted {status} (key {self.key})"}}
            return httpx.Response(status, json=body, headers=headers)
        if not self.authorised(request):
            return httpx.Response(401, json={"error": {"message": "invalid credential " + self.key[:0]}})
        try:
            return httpx.Response(200, json=self.answer(request.url.path, query))
        except _Unavailable:
            return httpx.Response(503, json={"error": "unavailable"})

    def window_fails(self, start: float) -> None:
        if self.fail_from is not None and start >= self.fail_from:
            raise _Unavailable

    def authorised(self, request: httpx.Request) -> bool:  # pragma: no cover - each fake defines it
        raise NotImplementedError

    def answer(self, path: str, query: dict[str, list[str]]) -> Any:  # pragma: no cover
        raise NotImplementedError


class _Unavailable(Exception):
    pass


def q(query: dict[str, list[str]], key: str) -> str:
    return query[key][0]


# -- Prometheus -------------------------------------------------------------------------------------------


class Prometheus(Fake):
    services = ("chat", "rag")

    def authorised(self, request: httpx.Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.key}"

    def answer(self, path: str, query: dict[str, list[str]]) -> Any:
        assert path == "/api/v1/query_range"
        start, end, step = ts(q(query, "start")), ts(q(query, "end")), float(q(query, "step"))
        self.window_fails(start - STEP)
        assert (end - start) / step + 1 <= 11_000, "over the 11,000 points limit"
        times = []
        t = start
        while t <= end:
            times.append(t)
            t += step
        return {"status": "success", "data": {"resultType": "matrix", "result": self.matrix(times)}}

    def matrix(self, times: list[float]) -> list[dict[str, Any]]:
        return [
            {"metric": {"service": s}, "values": [[t, str(count(s, t))] for t in times]}
            for s in self.services
        ]

    def export(self, path: Path) -> None:
        """One hand-saved query_range reply for the whole range (steps ending in (DAY0, NOW])."""
        times = [DAY0.timestamp() + STEP * i for i in range(1, int((NOW - DAY0).total_seconds()) // STEP + 1)]
        doc = {"status": "success", "data": {"resultType": "matrix", "result": self.matrix(times)}}
        _write(path, doc)


# -- Datadog ----------------------------------------------------------------------------------------------


class Datadog(Fake):
    def authorised(self, request: httpx.Request) -> bool:
        return (
            request.headers.get("dd-api-key") == self.key
            and request.headers.get("dd-application-key") == "app-" + self.key
        )

    def history(self, start: float, end: float) -> dict[str, Any]:
        times = []
        t = start
        while t < end:
            times.append(t)
            t += STEP
        total = [count("chat", t) for t in times]
        good = [n - bad(t) for n, t in zip(total, times, strict=True)]
        sli = 100.0 * sum(good) / sum(total) if total else None
        return {
            "data": {
                "type": "metric", "from_ts": int(start), "to_ts": int(end), "thresholds": {},
                "overall": {"sli_value": sli, "span_precision": 2},
                "series": {
                    "numerator": {"values": good, "sum": sum(good), "count": len(good)},
                    "denominator": {"values": total, "sum": sum(total), "count": len(total)},
                    "times": [int(t * 1000) for t in times], "interval": STEP, "res_type": "time_series",
                    "query": {"numerator": "sum:good{*}.as_count()", "denominator": "sum:total{*}.as_count()"},
                },
            },
            "errors": None,
        }  # fmt: skip

    def answer(self, path: str, query: dict[str, list[str]]) -> Any:
        assert path == "/api/v1/slo/slo-abc123/history"
        start = float(q(query, "from_ts"))
        self.window_fails(start)
        return self.history(start, float(q(query, "to_ts")))

    def export(self, path: Path) -> None:
        _write(path, self.history(DAY0.timestamp(), NOW.timestamp()))


# -- report APIs (Anthropic and OpenAI) -------------------------------------------------------------------


class Reports(Fake):
    """Buckets from `start` to `end`, `per_page` buckets per page, the cursor being the next bucket's index."""

    per_page = 5

    def buckets(self, kind: str, start: float, end: float, width: float) -> list[dict[str, Any]]:
        out = []
        t = start
        while t < end:
            out.append(self.bucket(kind, t, min(t + width, end)))
            t += width
        return out

    def paged(self, buckets: list[dict[str, Any]], page: str | None, extra: dict[str, Any]) -> dict[str, Any]:
        first = int(page.removeprefix("page_")) if page else 0
        chunk = buckets[first : first + self.per_page]
        more = first + self.per_page < len(buckets)
        return {
            **extra,
            "data": chunk,
            "has_more": more,
            "next_page": f"page_{first + self.per_page}" if more else None,
        }

    def export_pages(self, kind: str, width: float, extra: dict[str, Any]) -> list[dict[str, Any]]:
        buckets = self.buckets(kind, DAY0.timestamp(), NOW.timestamp(), width)
        pages, page = [], None
        while True:
            doc = self.paged(buckets, page, extra)
            pages.append(doc)
            if not doc["has_more"]:
                return pages
            page = doc["next_page"]

    def bucket(self, kind: str, start: float, end: float) -> dict[str, Any]:  # pragma: no cover
        raise NotImplementedError


class Anthropic(Reports):
    def authorised(self, request: httpx.Request) -> bool:
        return (
            request.headers.get("x-api-key") == self.key
            and request.headers.get("anthropic-version") == "2023-06-01"
        )

    def bucket(self, kind: str, start: float, end: float) -> dict[str, Any]:
        hour = int(start // 3600)
        if kind == "usage":
            results = [
                {"uncached_input_tokens": 1000 + hour % 13, "cache_read_input_tokens": 50 * (hour % 3),
                 "cache_creation": {"ephemeral_5m_input_tokens": hour % 5, "ephemeral_1h_input_tokens": 0},
                 "output_tokens": 400 + hour % 7, "server_tool_use": {"web_search_requests": 0},
                 "model": "claude-sonnet-4-5", "workspace_id": ws, "api_key_id": None,
                 "service_tier": "standard", "context_window": "0-200k"}
                for ws in ("wrkspc_chat", None)
            ]  # fmt: skip
        else:
            results = [
                {"currency": "USD", "amount": f"{1234.5 + hour % 11 + (100 if ws else 0)}", "workspace_id": ws,
                 "description": "Claude Sonnet 4.5 Usage - Input Tokens", "cost_type": "tokens",
                 "context_window": "0-200k", "model": "claude-sonnet-4-5", "service_tier": "standard",
                 "token_type": "uncached_input_tokens"}
                for ws in ("wrkspc_chat", None)
            ]  # fmt: skip
        return {"starting_at": iso(start), "ending_at": iso(end), "results": results}

    def answer(self, path: str, query: dict[str, list[str]]) -> Any:
        start, end = ts(q(query, "starting_at")), ts(q(query, "ending_at"))
        self.window_fails(start)
        if path == "/v1/organizations/usage_report/messages":
            assert query["group_by[]"] == ["workspace_id", "model"]
            width = {"1h": 3600, "1d": 86400}[q(query, "bucket_width")]
            buckets = self.buckets("usage", start, end, width)
        else:
            assert path == "/v1/organizations/cost_report" and q(query, "bucket_width") == "1d"
            buckets = self.buckets("cost", start, end, 86400)
        return self.paged(buckets, query.get("page", [None])[0], {})

    def export(self, kind: str, path: Path) -> None:
        _write(path, self.export_pages(kind, 3600 if kind == "usage" else 86400, {}))


class OpenAI(Reports):
    def authorised(self, request: httpx.Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.key}"

    def bucket(self, kind: str, start: float, end: float) -> dict[str, Any]:
        hour = int(start // 3600)
        if kind == "usage":
            results = [
                {"object": "organization.usage.completions.result", "input_tokens": 900 + hour % 11,
                 "output_tokens": 300 + hour % 5, "input_cached_tokens": 10 * (hour % 4), "num_model_requests": 9,
                 "project_id": project, "user_id": None, "api_key_id": None, "model": "gpt-4o-mini-2024-07-18",
                 "batch": False}
                for project in ("proj_chat", None)
            ]  # fmt: skip
        else:
            results = [
                {"object": "organization.costs.result", "amount": {"value": 1.25 + (hour % 9) / 4, "currency": "usd"},
                 "line_item": "gpt-4o-2024-08-06, input", "project_id": project}
                for project in ("proj_chat", None)
            ]  # fmt: skip
        return {"object": "bucket", "start_time": int(start), "end_time": int(end), "results": results}

    def answer(self, path: str, query: dict[str, list[str]]) -> Any:
        start, end = float(q(query, "start_time")), float(q(query, "end_time"))
        self.window_fails(start)
        if path == "/v1/organization/usage/completions":
            assert query["group_by"] == ["project_id", "model"]
            buckets = self.buckets("usage", start, end, {"1h": 3600, "1d": 86400}[q(query, "bucket_width")])
        else:
            assert path == "/v1/organization/costs" and query["group_by"] == ["project_id", "line_item"]
            buckets = self.buckets("cost", start, end, 86400)
        return self.paged(buckets, query.get("page", [None])[0], {"object": "page"})

    def export(self, kind: str, path: Path) -> None:
        _write(path, self.export_pages(kind, 3600 if kind == "usage" else 86400, {"object": "page"}))


# -- incidents --------------------------------------------------------------------------------------------

PD_INCIDENTS = [
    # id, created, ack after (s), resolved after (s) or None, priority, urgency, service
    ("Q1AAA", "2026-11-16T10:00:00Z", 300, 5400, "P1", "high", ("PCHAT", "Chat API")),
    ("Q1BBB", "2026-11-17T08:00:00Z", 120, 1800, None, "low", ("PRAG", "Knowledge Search")),
    ("Q1CCC", "2026-11-17T22:30:00Z", None, 900, "P3", "high", ("PRAG", "Knowledge Search")),
    ("Q1DDD", "2026-11-19T09:15:00Z", 60, None, "P2", "high", ("PCHAT", "Chat API")),
]


def _after(created: str, seconds: int | None) -> str | None:
    return None if seconds is None else iso(ts(created) + seconds)


class PagerDuty(Fake):
    per_page = 1

    def authorised(self, request: httpx.Request) -> bool:
        return request.headers.get("authorization") == f"Token token={self.key}"

    def answer(self, path: str, query: dict[str, list[str]]) -> Any:
        offset = int(q(query, "offset"))
        if path == "/incidents":
            since, until = ts(q(query, "since")), ts(q(query, "until"))
            self.window_fails(since)
            items = [self.incident(i) for i in PD_INCIDENTS if since <= ts(i[1]) < until]
            key = "incidents"
        else:
            ident = path.split("/")[2]
            items = self.log_entries(next(i for i in PD_INCIDENTS if i[0] == ident))
            key = "log_entries"
        page = items[offset : offset + self.per_page]
        more = offset + self.per_page < len(items)
        return {key: page, "limit": self.per_page, "offset": offset, "more": more, "total": None}

    @staticmethod
    def incident(i: tuple) -> dict[str, Any]:
        ident, created, ack, resolved, priority, urgency, (sid, sname) = i
        status = "resolved" if resolved is not None else "acknowledged" if ack is not None else "triggered"
        return {
            "id": ident, "type": "incident", "incident_number": int(ident[-1:], 36), "title": f"Incident {ident}",
            "summary": f"[#{ident}] Incident {ident}", "status": status, "urgency": urgency,
            "created_at": created, "service": {"id": sid, "type": "service_reference", "summary": sname},
            "priority": {"id": "PP" + priority, "summary": priority} if priority else None,
            "assignments": [{"assignee": {"id": "PUSER1", "summary": "Dana Whitfield"}}],
            "last_status_change_by": {"id": "PUSER1", "summary": "Dana Whitfield"},
        }  # fmt: skip

    @staticmethod
    def log_entries(i: tuple) -> list[dict[str, Any]]:
        ident, created, ack, resolved, *_ = i
        out = [{"type": "trigger_log_entry", "created_at": created, "agent": {"summary": "Monitoring"}}]
        if ack is not None:
            out.append({"type": "acknowledge_log_entry", "created_at": _after(created, ack),
                        "agent": {"summary": "Dana Whitfield"}})  # fmt: skip
        if resolved is not None:
            out.append({"type": "resolve_log_entry", "created_at": _after(created, resolved),
                        "agent": {"summary": "Dana Whitfield"}})  # fmt: skip
        return out

    @staticmethod
    def export(path: Path) -> None:
        """The same incidents as a hand-saved Analytics raw-incidents reply."""
        data = []
        for ident, created, ack, resolved, priority, urgency, (sid, sname) in PD_INCIDENTS:
            if ts(created) >= NOW.timestamp():
                continue
            data.append({
                "id": ident, "description": f"Incident {ident}", "urgency": urgency, "priority_name": priority,
                "service_id": sid, "service_name": sname, "created_at": created,
                "resolved_at": _after(created, resolved), "seconds_to_first_ack": ack,
                "seconds_to_resolve": resolved, "major": False, "resolved_by_user_name": "Dana Whitfield",
            })  # fmt: skip
        _write(path, {"data": data, "more": False})


IO_INCIDENTS = [
    # id, created, category, status name, resolved at or None, severity, service
    ("01AAA", "2026-11-16T11:00:00Z", "closed", "Closed", "2026-11-16T12:30:00Z", "Critical", "Chat API"),
    (
        "01BBB",
        "2026-11-17T09:00:00Z",
        "closed",
        "Closed",
        "2026-11-17T09:40:00Z",
        "Minor",
        "Knowledge Search",
    ),
    ("01CCC", "2026-11-17T15:00:00Z", "declined", "Declined", None, "Minor", "Chat API"),
    ("01DDD", "2026-11-19T08:00:00Z", "live", "Investigating", None, "Major", "Knowledge Search"),
]


class IncidentIo(Fake):
    per_page = 1

    def authorised(self, request: httpx.Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.key}"

    @staticmethod
    def incident(i: tuple) -> dict[str, Any]:
        ident, created, category, status_name, resolved, severity, service = i
        stamps = [("Impact started", created), ("Reported at", created), ("Resolved at", resolved)]
        return {
            "id": ident, "reference": f"INC-{ident[-3:]}", "name": f"Incident {ident}", "mode": "standard",
            "permalink": f"https://app.incident.io/acme/incidents/{ident}",
            "severity": {"id": "SEV", "name": severity, "rank": 1},
            "incident_status": {"id": "ST", "name": status_name, "category": category},
            "creator": {"user": {"id": "U1", "name": "Priya Raman", "email": "priya.raman@example.com"}},
            "incident_role_assignments": [{"role": {"name": "Incident Lead"}, "assignee": {"name": "Priya Raman"}}],
            "incident_timestamp_values": [
                {"incident_timestamp": {"id": f"TS{n}", "name": name}, "value": {"value": v} if v else None}
                for n, (name, v) in enumerate(stamps)
            ],
            "custom_field_entries": [
                {"custom_field": {"id": "CF1", "name": "Affected services"},
                 "values": [{"value_option": {"id": "O1", "value": service}}]},
                {"custom_field": {"id": "CF2", "name": "Customer contact"},
                 "values": [{"value_text": "Escalated by Jordan Lee"}]},
            ],
            "created_at": created, "updated_at": created,
        }  # fmt: skip

    def answer(self, path: str, query: dict[str, list[str]]) -> Any:
        assert path == "/v2/incidents"
        first, last = q(query, "created_at[date_range]").split("~")
        self.window_fails(ts(first + "T00:00:00Z"))
        items = [self.incident(i) for i in IO_INCIDENTS if first <= i[1][:10] <= last]
        after = query.get("after", [None])[0]
        start = next(n + 1 for n, i in enumerate(items) if i["id"] == after) if after else 0
        page = items[start : start + self.per_page]
        more = start + self.per_page < len(items)
        meta = {"page_size": self.per_page, "total_record_count": len(items)}
        if more:
            meta["after"] = page[-1]["id"]
        return {"incidents": page, "pagination_meta": meta}

    def export(self, path: Path) -> None:
        items = [self.incident(i) for i in IO_INCIDENTS if ts(i[1]) < NOW.timestamp()]
        _write(
            path,
            {"incidents": items, "pagination_meta": {"page_size": 250, "total_record_count": len(items)}},
        )


def _write(path: Path, doc: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")


Handler = Callable[[httpx.Request], httpx.Response]
