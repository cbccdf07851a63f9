#!/usr/bin/env python3
"""Reads a UniFi controller with aiounifi (Home Assistant's client), the independent side of the UniFi tests.

Logs in the way aiounifi does (probe `GET /` to tell UniFi OS from classic, then `/api/login` or
`/api/auth/login` with the CSRF header), loads `stat/device` through `controller.devices.update()`
and prints ONE JSON document built from aiounifi's own device objects:

    {"unifi_os": bool,
     "devices": [{"mac", "name", "state" (int), "uptime", "type", "model"}, ...],
     "gateway": {"mac", "wan1": {"up", "ip", "rx_bytes-r", "tx_bytes-r"}, "wan2": {...} | null,
                 "uplink": {"latency", "xput_down", "xput_up", "rx_bytes-r", "tx_bytes-r"}} | null}

aiounifi has no typed accessors for wan1/wan2, so those come from the device's `raw` dict — the
payload as aiounifi parsed and stored it. Exits 1 with the error on stderr on failure.

Usage:  unifi_aiounifi_read.py --port N --site default --username U --password P --ca cert.pem
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import ssl
import sys

import aiohttp
from aiounifi import Controller
from aiounifi.models.configuration import Configuration

GATEWAY_TYPES = ("ugw", "udm", "uxg")
WAN_FIELDS = ("up", "ip", "rx_bytes-r", "tx_bytes-r")
UPLINK_FIELDS = ("latency", "xput_down", "xput_up", "rx_bytes-r", "tx_bytes-r")


def pick(record: dict | None, fields: tuple[str, ...]) -> dict | None:
    if record is None:
        return None
    return {field: record.get(field) for field in fields}


async def read(arguments: argparse.Namespace) -> dict:
    context = ssl.create_default_context(cafile=arguments.ca)  # trusts only the given CA/cert
    # unsafe=True: aiohttp's default cookie jar drops cookies set by an IP-address host (Home
    # Assistant opens its UniFi session the same way).
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        controller = Controller(Configuration(
            session, "127.0.0.1", username=arguments.username, password=arguments.password,
            port=arguments.port, site=arguments.site, ssl_context=context))
        await asyncio.wait_for(controller.login(), arguments.timeout)
        await asyncio.wait_for(controller.devices.update(), arguments.timeout)
        devices = [controller.devices[mac] for mac in controller.devices]
        gateway = next((device for device in devices if device.type in GATEWAY_TYPES), None)
        return {
            "unifi_os": controller.connectivity.is_unifi_os,
            "devices": [{"mac": device.mac, "name": device.name, "state": int(device.state),
                         "uptime": device.uptime, "type": device.type, "model": device.model}
                        for device in devices],
            "gateway": None if gateway is None else {
                "mac": gateway.mac,
                "wan1": pick(gateway.raw.get("wan1"), WAN_FIELDS),
                "wan2": pick(gateway.raw.get("wan2"), WAN_FIELDS),
                "uplink": pick(gateway.uplink, UPLINK_FIELDS),
            },
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--site", default="default")
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--ca", required=True, help="PEM file of the only certificate (or CA) to trust")
    parser.add_argument("--timeout", type=float, default=30)
    arguments = parser.parse_args()
    # aiounifi warns "Using SSL context …" on every run; keep stderr for real errors.
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    try:
        document = asyncio.run(read(arguments))
    except Exception as error:  # noqa: BLE001 — every failure is reported the same way
        print(f"aiounifi: {type(error).__module__}.{type(error).__name__}: {str(error) or repr(error)}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(document))


if __name__ == "__main__":
    main()
