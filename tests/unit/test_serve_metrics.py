"""`serve.py` closes /_stcore/metrics when the app is served alone (issue #18, failure 9)."""

from __future__ import annotations

import asyncio


def _get(middleware, path: str) -> tuple[int, bytes]:
    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    asyncio.run(middleware({"type": "http", "method": "GET", "path": path, "headers": []}, None, send))
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


def test_metrics_answer_404_and_other_paths_pass(serve):
    calls: list[str] = []

    async def app(scope, receive, send):
        calls.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    hide = serve.HideMetrics(app)
    assert _get(hide, "/_stcore/metrics") == (404, b"Not Found")
    assert _get(hide, "/_stcore/metrics/")[0] == 404
    assert _get(hide, "/_stcore/health") == (200, b"ok")
    assert calls == ["/_stcore/health"]
