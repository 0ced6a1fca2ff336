"""The recorder in front of the sandbox tells reads from writes for every protocol our tools use."""

from __future__ import annotations

import pytest

from apigw_mcp.server.sandbox.ext import SeedInfo

from .conftest import ClientFactory
from .helpers import call_ok, orders_request
from .recorder import Recording

pytestmark = pytest.mark.anyio


async def test_a_preview_only_reads_and_an_apply_writes(
    client: ClientFactory, recording: Recording, sandbox: SeedInfo
) -> None:
    async with client() as session:
        preview = await call_ok(session, "create_http_api", orders_request())
        assert recording.requests() and recording.writes() == []
        await call_ok(
            session,
            "create_http_api",
            {**orders_request(), "dry_run": False, "plan_token": preview["plan"]["token"]},
        )
    written = [str(r) for r in recording.writes()]
    assert any(w.startswith("POST /v2/apis ") or w == "POST /v2/apis" for w in written), written
    assert any("AddPermission" in w or "/policy" in w for w in written), written
    assert not any("GetCallerIdentity" in w for w in written)
