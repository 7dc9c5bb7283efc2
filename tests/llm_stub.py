"""A local OpenAI-compatible chat-completions server for tests (pytest-httpserver)."""

from __future__ import annotations

import json
import time
from collections import deque
from dataclasses import dataclass, field

from werkzeug import Request, Response


def completion(content: str, model: str = "stub-model") -> dict:
    """A non-streaming chat.completion body."""
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def sse(tokens: list[str], model: str = "stub-model") -> str:
    """A streamed chat.completion.chunk body, one chunk per token."""
    lines = []
    for token in tokens:
        chunk = {
            "id": "chatcmpl-stub",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": model,
            "choices": [{"index": 0, "delta": {"content": token}, "finish_reason": None}],
        }
        lines.append(f"data: {json.dumps(chunk)}\n\n")
    end = {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": 0, "model": model,
           "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    lines.append(f"data: {json.dumps(end)}\n\n")
    lines.append("data: [DONE]\n\n")
    return "".join(lines)


@dataclass
class StubLLM:
    """Scripted behaviour: queued replies for plain calls, tokens for streamed calls, failures first."""

    replies: deque = field(default_factory=deque)
    stream_tokens: list[str] = field(default_factory=lambda: ["Good ", "start. ", "Add ", "an ", "example."])
    failures: deque = field(default_factory=deque)  # status codes (or "hang") to answer before succeeding
    hang_seconds: float = 3.0
    requests: list[dict] = field(default_factory=list)

    def handler(self, request: Request) -> Response:
        body = json.loads(request.get_data() or b"{}")
        self.requests.append(body)
        if self.failures:
            failure = self.failures.popleft()
            if failure == "hang":
                time.sleep(self.hang_seconds)
                return Response(json.dumps(completion("too late")), status=200, content_type="application/json")
            error = {"error": {"message": "stub failure", "type": "server_error", "code": str(failure)}}
            return Response(json.dumps(error), status=int(failure), content_type="application/json")
        if body.get("stream"):
            return Response(sse(self.stream_tokens), status=200, content_type="text/event-stream")
        content = self.replies.popleft() if self.replies else "{}"
        return Response(json.dumps(completion(content)), status=200, content_type="application/json")
