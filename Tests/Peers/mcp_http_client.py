"""Drives caphost's MCP streamable-HTTP endpoint with the official Python MCP client (PyPI `mcp`).

Connects to --url (optionally with a bearer token), negotiates (the client's "auto" mode probes
`server/discover` first, then falls back to initialize), lists and calls tools, swaps a slot and
waits for `notifications/tools/list_changed` on the session's GET stream; with --drop-in it also
drops a plugin into --plugins-dir and waits for the next one. Prints one JSON report on stdout
for the calling test to assert on; exits non-zero only when the client itself fails.
"""

import argparse
import json
import os
import shutil
import sys
import time

import anyio
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client


def tool_result(result):
    """The parts of a CallToolResult the test checks."""
    texts = [block.text for block in result.content if getattr(block, "type", None) == "text"]
    return {"is_error": result.is_error, "text": texts[0] if texts else None, "structured": result.structured_content}


async def run(args) -> dict:
    report: dict = {"notifications": []}
    events = {"changed": anyio.Event()}

    async def on_message(message) -> None:
        if isinstance(message, Exception):
            report["notifications"].append(f"exception: {message}")
            return
        method = getattr(message, "method", None)
        report["notifications"].append(method)
        if method == "notifications/tools/list_changed":
            events["changed"].set()

    started = time.monotonic()
    report["timings_ms"] = {}

    def mark(step: str) -> None:
        report["timings_ms"][step] = round((time.monotonic() - started) * 1000, 1)

    headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}
    async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=300)) as http:
        transport = streamable_http_client(args.url, http_client=http)
        async with Client(transport, message_handler=on_message, read_timeout_seconds=30) as client:
            mark("connected")
            report["protocol_version"] = client.protocol_version
            report["server_name"] = client.server_info.name if client.server_info else None

            tools = await client.list_tools()
            report["tools"] = sorted(tool.name for tool in tools.tools)
            report["echo"] = tool_result(await client.call_tool("adapter__bench__echo", {"text": "hello over http"}))
            report["violation"] = tool_result(await client.call_tool("adapter__bench__echo", {"text": 3}))
            report["adapters"] = tool_result(await client.call_tool("oneiric_list_adapters", {}))
            mark("called")

            # The GET stream opens in the background after initialize; give it a moment to attach.
            await anyio.sleep(0.3)
            events["changed"] = anyio.Event()
            report["swap"] = tool_result(await client.call_tool("caphost_swap", {"slot": "adapter:bench", "provider": "beta"}))
            with anyio.fail_after(15):
                await events["changed"].wait()
            mark("list_changed_after_swap")
            report["after_swap"] = tool_result(await client.call_tool("adapter__bench__version", {}))

            if args.drop_in:
                events["changed"] = anyio.Event()
                temporary = os.path.join(args.plugins_dir, "." + args.drop_in_name + ".tmp")
                shutil.copyfile(args.drop_in, temporary)
                os.chmod(temporary, 0o755)
                os.rename(temporary, os.path.join(args.plugins_dir, args.drop_in_name))
                with anyio.fail_after(15):
                    await events["changed"].wait()
                mark("list_changed_after_drop")
                relisted = await client.list_tools(cache_mode="refresh")
                report["tools_after_drop"] = sorted(tool.name for tool in relisted.tools)

            await client.send_ping()
            report["pinged"] = True
            mark("pinged")
    mark("closed")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="the MCP endpoint, e.g. http://127.0.0.1:7070/mcp")
    parser.add_argument("--token", help="bearer token for the Authorization header")
    parser.add_argument("--plugins-dir", help="the host's plugins.d (with --drop-in)")
    parser.add_argument("--drop-in", help="a plugin .so to drop into plugins.d during the session")
    parser.add_argument("--drop-in-name", default="dropped.so", help="its file name in plugins.d")
    args = parser.parse_args()
    report = anyio.run(run, args)
    json.dump(report, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
