"""A recorder in front of the sandbox: every request that reaches the AWS endpoint, and whether it writes.

Suites that prove "no AWS write happened" count writes here, at the endpoint, instead
of inferring them from error messages or comparing state.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from io import BytesIO
from typing import Any
from urllib.parse import parse_qs

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

_READ_PREFIXES = ("Get", "List", "Describe", "Filter", "Search", "Lookup")


@dataclass(frozen=True)
class AwsRequest:
    method: str
    path: str
    operation: str  # X-Amz-Target or Action where the protocol names one, else ""

    @property
    def writes(self) -> bool:
        if self.path.startswith("/moto-api"):
            return False
        if self.operation:
            return not self.operation.split(".")[-1].startswith(_READ_PREFIXES)
        return self.method not in ("GET", "HEAD")

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.operation}".rstrip()


class Recording:
    """Thread-safe list of requests; ``writes()`` since the last ``clear()``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[AwsRequest] = []

    def add(self, request: AwsRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()

    def requests(self) -> list[AwsRequest]:
        with self._lock:
            return list(self._requests)

    def writes(self) -> list[AwsRequest]:
        return [r for r in self.requests() if r.writes]


def _operation(environ: dict[str, Any], body: bytes) -> str:
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    if target:
        return target
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return parse_qs(body.decode(errors="replace")).get("Action", [""])[0]
    return ""


def recording_app(
    app: Callable[..., Iterable[bytes]], recording: Recording
) -> Callable[..., Iterable[bytes]]:
    def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = BytesIO(body)
        recording.add(
            AwsRequest(environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""), _operation(environ, body))
        )
        return app(environ, start_response)

    return middleware


class RecordingMotoServer(ThreadedMotoServer):
    """moto's threaded server with the recorder wrapped around its WSGI app."""

    def __init__(self, recording: Recording) -> None:
        super().__init__(ip_address="127.0.0.1", port=0, verbose=False)
        self.recording = recording

    def _server_entry(self) -> None:
        app = recording_app(DomainDispatcherApplication(create_backend_app), self.recording)
        self._server = make_server(
            self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()
