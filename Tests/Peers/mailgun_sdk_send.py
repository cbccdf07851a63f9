#!/usr/bin/env python3
"""Sends one message with the official Mailgun Python SDK (PyPI `mailgun`), for caphost's
field-by-field comparison of the request the Mailgun plugin sends with the SDK's.

Reads one JSON object on stdin:
    {"api_url": "http://127.0.0.1:PORT", "api_key": "...", "domain": "example.com",
     "message": {<the notifier `send` payload: from, to, cc, bcc, subject, text, html, tags,
                 variables, headers, attachments, inline, options, test_mode>}}
and prints {"status": HTTP status, "body": response text, "sdk_version": "..."} on stdout.

The payload is written the way the SDK's documentation has a user write it: addresses as
lists (requests repeats the field per item), `o:tag` a list, `v:NAME` a string (non-strings
JSON-encoded compactly with sorted keys, as Mailgun documents for custom variables),
`h:NAME` strings, `o:` switches as "yes"/"no", and files as
("attachment" | "inline", (filename, bytes, content_type)) tuples. The SDK's `api_url`
points it at the local server (it allows plain http only for 127.0.0.1 and localhost).
"""

from __future__ import annotations

import base64
import json
import sys

import mailgun
from mailgun.client import Client


def as_list(value) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def sdk_arguments(message: dict) -> tuple[dict, list]:
    data: dict = {"from": message["from"], "to": as_list(message.get("to"))}
    for name in ("cc", "bcc"):
        if message.get(name) is not None:
            data[name] = as_list(message[name])
    data["subject"] = message["subject"]
    for name in ("text", "html"):
        if message.get(name) is not None:
            data[name] = message[name]
    if message.get("tags"):
        data["o:tag"] = list(message["tags"])
    if message.get("test_mode"):
        data["o:testmode"] = "yes"
    options = message.get("options") or {}
    if "tracking" in options:
        data["o:tracking"] = yes_no(options["tracking"])
    if "tracking_clicks" in options:
        clicks = options["tracking_clicks"]
        data["o:tracking-clicks"] = yes_no(clicks) if isinstance(clicks, bool) else clicks
    if "tracking_opens" in options:
        data["o:tracking-opens"] = yes_no(options["tracking_opens"])
    if "deliverytime" in options:
        data["o:deliverytime"] = options["deliverytime"]
    if "require_tls" in options:
        data["o:require-tls"] = yes_no(options["require_tls"])
    for name, value in sorted((message.get("headers") or {}).items()):
        data[f"h:{name}"] = value
    for name, value in sorted((message.get("variables") or {}).items()):
        data[f"v:{name}"] = value if isinstance(value, str) else json.dumps(
            value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    files = []
    for field, part in (("attachments", "attachment"), ("inline", "inline")):
        for item in message.get(field) or []:
            content = base64.b64decode(item["content_base64"], validate=True)
            files.append((part, (item["filename"], content, item.get("content_type", "application/octet-stream"))))
    return data, files


def main() -> None:
    request = json.load(sys.stdin)
    data, files = sdk_arguments(request["message"])
    with Client(auth=("api", request["api_key"]), api_url=request["api_url"]) as client:
        response = client.messages.create(domain=request["domain"], data=data, files=files or None)
    print(json.dumps({"status": response.status_code, "body": response.text,
                      "sdk_version": getattr(mailgun, "__version__", "")}))


if __name__ == "__main__":
    main()
