#!/usr/bin/env python3
"""Oneiric's own time to list its adapter registry, for caphost-bench's oneiric_client figure.

Runs inside the Python 3.14 sandbox with Oneiric's venv:
    sandbox.sh exec --bind HOME -- /opt/oneiric/bin/python oneiric_list_timing.py --home HOME --url URL --repeat N

Measures, on the records the running server at URL keeps in HOME:
  - in process: OneiricAdapterRegistry(HOME/.oneiric).list_adapters_async(), as the MCP tool calls it;
  - over MCP: a tools/call oneiric_list_adapters round trip over HTTP (stdlib only, one session).
Prints one JSON line: {"inprocess_median_us": …, "mcp_http_median_us": …, "count": n}.
"""

import argparse
import asyncio
import json
import statistics
import time
import urllib.request
from pathlib import Path

from oneiric.mcp.adapter_registry import OneiricAdapterRegistry

HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


def post(url, message, session=None):
    headers = dict(HEADERS)
    if session:
        headers["Mcp-Session-Id"] = session
        headers["MCP-Protocol-Version"] = "2025-06-18"
    request = urllib.request.Request(url, data=json.dumps(message).encode(), headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
        return response.headers.get("mcp-session-id", session), body


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--repeat", type=int, default=200)
    options = parser.parse_args()

    registry = OneiricAdapterRegistry(root=Path(options.home) / ".oneiric")
    count = len(asyncio.run(registry.list_adapters_async()))

    async def inprocess():
        samples = []
        for _ in range(options.repeat):
            started = time.perf_counter_ns()
            await registry.list_adapters_async()
            samples.append((time.perf_counter_ns() - started) / 1000)
        return samples

    inprocess_samples = asyncio.run(inprocess())

    session, _ = post(options.url, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "timing", "version": "1"}}})
    post(options.url, {"jsonrpc": "2.0", "method": "notifications/initialized"}, session)
    mcp_samples = []
    for index in range(options.repeat):
        started = time.perf_counter_ns()
        post(options.url, {"jsonrpc": "2.0", "id": index + 2, "method": "tools/call",
                           "params": {"name": "oneiric_list_adapters", "arguments": {}}}, session)
        mcp_samples.append((time.perf_counter_ns() - started) / 1000)

    print(json.dumps({"inprocess_median_us": round(statistics.median(inprocess_samples), 1),
                      "mcp_http_median_us": round(statistics.median(mcp_samples), 1), "count": count}))


if __name__ == "__main__":
    main()
