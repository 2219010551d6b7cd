"""A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions protocol.

Tests and the benchmark point `LLM_BASE_URL` at it. Each request takes the next scripted
behaviour (the last one repeats): a JSON plan, raw text, an HTTP error, a delay or a hang.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer: `content` (dict → JSON text), or an HTTP `status`, after `delay`."""

    content: Any = None
    status: int = 200
    delay: float = 0.0


@dataclass
class StubLLM:
    server: ThreadingHTTPServer
    replies: list[Reply] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def script(self, *replies: Reply) -> None:
        with self.lock:
            self.replies[:] = list(replies)

    def next_reply(self) -> Reply:
        with self.lock:
            if len(self.replies) > 1:
                return self.replies.pop(0)
            return self.replies[0] if self.replies else Reply(status=500)

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


def _handler(stub: StubLLM):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            with stub.lock:
                stub.requests.append(body)
            reply = stub.next_reply()
            if reply.delay:
                stub.stop.wait(reply.delay)
            if not self.path.endswith("/chat/completions"):
                self._send(404, {"error": {"message": "not found"}})
                return
            if reply.status != 200:
                self._send(reply.status, {"error": {"message": "stub failure", "type": "server"}})
                return
            content = reply.content
            text = content if isinstance(content, str) else json.dumps(content)
            self._send(
                200,
                {
                    "id": "chatcmpl-stub",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": body.get("model", "stub"),
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": text},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
                },
            )

    return Handler


def start_stub(host: str = "127.0.0.1", port: int = 0) -> StubLLM:
    """Start the server (on a free port unless `port` is given) in a daemon thread."""
    server = ThreadingHTTPServer((host, port), BaseHTTPRequestHandler)
    server.daemon_threads = True
    stub = StubLLM(server=server)
    server.RequestHandlerClass = _handler(stub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return stub
