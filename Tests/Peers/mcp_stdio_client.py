"""Drives `caphost mcp` over stdio with the official Python MCP client (PyPI `mcp`).

Launches the caphost binary as an MCP stdio server (the client's default "auto" mode first
probes `server/discover`, then falls back to the initialize handshake), lists and calls tools,
swaps a slot, drops a plugin into plugins.d while the session is open and waits for
`notifications/tools/list_changed`. Prints one JSON report on stdout for the Swift test to assert
on; exits non-zero only when the client itself fails.
"""

import argparse
import json
import os
import shutil
import sys
import time

import anyio
from mcp import Client, StdioServerParameters


def tool_result(result):
    """The parts of a CallToolResult the test checks."""
    texts = [block.text for block in result.content if getattr(block, "type", None) == "text"]
    return {"is_error": result.is_error, "text": texts[0] if texts else None, "structured": result.structured_content}


async def run(args) -> dict:
    report: dict = {"notifications": []}
    changed = anyio.Event()

    async def on_message(message) -> None:
        if isinstance(message, Exception):
            report["notifications"].append(f"exception: {message}")
            return
        method = getattr(message, "method", None)
        report["notifications"].append(method)
        if method == "notifications/tools/list_changed":
            changed.set()

    server = StdioServerParameters(
        command=args.caphost,
        args=["mcp", "--plugins-dir", args.plugins_dir, "--state-dir", args.state_dir, "--log-level", "info"],
    )
    async with Client(server, message_handler=on_message, read_timeout_seconds=30) as client:
        report["protocol_version"] = client.protocol_version
        report["server_name"] = client.server_info.name if client.server_info else None
        report["tools_capability"] = client.server_capabilities.tools.list_changed if client.server_capabilities.tools else None

        tools = await client.list_tools()
        report["tools"] = sorted(tool.name for tool in tools.tools)
        report["echo_schema"] = next(tool.input_schema for tool in tools.tools if tool.name == "adapter__bench__echo")
        report["echo_description"] = next(tool.description for tool in tools.tools if tool.name == "adapter__bench__echo")

        report["echo"] = tool_result(await client.call_tool("adapter__bench__echo", {"text": "hello from python"}))
        report["violation"] = tool_result(await client.call_tool("adapter__bench__echo", {"text": 3}))
        report["adapters"] = tool_result(await client.call_tool("oneiric_list_adapters", {"category": "bench"}))

        changed = anyio.Event()
        report["swap"] = tool_result(await client.call_tool("caphost_swap", {"slot": "adapter:bench", "provider": "beta"}))
        with anyio.fail_after(15):
            await changed.wait()
        report["after_swap"] = tool_result(await client.call_tool("adapter__bench__version", {}))

        # Drop a plugin into plugins.d while the session is open (written, then renamed in).
        changed = anyio.Event()
        target = os.path.join(args.plugins_dir, args.drop_in_name)
        temporary = os.path.join(args.plugins_dir, "." + args.drop_in_name + ".tmp")
        shutil.copyfile(args.drop_in, temporary)
        os.chmod(temporary, 0o755)
        dropped = time.monotonic()
        os.rename(temporary, target)
        with anyio.fail_after(15):
            await changed.wait()
        report["list_changed_after_drop_ms"] = round((time.monotonic() - dropped) * 1000, 1)
        relisted = await client.list_tools(cache_mode="refresh")
        report["tools_after_drop"] = sorted(tool.name for tool in relisted.tools)
        report["dropped_echo"] = tool_result(await client.call_tool("adapter__notifier__echo", {"text": "dropped in"}))

        await client.send_ping()
        report["pinged"] = True
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--caphost", required=True, help="path of the caphost executable")
    parser.add_argument("--plugins-dir", required=True)
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--drop-in", required=True, help="a plugin .so to drop into plugins.d during the session")
    parser.add_argument("--drop-in-name", required=True, help="its file name in plugins.d")
    args = parser.parse_args()
    report = anyio.run(run, args)
    json.dump(report, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
