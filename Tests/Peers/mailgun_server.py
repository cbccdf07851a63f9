#!/usr/bin/env python3
"""A local Mailgun for caphost's tests: the documented Messages and Domains API on 127.0.0.1.

Independent of the plugin under test (standard library only). It serves

    POST /v3/{domain}/messages   multipart/form-data or application/x-www-form-urlencoded
    GET  /v3/domains/{domain}    the domain record (what a health check reads)

with Mailgun's answers: HTTP Basic auth `api:KEY` (else 401 `Forbidden`), an unknown domain
404 `{"message": "Domain not found: …"}`, a missing from/to/subject/body 400
`{"message": "'from' parameter is missing"}` (Mailgun's wording), and
200 `{"id": "<…@domain>", "message": "Queued. Thank you."}`.

It records every request (method, path, auth user and whether the key matched, content type,
form fields as an ordered list of [name, value], file parts as
[name, filename, content_type, sha256, size]) and serves a control API:

    POST /_control/behaviour {"status": 500|429|400|401|403|404|200|0, "count": n|null,
                              "retry_after": "2" | 2 | null, "delay": seconds | null,
                              "endpoint": "messages" | "domains"}
        the next n requests to that endpoint (all of them while count is null) answer
        `status` (0: read the request, then close the connection without answering), after
        holding the response `delay` seconds (to outlast a client's timeout).
        {"status": null} restores normal service.
    POST /_control/reset      forget the requests and every behaviour
    GET  /_control/requests   the recorded requests, oldest first

Usage:  MAILGUN_PEER_API_KEY=key mailgun_server.py --domain example.com [--domain other.org]
Prints {"port": N} as its first stdout line. Exits when stdin closes, so a test process that
dies never leaves it running.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import sys
import threading
import time
import urllib.parse
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from peer_http import read_body


class MultipartError(ValueError):
    """The body is not well-formed multipart/form-data."""


def header_params(value: str) -> tuple[str, dict[str, str]]:
    """Splits `type; a=b; c="d"` into ("type", {"a": "b", "c": "d"}).

    Quoted values end at the next double quote: HTML5 form encoding (which RFC 7578 §4.2
    describes and browsers, urllib3 and the plugin use) percent-encodes `"`, CR and LF inside
    names and filenames instead of backslash-escaping them, so the value is taken as sent.
    """
    main, _, rest = value.partition(";")
    params: dict[str, str] = {}
    index = 0
    while index < len(rest):
        while index < len(rest) and rest[index] in " \t;":
            index += 1
        equals = rest.find("=", index)
        if equals < 0:
            break
        key = rest[index:equals].strip().lower()
        index = equals + 1
        if index < len(rest) and rest[index] == '"':
            close = rest.find('"', index + 1)
            if close < 0:
                raise MultipartError(f"unterminated quoted value for {key!r} in {value!r}")
            params[key] = rest[index + 1:close]
            index = close + 1
        else:
            end = rest.find(";", index)
            end = len(rest) if end < 0 else end
            params[key] = rest[index:end].strip()
            index = end
    return main.strip().lower(), params


def parse_multipart(body: bytes, boundary: str) -> tuple[list[list[str]], list[list]]:
    """Parses a multipart/form-data body strictly (RFC 7578 / RFC 2046)."""
    delimiter = b"--" + boundary.encode("latin-1")
    if not body.startswith(delimiter + b"\r\n"):
        raise MultipartError("body does not start with --boundary CRLF")
    fields: list[list[str]] = []
    files: list[list] = []
    position = len(delimiter) + 2
    while True:
        end = body.find(b"\r\n" + delimiter, position)
        if end < 0:
            raise MultipartError("missing closing delimiter")
        part = body[position:end]
        head, separator, content = part.partition(b"\r\n\r\n")
        if not separator:
            raise MultipartError("part without a blank line after its headers")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8").split("\r\n"):
            name, colon, value = line.partition(":")
            if not colon:
                raise MultipartError(f"bad part header line {line!r}")
            headers[name.strip().lower()] = value.strip()
        disposition, params = header_params(headers.get("content-disposition", ""))
        if disposition != "form-data" or "name" not in params:
            raise MultipartError(f"part without Content-Disposition: form-data; name=…: {headers}")
        if "filename" in params:
            files.append([params["name"], params["filename"],
                          headers.get("content-type", "application/octet-stream"),
                          hashlib.sha256(content).hexdigest(), len(content)])
        else:
            fields.append([params["name"], content.decode("utf-8")])
        position = end + 2 + len(delimiter)
        if body[position:position + 2] == b"--":
            return fields, files
        if body[position:position + 2] != b"\r\n":
            raise MultipartError("delimiter not followed by CRLF or --")
        position += 2


class Peer:
    """Shared state: configuration, behaviours and the request log."""

    def __init__(self, domains: list[str], api_key: str) -> None:
        self.domains = set(domains)
        self.api_key = api_key
        self.lock = threading.Lock()
        self.requests: list[dict] = []
        self.behaviours: dict[str, dict] = {}
        self.sequence = 0

    def take_behaviour(self, endpoint: str) -> dict | None:
        with self.lock:
            behaviour = self.behaviours.get(endpoint)
            if behaviour is None:
                return None
            if behaviour["count"] is not None:
                behaviour["count"] -= 1
                if behaviour["count"] <= 0:
                    del self.behaviours[endpoint]
            return dict(behaviour)

    def next_id(self, domain: str) -> str:
        with self.lock:
            self.sequence += 1
            sequence = self.sequence
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
        return f"<{stamp}.{os.getpid()}.{sequence}@{domain}>"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mailgun-peer/1.0"
    peer: Peer

    def log_message(self, format: str, *args) -> None:  # quiet: the test reads /_control/requests
        pass

    # -- plumbing -------------------------------------------------------------------------

    def read_body(self) -> bytes:
        return read_body(self)

    def answer(self, status: int, document, headers: dict[str, str] | None = None) -> None:
        if isinstance(document, str):
            body, content_type = document.encode(), "text/plain; charset=utf-8"
        else:
            body, content_type = json.dumps(document).encode(), "application/json"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def auth(self) -> tuple[str | None, bool]:
        value = self.headers.get("Authorization", "")
        if not value.lower().startswith("basic "):
            return None, False
        try:
            user, _, password = base64.b64decode(value[6:].strip()).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return None, False
        return user, (user == "api" and password == self.peer.api_key)

    # -- the API --------------------------------------------------------------------------

    def do_GET(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path == "/_control/requests":
            with self.peer.lock:
                self.answer(200, list(self.peer.requests))
            return
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[:2] == ["v3", "domains"]:
            self.serve("domains", parts[2], b"")
            return
        self.answer(404, {"message": "Not Found"})

    def do_POST(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        body = self.read_body()
        if path == "/_control/behaviour":
            self.set_behaviour(body)
            return
        if path == "/_control/reset":
            with self.peer.lock:
                self.peer.requests.clear()
                self.peer.behaviours.clear()
            self.answer(200, {"reset": True})
            return
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[0] == "v3" and parts[2] == "messages":
            self.serve("messages", parts[1], body)
            return
        self.answer(404, {"message": "Not Found"})

    def set_behaviour(self, body: bytes) -> None:
        try:
            spec = json.loads(body or b"{}")
            endpoint = spec.get("endpoint", "messages")
            if endpoint not in ("messages", "domains"):
                raise ValueError(f"endpoint must be messages or domains, not {endpoint!r}")
            status = spec.get("status")
            count = spec.get("count")
            if status is not None and not isinstance(status, int):
                raise ValueError("status must be an integer or null")
            if count is not None and (not isinstance(count, int) or count < 1):
                raise ValueError("count must be a positive integer or null")
        except (ValueError, AttributeError) as error:
            self.answer(400, {"message": f"bad behaviour: {error}"})
            return
        with self.peer.lock:
            if status is None:
                self.peer.behaviours.pop(endpoint, None)
            else:
                self.peer.behaviours[endpoint] = {
                    "status": status, "count": count,
                    "retry_after": None if spec.get("retry_after") is None else str(spec["retry_after"]),
                    "delay": float(spec.get("delay") or 0)}
        self.answer(200, {"endpoint": endpoint, "status": status, "count": count})

    def serve(self, endpoint: str, domain: str, body: bytes) -> None:
        user, authorised = self.auth()
        content_type = self.headers.get("Content-Type", "")
        record = {"method": self.command, "path": urllib.parse.urlsplit(self.path).path,
                  "auth_user": user, "auth_ok": authorised, "content_type": content_type,
                  "body_size": len(body), "user_agent": self.headers.get("User-Agent", ""),
                  "fields": [], "files": [], "status": None, "error": None}
        with self.peer.lock:
            self.peer.requests.append(record)

        def finish(status: int, document, headers=None) -> None:
            record["status"] = status
            self.answer(status, document, headers)

        if endpoint == "messages":
            try:
                record["fields"], record["files"] = self.parse_form(content_type, body)
            except (MultipartError, UnicodeDecodeError) as error:
                record["error"] = str(error)
                finish(400, {"message": f"Malformed request body: {error}"})
                return

        behaviour = self.peer.take_behaviour(endpoint)
        if behaviour is not None:
            if behaviour["delay"] > 0:
                time.sleep(behaviour["delay"])
            status = behaviour["status"]
            if status == 0:
                record["status"] = 0
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if status != 200:
                headers = {"Retry-After": behaviour["retry_after"]} if behaviour["retry_after"] else None
                document = "Forbidden" if status in (401, 403) else {"message": self.canned(status)}
                finish(status, document, headers)
                return

        if not authorised:
            finish(401, "Forbidden")
            return
        if domain not in self.peer.domains:
            finish(404, {"message": f"Domain not found: {domain}"})
            return
        if endpoint == "domains":
            finish(200, {"domain": {"name": domain, "state": "active", "type": "custom",
                                    "created_at": "Sun, 22 Nov 2026 00:00:00 GMT"},
                         "receiving_dns_records": [], "sending_dns_records": []})
            return
        names = {name for name, _ in record["fields"]}
        for required in ("from", "to", "subject"):
            if required not in names:
                finish(400, {"message": f"'{required}' parameter is missing"})
                return
        if not names & {"text", "html", "amp-html", "template"}:
            finish(400, {"message": "Need at least one of 'text', 'html', 'amp-html' or 'template' parameters specified"})
            return
        finish(200, {"id": self.peer.next_id(domain), "message": "Queued. Thank you."})

    @staticmethod
    def canned(status: int) -> str:
        return {400: "Forced bad request", 404: "Domain not found", 429: "Too Many Requests",
                500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}.get(
                    status, f"Forced status {status}")

    @staticmethod
    def parse_form(content_type: str, body: bytes) -> tuple[list[list[str]], list[list]]:
        kind, params = header_params(content_type)
        if kind == "multipart/form-data":
            if not params.get("boundary"):
                raise MultipartError("multipart/form-data without a boundary")
            return parse_multipart(body, params["boundary"])
        if kind == "application/x-www-form-urlencoded":
            pairs = urllib.parse.parse_qsl(body.decode("ascii"), keep_blank_values=True,
                                           strict_parsing=bool(body), encoding="utf-8", errors="strict")
            return [[name, value] for name, value in pairs], []
        raise MultipartError(f"unsupported Content-Type {content_type!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--domain", action="append", required=True)
    parser.add_argument("--port", type=int, default=0)
    arguments = parser.parse_args()
    api_key = os.environ.get("MAILGUN_PEER_API_KEY")
    if not api_key:
        sys.exit("MAILGUN_PEER_API_KEY is not set")
    Handler.peer = Peer(arguments.domain, api_key)
    server = ThreadingHTTPServer(("127.0.0.1", arguments.port), Handler)
    server.daemon_threads = True
    print(json.dumps({"port": server.server_address[1]}), flush=True)

    def watch_stdin() -> None:
        sys.stdin.buffer.read()
        os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
