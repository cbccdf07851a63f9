#!/usr/bin/env python3
"""An independent AdapterRegistry server for caphost's tests (grpcio + grpcio-tools + PyJWT).

It generates its stubs from the project's .proto at start-up (registry_stubs.py) and keeps
adapter records in memory, as a registry that stores what hosts announce would. It shares no
code with caphost: the Oneiric client plugin is tested against it and against caphost's own
(read-only) registry.

Prints "READY <port>" on stdout once serving; stops on SIGTERM.

Options:
    --proto FILE             adapter_registry.proto (required)
    --port N                 port on 127.0.0.1 (0: a free one, printed)
    --package NAME           serve under this package instead of the file's own
    --tls-cert FILE          with --tls-key: speak TLS with this PEM certificate
    --tls-key FILE
    --client-ca FILE         mutual TLS: require a client certificate signed by this PEM authority
    --token T                accept 'authorization: Bearer T'
    --jwt-secret-env VAR     accept HS256 JWTs signed with the secret in $VAR ...
    --jwt-project P          ... whose 'project' claim is P (exp/nbf/iat with 10 s leeway)
    --seed FILE              a JSON list of AdapterEntry objects to start with
    --delay-ms N             sleep this long in every call (deadline tests)
"""

import argparse
import json
import os
import signal
import sys
import tempfile
import threading
import time
from concurrent import futures

import grpc
import jwt

from registry_stubs import generate_stubs

LEEWAY_SECONDS = 10


class Credentials(grpc.ServerInterceptor):
    """Refuses calls without 'authorization: Bearer <token or valid JWT>' as UNAUTHENTICATED, with the reason."""

    def __init__(self, token, jwt_secret, jwt_project):
        self.token = token
        self.jwt_secret = jwt_secret
        self.jwt_project = jwt_project

    def reason_to_refuse(self, metadata):
        value = dict(metadata).get("authorization")
        if value is None:
            return "missing 'authorization: Bearer <credential>' metadata"
        scheme, _, credential = value.partition(" ")
        if scheme.lower() != "bearer" or not credential:
            return "the 'authorization' metadata is not 'Bearer <credential>'"
        if self.token is not None and credential == self.token:
            return None
        if self.jwt_secret is None:
            return "wrong token"
        try:
            claims = jwt.decode(credential, self.jwt_secret, algorithms=["HS256"], leeway=LEEWAY_SECONDS,
                                options={"require": ["exp", "iat", "nbf"]})
        except jwt.ExpiredSignatureError:
            return "token expired"
        except jwt.ImmatureSignatureError:
            return "token not valid yet"
        except jwt.InvalidTokenError as error:
            return f"invalid token: {error}"
        if self.jwt_project is not None and claims.get("project") != self.jwt_project:
            return f"token is for project {claims.get('project')!r}, expected {self.jwt_project!r}"
        return None

    def intercept_service(self, continuation, details):
        reason = self.reason_to_refuse(details.invocation_metadata)
        if reason is None:
            return continuation(details)

        def refuse(request, context):
            context.abort(grpc.StatusCode.UNAUTHENTICATED, reason)

        return grpc.unary_unary_rpc_method_handler(refuse)


def make_servicer(messages, services, records, delay):
    """The AdapterRegistry over `records` (adapter_id → AdapterEntry), behind one lock."""
    lock = threading.Lock()

    def pause():
        if delay > 0:
            time.sleep(delay)

    def required_id(adapter_id, context):
        if not adapter_id:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "adapter_id is required")
        return adapter_id

    class Registry(services.AdapterRegistryServicer):
        def ListAdapters(self, request, context):
            pause()
            with lock:
                entries = [entry for _, entry in sorted(records.items())
                           if (not request.project or entry.project == request.project)
                           and (not request.domain or entry.domain == request.domain)
                           and (not request.category or entry.category == request.category)
                           and (not request.healthy_only or entry.health_status == "healthy")]
            return messages.ListResponse(adapters=entries)

        def GetAdapter(self, request, context):
            pause()
            adapter_id = required_id(request.adapter_id, context)
            with lock:
                entry = records.get(adapter_id)
            if entry is None:
                context.abort(grpc.StatusCode.NOT_FOUND, f"adapter '{adapter_id}' is not registered")
            return messages.GetResponse(adapter=entry)

        def HealthCheck(self, request, context):
            pause()
            adapter_id = required_id(request.adapter_id, context)
            with lock:
                entry = records.get(adapter_id)
            if entry is None:
                context.abort(grpc.StatusCode.NOT_FOUND, f"adapter '{adapter_id}' is not registered")
            return messages.HealthCheckResponse(healthy=entry.health_status == "healthy")

        def Heartbeat(self, request, context):
            pause()
            adapter_id = required_id(request.adapter_id, context)
            with lock:
                entry = records.get(adapter_id)
                if entry is not None:
                    entry.last_heartbeat = int(time.time())
            return messages.HeartbeatResponse(registered=entry is not None)

        def StoreAdapter(self, request, context):
            pause()
            entry = request.adapter
            adapter_id = required_id(entry.adapter_id, context)
            expected = f"{entry.domain}:{entry.category}:{entry.provider}"
            if adapter_id != expected:
                context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                              f"adapter_id '{adapter_id}' does not match domain:category:provider '{expected}'")
            with lock:
                created = adapter_id not in records
                stored = messages.AdapterEntry()
                stored.CopyFrom(entry)
                if not stored.registered_at:
                    stored.registered_at = int(time.time())
                if not stored.health_status:
                    stored.health_status = "unknown"
                records[adapter_id] = stored
            return messages.StoreResponse(adapter_id=adapter_id, created=created)

        def RemoveAdapter(self, request, context):
            pause()
            adapter_id = required_id(request.adapter_id, context)
            with lock:
                removed = records.pop(adapter_id, None) is not None
            return messages.RemoveResponse(removed=removed)

    return Registry()


def read_file(path):
    with open(path, "rb") as handle:
        return handle.read()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--proto", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--package")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--client-ca")
    parser.add_argument("--token")
    parser.add_argument("--jwt-secret-env")
    parser.add_argument("--jwt-project")
    parser.add_argument("--seed")
    parser.add_argument("--delay-ms", type=int, default=0)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="registry-server-") as workdir:
        messages, services, _ = generate_stubs(options.proto, options.package, workdir)
        records = {}
        if options.seed:
            with open(options.seed, encoding="utf-8") as handle:
                for item in json.load(handle):
                    entry = messages.AdapterEntry(**item)
                    records[entry.adapter_id] = entry

        jwt_secret = None
        if options.jwt_secret_env:
            jwt_secret = os.environ.get(options.jwt_secret_env)
            if not jwt_secret:
                raise SystemExit(f"--jwt-secret-env {options.jwt_secret_env}: the variable is not set")
        interceptors = []
        if options.token is not None or jwt_secret is not None:
            interceptors.append(Credentials(options.token, jwt_secret, options.jwt_project))

        server = grpc.server(futures.ThreadPoolExecutor(max_workers=8), interceptors=interceptors)
        services.add_AdapterRegistryServicer_to_server(
            make_servicer(messages, services, records, options.delay_ms / 1000), server)
        address = f"127.0.0.1:{options.port}"
        if options.tls_cert:
            credentials = grpc.ssl_server_credentials(
                [(read_file(options.tls_key), read_file(options.tls_cert))],
                root_certificates=read_file(options.client_ca) if options.client_ca else None,
                require_client_auth=options.client_ca is not None)
            port = server.add_secure_port(address, credentials)
        else:
            port = server.add_insecure_port(address)
        if port == 0:
            raise SystemExit(f"cannot bind {address}")
        server.start()

        stopped = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        signal.signal(signal.SIGINT, lambda *_: stopped.set())
        print(f"READY {port}", flush=True)
        stopped.wait()
        server.stop(grace=1).wait()


if __name__ == "__main__":
    sys.exit(main())
