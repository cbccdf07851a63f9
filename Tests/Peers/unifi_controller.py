#!/usr/bin/env python3
"""A local UniFi Network controller for caphost's tests: HTTPS on 127.0.0.1, real captured payloads.

Independent of the plugin under test (standard library only). The data are the captured
payloads in Tests/Fixtures/unifi (aiounifi's and unpoller's fixtures, see SOURCES.txt):
`stat/health` (unpoller), `stat/device` (a USG `ugw` with `uplink`, `wan1`, `wan2`, an AP and a
switch), `stat/sta`, `stat/sysinfo` and `self/sites` (aiounifi). Every site has its own copy;
each device's `last_seen` is "now" at every answer unless a stale age is set.

Three kinds of controller (`--kind`):

classic      a self-hosted Network application (port 8443 in real life)
             GET /                        302 Location: /manage (what UniFi OS detection probes)
             POST /api/login              {"username","password","rememberMe"|"remember"} →
                                          200 + cookies `unifises` and `csrf_token`;
                                          wrong credentials 400 api.err.Invalid
             GET|POST /api/self/sites, /api/s/{site}/stat/{health,device,sta,sysinfo}
                                          need the `unifises` cookie, else 401 api.err.LoginRequired;
                                          an unknown site is 400 api.err.NoSiteContext
             POST /api/logout             ends the session
unifi-os     a console (UDM, UCG, Cloud Key Gen2+)
             GET /                        200, a small HTML page
             POST /api/auth/login         200 + the console's user record, cookie `TOKEN` (a JWT)
                                          and header `X-CSRF-Token`; wrong credentials 401
                                          AUTHENTICATION_FAILED_INVALID_CREDENTIALS
             /proxy/network/api/...       the classic data paths; need the TOKEN cookie (else 401
                                          api.err.LoginRequired) and the session's current CSRF
                                          token in `X-CSRF-Token` (else 403 api.err.InvalidCSRFToken).
                                          A real console checks CSRF on writes only; this one checks
                                          it on every request, so a client's handling of
                                          `X-Updated-CSRF-Token` is proven by reads.
             POST /api/auth/logout        ends the session
integration  a console with an API key (the official Integration API)
             /proxy/network/integration/v1/sites?offset=&limit=
             /proxy/network/integration/v1/sites/{siteId}/devices?offset=&limit=
             /proxy/network/integration/v1/sites/{siteId}/devices/{deviceId}/statistics/latest
                                          need `X-API-KEY` (else 401 UNAUTHORIZED); lists are
                                          {offset, limit, count, totalCount, data}, limit 25 by
                                          default, at most 200 (else 400 BAD_REQUEST); unknown ids
                                          404 NOT_FOUND. Site ids are uuid5(NAMESPACE_DNS, site
                                          name), device ids uuid5(NAMESPACE_DNS, mac).

Every answer but the HTML pages is `Content-Type: application/json`. Every request on the TLS
port is recorded as {"method", "path" (with query), "status", "cookie" (a session cookie —
`unifises` or `TOKEN` — was sent), "csrf" (the X-CSRF-Token sent, or null), "api_key_ok"
(null without an X-API-KEY header, else whether it matched)}.

Control API, plain HTTP on a second port (JSON bodies, 200 answers, 400 for a bad request):

    POST /_control/site {"site": "default", "health": {"www": {...}}, "gateway": {...},
                         "devices": {"<mac>": {...}}, "last_seen_age": seconds}
        deep-merges into the site's data: health.<subsystem> into that subsystem's record (a new
        record when there is none), gateway into the `ugw` device, devices.<mac> into that
        device. A null value removes the key (e.g. {"gateway": {"wan2": null}}).
        last_seen_age makes every device's last_seen now − age (0: fresh again).
    POST /_control/behaviour {"path_contains": "stat/health", "status": 429|500|200|0|null,
                              "count": n|null, "retry_after": "1"|null, "delay": s|null,
                              "body": "raw text"|null}
        the next n matching requests (all while count is null) sleep `delay` seconds, then answer
        `status` with `body` (else an error envelope of the path's dialect) and `Retry-After`.
        status null, or 200 without a body, only delays and then serves normally; status 0 closes
        the connection without an answer. Several behaviours may be active, first match wins.
        {"clear": true} removes them all.
    POST /_control/expire_sessions    every session issued so far is invalid (401 next time)
    POST /_control/rotate_csrf        (unifi-os) every session's next successful proxy answer
                                      carries `X-Updated-CSRF-Token: <new>`; from then on only
                                      the new token is accepted for that session
    GET  /_control/requests           the request log, oldest first
    GET  /_control/ids                {"sites": {name: uuid}, "devices": {mac: uuid}} (integration ids)
    POST /_control/reset              forget the log, the behaviours and the site overrides

Usage:  UNIFI_PEER_USERNAME=u UNIFI_PEER_PASSWORD=p unifi_controller.py --kind classic \\
            --cert cert.pem --key key.pem [--site default --site branch]
        UNIFI_PEER_API_KEY=k unifi_controller.py --kind integration --cert … --key …
Prints {"port": N, "control_port": M} as its first stdout line. Exits when stdin closes, so a
test process that dies never leaves it running.
"""

from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import http
import http.cookies
import json
import os
import secrets
import ssl
import sys
import threading
import time
import urllib.parse
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from peer_http import read_body

FIXTURES = Path(__file__).resolve().parent.parent / "Fixtures" / "unifi"
KINDS = ("classic", "unifi-os", "integration")
INTEGRATION_PREFIX = "/proxy/network/integration/v1"
STAT_ENDPOINTS = ("health", "device", "sta", "sysinfo")
DEFAULT_LIMIT, MAX_LIMIT = 25, 200
# Device `state` of the classic API → the Integration API's device state.
INTEGRATION_STATES = {0: "OFFLINE", 1: "ONLINE", 2: "PENDING_ADOPTION", 4: "UPDATING",
                      5: "GETTING_READY", 6: "CONNECTION_INTERRUPTED", 7: "ADOPTING",
                      8: "DELETING", 11: "ISOLATED"}
GATEWAY_TYPES = ("ugw", "udm", "uxg")
HTML_PAGE = (b"<!DOCTYPE html><html><head><title>UniFi</title></head>"
             b"<body><div id=\"root\"></div></body></html>")


def load_fixture(name: str):
    with open(FIXTURES / name, encoding="utf-8") as handle:
        return json.load(handle)


def deep_merge(target: dict, changes: dict) -> None:
    """Merges `changes` into `target`: dicts recursively, a None value deletes the key."""
    for key, value in changes.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            deep_merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def integration_id(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, name))


def iso8601(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_number(value):
    """UniFi sends load averages and percentages as strings ("0.03"); the Integration API as numbers."""
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


class SiteData:
    """One site's payloads, fresh from the fixtures, plus its overrides."""

    def __init__(self, record: dict) -> None:
        self.record = record
        self.health = load_fixture("unpoller_stat-health.json")["data"]
        self.devices = load_fixture("aiounifi_stat-device_usg3-ap-switch.json")["data"]
        self.clients = load_fixture("aiounifi_stat-sta_clients.json")["data"]
        self.sysinfo = load_fixture("aiounifi_stat-sysinfo.json")["data"]
        self.last_seen_age: float | None = None

    def gateway(self) -> dict | None:
        return next((device for device in self.devices if device.get("type") in GATEWAY_TYPES), None)

    def device(self, mac: str) -> dict | None:
        return next((device for device in self.devices if device.get("mac", "").lower() == mac.lower()), None)

    def devices_now(self) -> list[dict]:
        """The devices as answered now: `last_seen` is now − the stale age (0 when fresh)."""
        last_seen = int(time.time() - (self.last_seen_age or 0))
        answered = copy.deepcopy(self.devices)
        for device in answered:
            device["last_seen"] = last_seen
        return answered

    def stat(self, endpoint: str) -> list:
        if endpoint == "device":
            return self.devices_now()
        return copy.deepcopy({"health": self.health, "sta": self.clients, "sysinfo": self.sysinfo}[endpoint])

    def apply(self, spec: dict) -> None:
        """Applies a /_control/site document; raises ValueError (nothing changed) on a bad one."""
        for subsystem, changes in (spec.get("health") or {}).items():
            if not isinstance(changes, dict):
                raise ValueError(f"health.{subsystem} must be an object")
        gateway = self.gateway()
        if spec.get("gateway") is not None and gateway is None:
            raise ValueError("this site has no gateway device")
        for mac, changes in (spec.get("devices") or {}).items():
            if self.device(mac) is None:
                raise ValueError(f"no device with mac {mac} (have {[d.get('mac') for d in self.devices]})")
            if not isinstance(changes, dict):
                raise ValueError(f"devices.{mac} must be an object")
        for subsystem, changes in (spec.get("health") or {}).items():
            record = next((r for r in self.health if r.get("subsystem") == subsystem), None)
            if record is None:
                record = {"subsystem": subsystem}
                self.health.append(record)
            deep_merge(record, changes)
        if spec.get("gateway") is not None:
            deep_merge(gateway, spec["gateway"])
        for mac, changes in (spec.get("devices") or {}).items():
            deep_merge(self.device(mac), changes)
        if "last_seen_age" in spec:
            age = spec["last_seen_age"]
            self.last_seen_age = None if age in (None, 0) else float(age)


class Controller:
    """Shared state: sites, sessions, behaviours and the request log."""

    def __init__(self, kind: str, site_names: list[str], username: str, password: str, api_key: str) -> None:
        self.kind = kind
        self.site_names = site_names
        self.username = username
        self.password = password
        self.api_key = api_key
        self.lock = threading.Lock()
        self.login_response = load_fixture("aiounifi_unifios_login_response.json")
        self.sites = self.fresh_sites()
        # Session cookie value → {"csrf": current token or None, "pending": next token or None}.
        self.sessions: dict[str, dict] = {}
        self.behaviours: list[dict] = []
        self.requests: list[dict] = []

    def fresh_sites(self) -> dict[str, SiteData]:
        default = load_fixture("aiounifi_self-sites.json")["data"][0]
        sites: dict[str, SiteData] = {}
        for name in self.site_names:
            if name == default["name"]:
                record = copy.deepcopy(default)
            else:
                record = {key: value for key, value in default.items() if key != "attr_hidden_id"}
                record.update({"_id": hashlib.sha1(name.encode()).hexdigest()[:24], "name": name,
                               "desc": name.title(), "attr_no_delete": False})
            sites[name] = SiteData(record)
        return sites

    def take_behaviour(self, path: str) -> dict | None:
        with self.lock:
            for behaviour in self.behaviours:
                if behaviour["path_contains"] in path:
                    if behaviour["count"] is not None:
                        behaviour["count"] -= 1
                        if behaviour["count"] <= 0:
                            self.behaviours.remove(behaviour)
                    return dict(behaviour)
        return None

    def new_session(self, with_csrf: bool) -> tuple[str, str | None]:
        csrf = str(uuid.uuid4()) if with_csrf else None
        if self.kind == "unifi-os":
            now = int(time.time())
            header = {"alg": "HS256", "typ": "JWT"}
            claims = {"userId": self.login_response.get("unique_id", ""), "passwordRevision": 0,
                      "isRemembered": True, "csrfToken": csrf, "iat": now, "exp": now + 7200}
            encode = lambda part: base64.urlsafe_b64encode(part).rstrip(b"=").decode()  # noqa: E731
            compact = lambda document: json.dumps(document, separators=(",", ":")).encode()  # noqa: E731
            token = ".".join([encode(compact(header)), encode(compact(claims)),
                              encode(secrets.token_bytes(32))])
        else:
            token = secrets.token_hex(16)
        with self.lock:
            self.sessions[token] = {"csrf": csrf, "pending": None}
        return token, csrf


class QuietTLSServer(ThreadingHTTPServer):
    """Handshake failures (a client that rejects the certificate) are expected: one line, no trace."""

    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        error = sys.exc_info()[1]
        print(f"unifi peer: connection from {client_address}: {type(error).__name__}: {error}",
              file=sys.stderr, flush=True)


class JSONAnswering(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "unifi-peer/1.0"

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args) -> None:  # quiet: the test reads /_control/requests
        pass

    def read_body(self) -> bytes:
        return read_body(self)

    def send(self, status: int, body: bytes, content_type: str | None,
             headers: list[tuple[str, str]] | None = None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers or []:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class ControllerHandler(JSONAnswering):
    """The TLS port: what a UniFi client talks to."""

    controller: Controller

    def do_GET(self) -> None:
        self.handle_api()

    def do_HEAD(self) -> None:
        self.handle_api()

    def do_POST(self) -> None:
        self.handle_api()

    def do_PUT(self) -> None:
        self.handle_api()

    def do_DELETE(self) -> None:
        self.handle_api()

    # -- plumbing -------------------------------------------------------------------------

    def session_cookie(self) -> str | None:
        name = {"classic": "unifises", "unifi-os": "TOKEN"}.get(self.controller.kind)
        cookies = http.cookies.SimpleCookie()
        for header in self.headers.get_all("Cookie") or []:
            try:
                cookies.load(header)
            except http.cookies.CookieError:
                pass
        if name is None:
            morsel = cookies.get("unifises") or cookies.get("TOKEN")
        else:
            morsel = cookies.get(name)
        return morsel.value if morsel is not None else None

    def error_document(self, path: str, status: int) -> dict:
        """A canned error in the dialect of `path`: Integration API or the classic envelope."""
        phrase = http.HTTPStatus(status).phrase if status in http.HTTPStatus._value2member_map_ else f"Status {status}"
        if path.startswith(INTEGRATION_PREFIX):
            name = http.HTTPStatus(status).name if status in http.HTTPStatus._value2member_map_ else "ERROR"
            return {"statusCode": status, "statusName": name, "message": phrase}
        message = {401: "api.err.LoginRequired", 403: "api.err.NoPermission", 404: "api.err.NotFound",
                   429: "api.err.TooManyRequests", 500: "api.err.ServerError"}.get(
                       status, "api.err." + phrase.title().replace(" ", "").replace("-", ""))
        return {"meta": {"rc": "error", "msg": message}, "data": []}

    # -- the API --------------------------------------------------------------------------

    def handle_api(self) -> None:
        controller = self.controller
        body = self.read_body()
        target = self.path
        path = urllib.parse.urlsplit(target).path
        api_key = self.headers.get("X-API-KEY")
        record = {"method": self.command, "path": target, "status": None,
                  "cookie": self.session_cookie() is not None,
                  "csrf": self.headers.get("X-CSRF-Token"),
                  "api_key_ok": None if api_key is None else secrets.compare_digest(api_key, controller.api_key)}
        with controller.lock:
            controller.requests.append(record)

        def finish(status: int, document, headers: list[tuple[str, str]] | None = None) -> None:
            record["status"] = status
            if isinstance(document, bytes):
                self.send(status, document, "application/json", headers)
            else:
                self.send(status, json.dumps(document).encode(), "application/json", headers)

        behaviour = controller.take_behaviour(target)
        if behaviour is not None:
            if behaviour["delay"]:
                time.sleep(behaviour["delay"])
            status = behaviour["status"]
            if status == 0:
                record["status"] = 0
                self.close_connection = True
                try:
                    self.connection.shutdown(2)
                except OSError:
                    pass
                return
            if status is not None and not (status == 200 and behaviour["body"] is None):
                headers = [("Retry-After", behaviour["retry_after"])] if behaviour["retry_after"] else None
                document = (behaviour["body"].encode() if behaviour["body"] is not None
                            else self.error_document(path, status))
                finish(status, document, headers)
                return

        if path == "/" and self.command in ("GET", "HEAD"):
            if controller.kind == "classic":
                record["status"] = 302
                self.send(302, b"", None, [("Location", "/manage")])
            else:
                record["status"] = 200
                self.send(200, HTML_PAGE, "text/html; charset=utf-8")
            return
        if controller.kind == "classic":
            self.serve_classic(path, body, finish, record)
        elif controller.kind == "unifi-os":
            self.serve_unifi_os(path, body, finish)
        else:
            self.serve_integration(path, finish)

    def serve_classic(self, path: str, body: bytes, finish, record: dict) -> None:
        controller = self.controller
        if path == "/manage" and self.command == "GET":
            record["status"] = 302
            self.send(302, b"", None, [("Location", "/manage/account/login?redirect=%2Fmanage")])
            return
        if path == "/manage/account/login" and self.command == "GET":
            record["status"] = 200
            self.send(200, HTML_PAGE, "text/html; charset=utf-8")
            return
        if path == "/api/login" and self.command == "POST":
            credentials = self.credentials(body)
            if credentials is None:
                finish(400, {"meta": {"rc": "error", "msg": "api.err.InvalidPayload"}, "data": []})
            elif credentials != (controller.username, controller.password):
                finish(400, {"meta": {"rc": "error", "msg": "api.err.Invalid"}, "data": []})
            else:
                session, _ = controller.new_session(with_csrf=False)
                finish(200, {"meta": {"rc": "ok"}, "data": []}, [
                    ("Set-Cookie", f"unifises={session}; Path=/; Secure; HttpOnly"),
                    ("Set-Cookie", f"csrf_token={secrets.token_hex(16)}; Path=/; Secure")])
            return
        self.serve_network_api(path, path, finish, prefix="")

    def serve_unifi_os(self, path: str, body: bytes, finish) -> None:
        controller = self.controller
        if path == "/api/auth/login" and self.command == "POST":
            credentials = self.credentials(body)
            if credentials is None:
                finish(400, {"code": "BAD_REQUEST", "message": "Invalid request payload"})
            elif credentials != (controller.username, controller.password):
                finish(401, {"code": "AUTHENTICATION_FAILED_INVALID_CREDENTIALS",
                             "message": "Invalid username or password"})
            else:
                token, csrf = controller.new_session(with_csrf=True)
                finish(200, controller.login_response, [
                    ("Set-Cookie", f"TOKEN={token}; path=/; samesite=none; secure; httponly"),
                    ("X-CSRF-Token", csrf)])
            return
        if not path.startswith("/proxy/network/") and path != "/api/auth/logout":
            finish(404, {"error": {"code": 404, "message": "Not Found"}})
            return
        self.serve_network_api(path, path.removeprefix("/proxy/network"), finish, prefix="/proxy/network")

    def serve_network_api(self, full_path: str, path: str, finish, prefix: str) -> None:
        """The classic data API (with UniFi OS's session and CSRF checks when `prefix` is set)."""
        controller = self.controller
        login_required = {"meta": {"rc": "error", "msg": "api.err.LoginRequired"}, "data": []}
        token = self.session_cookie()
        with controller.lock:
            session = controller.sessions.get(token) if token is not None else None
        if session is None:
            finish(401, login_required)
            return
        updated_csrf: list[tuple[str, str]] = []
        if controller.kind == "unifi-os":
            sent = self.headers.get("X-CSRF-Token")
            with controller.lock:
                if sent is None or not secrets.compare_digest(sent, session["csrf"]):
                    session_csrf_ok = False
                else:
                    session_csrf_ok = True
            if not session_csrf_ok:
                finish(403, {"meta": {"rc": "error", "msg": "api.err.InvalidCSRFToken"}, "data": []})
                return

            def rotate_if_pending() -> None:
                with controller.lock:
                    if session["pending"] is not None:
                        session["csrf"], session["pending"] = session["pending"], None
                        updated_csrf.append(("X-Updated-CSRF-Token", session["csrf"]))
        else:
            def rotate_if_pending() -> None:
                pass

        if path in ("/api/logout", "/api/auth/logout") and self.command == "POST":
            with controller.lock:
                controller.sessions.pop(token, None)
            finish(200, {"meta": {"rc": "ok"}, "data": []})
            return
        if path == "/api/self/sites" and self.command in ("GET", "POST"):
            with controller.lock:
                data = [copy.deepcopy(site.record) for site in controller.sites.values()]
            rotate_if_pending()
            finish(200, {"meta": {"rc": "ok"}, "data": data}, updated_csrf)
            return
        parts = path.strip("/").split("/")
        if len(parts) >= 3 and parts[:2] == ["api", "s"]:
            with controller.lock:
                site = controller.sites.get(parts[2])
                if site is None:
                    document, status = {"meta": {"rc": "error", "msg": "api.err.NoSiteContext"}, "data": []}, 400
                elif (len(parts) == 5 and parts[3] == "stat" and parts[4] in STAT_ENDPOINTS
                      and self.command in ("GET", "POST")):
                    document, status = {"meta": {"rc": "ok"}, "data": site.stat(parts[4])}, 200
                else:
                    document, status = {"meta": {"rc": "error", "msg": "api.err.NotFound"}, "data": []}, 404
            if status == 200:
                rotate_if_pending()
            finish(status, document, updated_csrf)
            return
        finish(404, {"meta": {"rc": "error", "msg": "api.err.NotFound"}, "data": []})

    def serve_integration(self, path: str, finish) -> None:
        controller = self.controller

        def error(status: int, message: str) -> None:
            finish(status, {"statusCode": status, "statusName": http.HTTPStatus(status).name, "message": message})

        if not path.startswith(INTEGRATION_PREFIX + "/"):
            error(404, f"No endpoint {self.command} {path}")
            return
        api_key = self.headers.get("X-API-KEY")
        if api_key is None or not secrets.compare_digest(api_key, controller.api_key):
            finish(401, {"statusCode": 401, "statusName": "UNAUTHORIZED", "message": "Unauthorized"})
            return
        if self.command != "GET":
            error(405, f"Request method '{self.command}' is not supported")
            return
        parts = path[len(INTEGRATION_PREFIX) + 1:].strip("/").split("/")
        if parts[0] != "sites":
            error(404, f"No endpoint GET {path}")
            return
        with controller.lock:
            sites = {integration_id(name): site for name, site in controller.sites.items()}
            if len(parts) == 1:
                items = [{"id": identifier, "internalReference": site.record["name"], "name": site.record["desc"]}
                         for identifier, site in sites.items()]
                self.page(items, finish, error)
                return
            site = sites.get(parts[1])
            if site is None:
                error(404, f"Site with id '{parts[1]}' not found")
                return
            devices = site.devices_now()
        if len(parts) == 3 and parts[2] == "devices":
            self.page([self.integration_device(device) for device in devices], finish, error)
            return
        if len(parts) == 6 and parts[2] == "devices" and parts[4:] == ["statistics", "latest"]:
            device = next((d for d in devices if integration_id(d.get("mac", "").lower()) == parts[3]), None)
            if device is None:
                error(404, f"Device with id '{parts[3]}' not found")
                return
            finish(200, self.integration_statistics(device))
            return
        if len(parts) == 4 and parts[2] == "devices":
            device = next((d for d in devices if integration_id(d.get("mac", "").lower()) == parts[3]), None)
            if device is None:
                error(404, f"Device with id '{parts[3]}' not found")
                return
            finish(200, self.integration_device(device))
            return
        error(404, f"No endpoint GET {path}")

    def page(self, items: list[dict], finish, error) -> None:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query, keep_blank_values=True)
        try:
            offset = int(query.get("offset", ["0"])[0] or 0)
            limit = int(query.get("limit", [str(DEFAULT_LIMIT)])[0] or DEFAULT_LIMIT)
        except ValueError:
            error(400, "offset and limit must be integers")
            return
        if offset < 0:
            error(400, f"offset must be at least 0, got {offset}")
            return
        if limit < 0 or limit > MAX_LIMIT:
            error(400, f"limit must be between 0 and {MAX_LIMIT}, got {limit}")
            return
        data = items[offset:offset + limit]
        finish(200, {"offset": offset, "limit": limit, "count": len(data), "totalCount": len(items), "data": data})

    @staticmethod
    def integration_device(device: dict) -> dict:
        kind = device.get("type")
        is_access_point = kind == "uap"
        return {"id": integration_id(device.get("mac", "").lower()), "name": device.get("name", ""),
                "model": device.get("model", ""), "macAddress": device.get("mac", ""),
                "ipAddress": device.get("ip", ""),
                "state": INTEGRATION_STATES.get(device.get("state"), "UNKNOWN"),
                "features": ["accessPoint"] if is_access_point else ["switching"],
                "interfaces": ["ports", "radios"] if is_access_point else ["ports"]}

    @staticmethod
    def integration_statistics(device: dict) -> dict:
        last_seen = device.get("last_seen") or int(time.time())
        load = device.get("sys_stats") or {}
        system = device.get("system-stats") or {}
        statistics = {"uptimeSec": device.get("uptime", 0), "lastHeartbeatAt": iso8601(last_seen),
                      "nextHeartbeatAt": iso8601(last_seen + 10)}
        for key, source in (("loadAverage1Min", "loadavg_1"), ("loadAverage5Min", "loadavg_5"),
                            ("loadAverage15Min", "loadavg_15")):
            if as_number(load.get(source)) is not None:
                statistics[key] = as_number(load.get(source))
        for key, source in (("cpuUtilizationPct", "cpu"), ("memoryUtilizationPct", "mem")):
            if as_number(system.get(source)) is not None:
                statistics[key] = as_number(system.get(source))
        uplink = device.get("uplink") or {}
        statistics["uplink"] = {"txRateBps": int((uplink.get("tx_bytes-r") or 0) * 8),
                                "rxRateBps": int((uplink.get("rx_bytes-r") or 0) * 8)}
        return statistics

    @staticmethod
    def credentials(body: bytes) -> tuple[str, str] | None:
        try:
            document = json.loads(body or b"null")
        except ValueError:
            return None
        if not isinstance(document, dict):
            return None
        return document.get("username"), document.get("password")


class ControlHandler(JSONAnswering):
    """The plain-HTTP control port: what the test talks to."""

    controller: Controller

    def answer(self, status: int, document) -> None:
        self.send(status, json.dumps(document).encode(), "application/json")

    def do_GET(self) -> None:
        controller = self.controller
        path = urllib.parse.urlsplit(self.path).path
        if path == "/_control/requests":
            with controller.lock:
                self.answer(200, [dict(record) for record in controller.requests])
        elif path == "/_control/ids":
            with controller.lock:
                macs = sorted({d.get("mac", "").lower() for site in controller.sites.values() for d in site.devices})
                self.answer(200, {"sites": {name: integration_id(name) for name in controller.sites},
                                  "devices": {mac: integration_id(mac) for mac in macs}})
        else:
            self.answer(404, {"error": f"no control endpoint GET {path}"})

    def do_POST(self) -> None:
        controller = self.controller
        path = urllib.parse.urlsplit(self.path).path
        try:
            spec = json.loads(self.read_body() or b"{}")
            if not isinstance(spec, dict):
                raise ValueError("the body must be a JSON object")
        except ValueError as error:
            self.answer(400, {"error": f"bad JSON: {error}"})
            return
        try:
            if path == "/_control/site":
                name = spec.get("site", "default")
                with controller.lock:
                    site = controller.sites.get(name)
                    if site is None:
                        raise ValueError(f"no site {name!r} (have {list(controller.sites)})")
                    site.apply(spec)
                self.answer(200, {"site": name})
            elif path == "/_control/behaviour":
                self.answer(200, self.set_behaviour(spec))
            elif path == "/_control/expire_sessions":
                with controller.lock:
                    expired = len(controller.sessions)
                    controller.sessions.clear()
                self.answer(200, {"expired": expired})
            elif path == "/_control/rotate_csrf":
                with controller.lock:
                    for session in controller.sessions.values():
                        if session["csrf"] is not None:
                            session["pending"] = str(uuid.uuid4())
                    rotating = sum(1 for session in controller.sessions.values() if session["pending"])
                self.answer(200, {"rotating": rotating})
            elif path == "/_control/reset":
                with controller.lock:
                    controller.requests.clear()
                    controller.behaviours.clear()
                    controller.sites = controller.fresh_sites()
                self.answer(200, {"reset": True})
            else:
                self.answer(404, {"error": f"no control endpoint POST {path}"})
        except (ValueError, TypeError) as error:
            self.answer(400, {"error": str(error)})

    def set_behaviour(self, spec: dict) -> dict:
        controller = self.controller
        if spec.get("clear"):
            with controller.lock:
                controller.behaviours.clear()
            return {"cleared": True}
        status, count, delay, body = spec.get("status"), spec.get("count"), spec.get("delay"), spec.get("body")
        if not isinstance(spec.get("path_contains"), str):
            raise ValueError("path_contains must be a string")
        if status is not None and (not isinstance(status, int) or isinstance(status, bool)):
            raise ValueError("status must be an integer or null")
        if count is not None and (not isinstance(count, int) or count < 1):
            raise ValueError("count must be a positive integer or null")
        if delay is not None and (not isinstance(delay, (int, float)) or delay < 0):
            raise ValueError("delay must be a non-negative number or null")
        if body is not None and not isinstance(body, str):
            raise ValueError("body must be a string or null")
        if status is None and not delay:
            raise ValueError("a behaviour needs a status or a delay")
        behaviour = {"path_contains": spec["path_contains"], "status": status, "count": count,
                     "retry_after": None if spec.get("retry_after") is None else str(spec["retry_after"]),
                     "delay": float(delay or 0), "body": body}
        with controller.lock:
            controller.behaviours.append(behaviour)
            active = len(controller.behaviours)
        return {"behaviour": behaviour, "active": active}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kind", choices=KINDS, required=True)
    parser.add_argument("--cert", required=True, help="PEM certificate the HTTPS port presents")
    parser.add_argument("--key", required=True, help="PEM private key of --cert")
    parser.add_argument("--site", action="append", help="a site name (repeatable; default: default)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--control-port", type=int, default=0)
    arguments = parser.parse_args()
    username = os.environ.get("UNIFI_PEER_USERNAME", "")
    password = os.environ.get("UNIFI_PEER_PASSWORD", "")
    api_key = os.environ.get("UNIFI_PEER_API_KEY", "")
    if arguments.kind == "integration" and not api_key:
        sys.exit("UNIFI_PEER_API_KEY is not set (the integration kind needs it)")
    if arguments.kind != "integration" and not (username and password):
        sys.exit("UNIFI_PEER_USERNAME and UNIFI_PEER_PASSWORD are not set")
    sites = list(dict.fromkeys(arguments.site or ["default"]))
    controller = Controller(arguments.kind, sites, username, password, api_key)
    ControllerHandler.controller = controller
    ControlHandler.controller = controller

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(arguments.cert, arguments.key)
    server = QuietTLSServer(("127.0.0.1", arguments.port), ControllerHandler)
    # The handshake happens on the handler's thread at its first read, not in accept(): a client
    # that stalls or rejects the certificate never blocks the accept loop.
    server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    control = ThreadingHTTPServer(("127.0.0.1", arguments.control_port), ControlHandler)
    control.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    threading.Thread(target=control.serve_forever, daemon=True).start()
    print(json.dumps({"port": server.server_address[1], "control_port": control.server_address[1]}), flush=True)
    sys.stdin.buffer.read()
    os._exit(0)


if __name__ == "__main__":
    main()
