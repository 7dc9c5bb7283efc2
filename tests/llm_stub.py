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


def sse(tokens: list[str], model: str = "stub-model", *, finished: bool = True) -> str:
    """A streamed chat.completion.chunk body, one chunk per token; `finished=False` leaves out the final chunk
    (finish_reason) and `[DONE]`, as a stream that simply stops."""
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
    if not finished:
        return "".join(lines)
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
    # What to do with the next requests before succeeding: a status code, "hang", "cut" (the connection closes
    # halfway through the body), "stop" (a stream that ends without its final chunk and [DONE]), None (succeed).
    failures: deque = field(default_factory=deque)
    hang_seconds: float = 3.0
    requests: list[dict] = field(default_factory=list)

    def handler(self, request: Request) -> Response:
        body = json.loads(request.get_data() or b"{}")
        self.requests.append(body)
        failure = self.failures.popleft() if self.failures else None
        if failure is not None:
            if failure in ("cut", "stop"):
                return self.truncated(body, cut=failure == "cut")
            if failure == "hang":
                time.sleep(self.hang_seconds)
                return Response(json.dumps(completion("too late")), status=200, content_type="application/json")
            error = {"error": {"message": "stub failure", "type": "server_error", "code": str(failure)}}
            return Response(json.dumps(error), status=int(failure), content_type="application/json")
        if body.get("stream"):
            return Response(sse(self.stream_tokens), status=200, content_type="text/event-stream")
        content = self.replies.popleft() if self.replies else "{}"
        return Response(json.dumps(completion(content)), status=200, content_type="application/json")

    def truncated(self, body: dict, *, cut: bool) -> Response:
        """A reply cut short: half the bytes promised by Content-Length, or a stream without its ending."""
        if not cut:
            return Response(sse(self.stream_tokens[:2], finished=False), status=200, content_type="text/event-stream")
        if body.get("stream"):
            full, content_type = sse(self.stream_tokens).encode(), "text/event-stream"
        else:
            content = self.replies[0] if self.replies else "{}"  # kept for the retry
            full, content_type = json.dumps(completion(content)).encode(), "application/json"
        response = Response(iter([full[: len(full) // 2]]), status=200, content_type=content_type)
        response.headers["Content-Length"] = str(len(full))  # the server closes the connection short of it
        return response
