"""Large results straight to the server's bucket (offload-v1): an extension, not a bug fix.

The released worker (nodetool-core 0.8.2) sends every result blob across its connection, in 1 MiB
frames. Between a server and a rented worker that is often a hop that limits frames or bodies (RunPod's
HTTP proxy cuts WebSockets at about 1.8 MiB, bodies at 100 MB), and it is egress through the server.

With this extension, when the server offers it (an execute's `asset_offload: {min_bytes}`, sent only to
a worker whose worker.status says `asset_offload: "v1"`), each result blob of at least `min_bytes`:
  1. is announced as `asset.upload_request` {name, size, sha256} on the request;
  2. the server answers `asset.upload_grant` {name, url | upload_id, part_size, urls | exists | error};
  3. the worker PUTs the bytes to those presigned URLs (httpx; one URL per part of a multipart upload);
  4. and reports `blob.offloaded` {name, size, sha256, etags, upload_id} instead of blob.* frames.
The server checks size and SHA-256 of what arrived before it keeps it.

Large inputs come the other way: an execute's `asset_inputs` {field: {url, type, size, sha256}} are
downloaded (size and SHA-256 checked) before the node runs, and handed to the released execute path as
the blob they stand for, so the node finds them in its workspace as it finds any input blob. These URLs
come from the server itself (its own bucket), so they are fetched without the worker's guard against
private addresses, which would refuse a bucket on a private network (MinIO on a LAN, moto in tests).

The worker never holds a bucket key: only URLs for one object each, valid for minutes. Without the
offer everything runs as released.
"""

from __future__ import annotations

import asyncio
import hashlib
from types import ModuleType
from typing import Any

from nodetool_worker_compat.patch import Patch

MODULE = "nodetool.worker.protocol"
CAPABILITY = "v1"
# How long a worker waits for the server's grant before it fails the node.
GRANT_TIMEOUT_SECONDS = 120.0
UPLOAD_TIMEOUT_SECONDS = 600.0


class _Grants:
    """Grants awaited by (request id, blob name)."""

    def __init__(self) -> None:
        self._waiting: dict[tuple[str, str], asyncio.Future[dict[str, Any]]] = {}

    def expect(self, request_id: str, name: str) -> asyncio.Future[dict[str, Any]]:
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[(request_id, name)] = future
        return future

    def deliver(self, request_id: str | None, data: dict[str, Any]) -> None:
        future = self._waiting.pop((request_id or "", str(data.get("name", ""))), None)
        if future is not None and not future.done():
            future.set_result(data)

    def forget(self, request_id: str, name: str) -> None:
        self._waiting.pop((request_id, name), None)


async def _put(client: Any, url: str, body: bytes, what: str, headers: dict[str, str] | None = None) -> str:
    # Headers the URL was signed with (If-None-Match: the object may be created, never replaced) go as given.
    response = await client.put(url, content=body, headers=headers or {})
    if response.status_code == 412 and headers and headers.get("If-None-Match") == "*":
        # Another upload of the same bytes got there first: report it, the server checks what is there.
        return ""
    if response.status_code >= 300:
        # The URL carries a signature: it is never printed, only what the bucket said.
        raise RuntimeError(f"the bucket refused {what} (HTTP {response.status_code}: {response.text[:200]})")
    return response.headers.get("etag", "")


async def _offload(server: Any, request_id: str, name: str, blob: bytes, transport: Any) -> None:
    import httpx

    sha256 = hashlib.sha256(blob).hexdigest()
    grant_future = server._nt_grants.expect(request_id, name)
    await transport.send_msg({"type": "asset.upload_request", "request_id": request_id, "data": {"name": name, "size": len(blob), "sha256": sha256}})
    try:
        grant = await asyncio.wait_for(grant_future, GRANT_TIMEOUT_SECONDS)
    finally:
        server._nt_grants.forget(request_id, name)
    if grant.get("error"):
        raise RuntimeError(f"the server refused to take the result {name} of {len(blob)} bytes: {grant['error']}")
    report: dict[str, Any] = {"name": name, "size": len(blob), "sha256": sha256}
    if not grant.get("exists"):
        async with httpx.AsyncClient(timeout=UPLOAD_TIMEOUT_SECONDS) as client:
            if isinstance(grant.get("url"), str):
                headers = grant.get("headers") if isinstance(grant.get("headers"), dict) else None
                await _put(client, grant["url"], blob, f"the upload of {name}", headers)
            else:
                part_size = int(grant["part_size"])
                etags = []
                for index, url in enumerate(grant["urls"]):
                    part = blob[index * part_size : (index + 1) * part_size]
                    etags.append(await _put(client, url, part, f"part {index + 1} of {name}"))
                report.update(etags=etags, upload_id=grant["upload_id"])
    await transport.send_msg({"type": "blob.offloaded", "request_id": request_id, "data": report})


async def _fetch_inputs(inputs: dict[str, Any]) -> dict[str, bytes]:
    """Downloads each granted input; a wrong size or digest fails the node."""
    import httpx

    fetched: dict[str, bytes] = {}
    async with httpx.AsyncClient(timeout=UPLOAD_TIMEOUT_SECONDS) as client:
        for name, item in inputs.items():
            if not isinstance(item, dict) or not isinstance(item.get("url"), str):
                raise RuntimeError(f"the input {name} names no URL to fetch")
            body = bytearray()
            async with client.stream("GET", item["url"]) as response:
                if response.status_code >= 300:
                    raise RuntimeError(f"the bucket refused the input {name} (HTTP {response.status_code})")
                async for chunk in response.aiter_bytes():
                    body.extend(chunk)
                    if len(body) > int(item.get("size", 0)):
                        raise RuntimeError(f"the input {name} is larger than the {item.get('size')} bytes the server sent")
            digest = hashlib.sha256(body).hexdigest()
            if len(body) != item.get("size") or digest != item.get("sha256"):
                raise RuntimeError(f"the input {name} arrived as {len(body)} bytes with SHA-256 {digest}, not what the server sent")
            fetched[name] = bytes(body)
    return fetched


class _StatusWithCapability:
    """Passes frames through, adding the capability to the worker.status reply."""

    def __init__(self, transport: Any, request_id: str | None) -> None:
        self._transport = transport
        self._request_id = request_id

    async def send_msg(self, msg: dict[str, Any]) -> None:
        if msg.get("type") == "result" and msg.get("request_id") == self._request_id and isinstance(msg.get("data"), dict):
            msg = {**msg, "data": {**msg["data"], "asset_offload": CAPABILITY}}
        await self._transport.send_msg(msg)


def _apply(module: ModuleType) -> None:
    server_class = module.WorkerProtocolServer
    released_dispatch = server_class.dispatch
    released_send_blobs = server_class._send_result_blobs

    async def dispatch(self: Any, msg: dict[str, Any], transport: Any) -> None:
        if not hasattr(self, "_nt_grants"):
            self._nt_grants, self._nt_offload = _Grants(), {}
        kind = msg.get("type")
        request_id = msg.get("request_id") if isinstance(msg.get("request_id"), str) else None
        data = msg.get("data") if isinstance(msg.get("data"), dict) else {}
        if kind == "asset.upload_grant":
            self._nt_grants.deliver(request_id, data)
            return
        if kind == "worker.status":
            await released_dispatch(self, msg, _StatusWithCapability(transport, request_id))
            return
        offer = data.get("asset_offload") if kind == "execute" else None
        inputs = data.get("asset_inputs") if kind in ("execute", "execute.stream") else None
        if not (request_id and (isinstance(offer, dict) or isinstance(inputs, dict))):
            await released_dispatch(self, msg, transport)
            return
        if isinstance(inputs, dict) and inputs:
            try:
                fetched = await _fetch_inputs(inputs)
            except Exception as error:  # noqa: BLE001 - reported to the client as the request's error
                await transport.send_msg({"type": "error", "request_id": request_id, "data": {"error": str(error)}})
                return
            fields = {key: value for key, value in (data.get("fields") or {}).items() if key not in fetched}
            msg = {**msg, "data": {**data, "fields": fields, "blobs": {**(data.get("blobs") or {}), **fetched}}}
        if isinstance(offer, dict) and isinstance(offer.get("min_bytes"), int) and offer["min_bytes"] >= 0:
            self._nt_offload[request_id] = offer["min_bytes"]
        try:
            await released_dispatch(self, msg, transport)
        finally:
            self._nt_offload.pop(request_id, None)

    async def send_result_blobs(self: Any, *, request_id: str | None, blobs: dict[str, bytes], transport: Any) -> None:
        min_bytes = getattr(self, "_nt_offload", {}).get(request_id) if request_id else None
        if min_bytes is None:
            await released_send_blobs(self, request_id=request_id, blobs=blobs, transport=transport)
            return
        small = {name: blob for name, blob in blobs.items() if len(blob) < min_bytes}
        for name, blob in blobs.items():
            if len(blob) >= min_bytes:
                await _offload(self, request_id, name, blob, transport)
        if small:
            await released_send_blobs(self, request_id=request_id, blobs=small, transport=transport)

    server_class.dispatch = dispatch
    server_class._send_result_blobs = send_result_blobs


def _bug_present() -> bool:
    """The released worker announces no offload: every result blob crosses its connection."""
    import importlib

    module = importlib.import_module(MODULE)
    sent: list[dict[str, Any]] = []

    class Collect:
        async def send_msg(self, msg: dict[str, Any]) -> None:
            sent.append(msg)

    server = module.WorkerProtocolServer(transport_name="stdio")
    asyncio.run(server.dispatch({"type": "worker.status", "request_id": "probe", "data": {}}, Collect()))
    return sent[-1].get("data", {}).get("asset_offload") != CAPABILITY


PATCH = Patch(
    name="asset-offload",
    module=MODULE,
    versions=frozenset({"0.8.2"}),
    apply=_apply,
    bug_present=_bug_present,
)
