"""The AWS edge: one boto3 session, cached clients, botocore retries, reads on worker threads.

boto3 is imported on the first call, not at start-up, so the server answers
``initialize`` and ``tools/list`` without paying for it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import anyio

from apigw_mcp.tools.engine.errors import AwsCallFailed, OutOfScope
from apigw_mcp.tools.engine.operations import read_refusal

from .settings import Settings

T = TypeVar("T")

_ADVICE = {
    "AccessDeniedException": "the credentials lack the IAM permission for this call; "
    "see `apigw-mcp iam-policy` for what the server needs",
    "AccessDenied": "the credentials lack the IAM permission for this call",
    "UnauthorizedOperation": "the credentials lack the IAM permission for this call",
    "NotFoundException": "the resource does not exist in this region: list_apis shows what exists",
    "ResourceNotFoundException": "the resource does not exist in this region",
    "TooManyRequestsException": "AWS throttled the call after retries; wait and call again",
    "ThrottlingException": "AWS throttled the call after retries; wait and call again",
    "ConflictException": "the resource changed or already exists; describe it and plan again",
    "ExpiredTokenException": "the AWS credentials expired: refresh them (e.g. `aws sso login`)",
    "UnrecognizedClientException": "the AWS credentials are invalid for this region or account",
}
_NO_CREDENTIALS = (
    "no AWS credentials found: set APIGW_MCP_PROFILE (or AWS_PROFILE), or AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY, or run `aws sso login`; for a try-out without AWS use `apigw-mcp serve --sandbox`"
)


@dataclass(frozen=True)
class Identity:
    account: str
    arn: str


class AwsRuntime:
    """Holds the session and clients for one server; safe to share across worker threads."""

    def __init__(self, settings: Settings, max_concurrency: int = 8, retry_delay: float = 0.5) -> None:
        self.settings = settings
        self.region = settings.require_region()
        self.retry_delay = retry_delay
        self._clients: dict[tuple[str, bool], Any] = {}
        self._lock = threading.Lock()
        self._limiter = anyio.CapacityLimiter(max_concurrency)
        self._identity: Identity | None = None
        self._session: Any = None

    def client(self, service: str, retries: bool = True) -> Any:
        """The service's client; ``retries=False`` for writes, which ``writes.write`` retries itself."""
        with self._lock:
            if (service, retries) not in self._clients:
                self._clients[service, retries] = self._new_client(service, retries)
            return self._clients[service, retries]

    def _new_client(self, service: str, retries: bool) -> Any:
        import logging

        import boto3
        from botocore.config import Config

        logging.getLogger("botocore").setLevel(logging.WARNING)

        if self._session is None:
            self._session = boto3.Session(profile_name=self.settings.profile, region_name=self.region)
        config = Config(
            retries={"mode": "standard", "max_attempts": 5 if retries else 1},
            connect_timeout=5,
            read_timeout=30,
            user_agent_extra="apigw-mcp",
        )
        return self._session.client(service, endpoint_url=self.settings.endpoint_url, config=config)

    async def call(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        """A read (retried by botocore): only reads of the operations table, never a secret's value."""
        _check_read(service, operation, params)
        return await self._run(partial(self._call_sync, service, operation, params, True))

    async def call_once(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        """One attempt, no botocore retry: for writes, whose retries must not apply a create twice."""
        return await self._run(partial(self._call_sync, service, operation, params, False))

    async def paginate(self, service: str, operation: str, key: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of every page: never a silently truncated listing."""
        _check_read(service, operation, params)
        return await self._run(partial(self._paginate_sync, service, operation, key, params))

    async def identity(self) -> Identity:
        """Who the credentials are; refuses every tool when they are not for the pinned account."""
        if self._identity is None:
            found = await self.call("sts", "get_caller_identity")
            self._identity = Identity(account=found["Account"], arn=found["Arn"])
        pinned = self.settings.account
        if pinned and self._identity.account != pinned:
            raise OutOfScope(
                "account",
                f"the credentials are for account {self._identity.account} ({self._identity.arn}), "
                f"but APIGW_MCP_ACCOUNT pins {pinned}: use credentials for {pinned} or change the setting",
            )
        return self._identity

    async def _run(self, work: Callable[[], T]) -> T:
        return await anyio.to_thread.run_sync(work, limiter=self._limiter)

    def _call_sync(
        self, service: str, operation: str, params: dict[str, Any], retries: bool
    ) -> dict[str, Any]:
        with translated_errors(service, operation):
            response: dict[str, Any] = getattr(self.client(service, retries), operation)(**params)
            return response

    def _paginate_sync(
        self, service: str, operation: str, key: str, params: dict[str, Any]
    ) -> list[dict[str, Any]]:
        with translated_errors(service, operation):
            client = self.client(service)
            if client.can_paginate(operation):
                pages = client.get_paginator(operation).paginate(**params)
                return [item for page in pages for item in page.get(key, [])]
            return _follow_next_token(getattr(client, operation), key, params)


def _follow_next_token(
    call: Callable[..., dict[str, Any]], key: str, params: dict[str, Any]
) -> list[dict[str, Any]]:
    """Pages of an operation botocore has no paginator for (e.g. apigatewayv2 GetApiMappings)."""
    items: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = call(**params, **({"NextToken": token} if token else {}))
        items.extend(page.get(key, []))
        token = page.get("NextToken")
        if not token:
            return items


@contextmanager
def translated_errors(service: str, operation: str) -> Iterator[None]:
    """Turn botocore exceptions into one actionable AwsCallFailed."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

    where = f"{service}.{operation}"
    try:
        yield
    except NoCredentialsError:
        raise AwsCallFailed("NoCredentials", _NO_CREDENTIALS) from None
    except NoRegionError:
        raise AwsCallFailed("NoRegion", "no AWS region: set APIGW_MCP_REGION") from None
    except ClientError as error:
        raise client_error(where, error.response) from None
    except BotoCoreError as error:
        raise AwsCallFailed(type(error).__name__, f"{where} failed: {one_line(str(error))}") from None


def _check_read(service: str, operation: str, params: dict[str, Any]) -> None:
    reason = read_refusal(service, operation, params)
    if reason is not None:
        raise OutOfScope("read", reason)


def one_line(text: str, limit: int = 300) -> str:
    """AWS's message as one short line: an HTML error page or a multi-line body must not reach the model."""
    flat = " ".join(re.sub(r"<[^>]*>", " ", text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def client_error(where: str, response: Any) -> AwsCallFailed:
    info = response.get("Error", {})
    code = one_line(str(info.get("Code", "Unknown")), 80)
    request_id = response.get("ResponseMetadata", {}).get("RequestId")
    message = f"{where} failed: {code}: {one_line(str(info.get('Message', '')))}".rstrip(": ")
    if request_id:
        message += f" (request id {request_id})"
    if code in _ADVICE:
        message += f". {_ADVICE[code]}"
    if code in ("InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException"):
        message += f". {_NO_CREDENTIALS}"
    return AwsCallFailed(code, message, int(response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0))


async def gather(*calls: Callable[[], Awaitable[Any]]) -> list[Any]:
    """Run independent reads concurrently; results in call order; the first error wins."""
    results: list[Any] = [None] * len(calls)

    async def run(index: int, call: Callable[[], Awaitable[Any]]) -> None:
        results[index] = await call()

    try:
        async with anyio.create_task_group() as group:
            for index, call in enumerate(calls):
                group.start_soon(run, index, call)
    except BaseExceptionGroup as failures:
        raise _first_leaf(failures) from None
    return results


def _first_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    first = group.exceptions[0]
    return _first_leaf(first) if isinstance(first, BaseExceptionGroup) else first
