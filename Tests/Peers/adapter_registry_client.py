#!/usr/bin/env python3
"""An independent AdapterRegistry client for caphost's tests (grpcio + grpcio-tools).

It generates its Python stubs from the .proto it is given, with grpc_tools.protoc,
into a private temporary folder, so it speaks exactly what the .proto says and
shares no code with the server. --package rewrites the .proto's package line
first (the package is part of every method's path).

Reads a JSON list of calls on stdin:
    [{"method": "ListAdapters", "request": {"domain": "adapter"}}, ...]
A call may carry "authorization": "VALUE" (sent as that metadata) or null (sent
without it) to override the options below.
and prints one JSON object on stdout:
    {"package": "...", "results": [{"method": ..., "code": "OK" | "NOT_FOUND" | ...,
                                    "details": "...", "response": {...} | null}, ...]}
Fields of responses are printed with their proto names and their default values;
int64 fields are JSON numbers.

Options:
    --port N                 the server's port on 127.0.0.1 (required)
    --proto FILE             adapter_registry.proto (required)
    --package NAME           serve under this package instead of the file's own
    --token TOKEN            send the metadata 'authorization: Bearer TOKEN'
    --authorization VALUE    send this exact 'authorization' value instead
    --tls-ca FILE            speak TLS, trusting this PEM certificate
    --tls-server-name NAME   the name to verify the server certificate against
    --tls-client-cert FILE   with --tls-client-key: present this PEM certificate (mutual TLS)
    --tls-client-key FILE    the client certificate's PEM private key
"""

import argparse
import json
import sys
import tempfile

import grpc

from registry_stubs import generate_stubs, to_json

CALL_TIMEOUT_SECONDS = 10


REQUEST_TYPES = {
    "ListAdapters": "ListRequest",
    "GetAdapter": "GetRequest",
    "HealthCheck": "HealthCheckRequest",
    "Heartbeat": "HeartbeatRequest",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--proto", required=True)
    parser.add_argument("--package")
    parser.add_argument("--token")
    parser.add_argument("--authorization")
    parser.add_argument("--tls-ca")
    parser.add_argument("--tls-server-name")
    parser.add_argument("--tls-client-cert")
    parser.add_argument("--tls-client-key")
    options = parser.parse_args()

    calls = json.load(sys.stdin)
    authorization = options.authorization
    if authorization is None and options.token is not None:
        authorization = f"Bearer {options.token}"

    with tempfile.TemporaryDirectory(prefix="adapter-registry-client-") as workdir:
        messages, services, package = generate_stubs(options.proto, options.package, workdir)
        target = f"127.0.0.1:{options.port}"
        if options.tls_ca:
            with open(options.tls_ca, "rb") as ca:
                root = ca.read()
            client_key = client_chain = None
            if options.tls_client_cert:
                with open(options.tls_client_cert, "rb") as chain, open(options.tls_client_key, "rb") as key:
                    client_chain, client_key = chain.read(), key.read()
            credentials = grpc.ssl_channel_credentials(root_certificates=root, private_key=client_key,
                                                       certificate_chain=client_chain)
            channel_options = []
            if options.tls_server_name:
                channel_options.append(("grpc.ssl_target_name_override", options.tls_server_name))
            channel = grpc.secure_channel(target, credentials, options=channel_options)
        else:
            channel = grpc.insecure_channel(target)
        results = []
        with channel:
            stub = services.AdapterRegistryStub(channel)
            for call in calls:
                method = call["method"]
                request = getattr(messages, REQUEST_TYPES[method])(**call.get("request", {}))
                value = call["authorization"] if "authorization" in call else authorization
                metadata = [("authorization", value)] if value is not None else []
                entry = {"method": method}
                try:
                    response = getattr(stub, method)(request, metadata=metadata, timeout=CALL_TIMEOUT_SECONDS)
                    entry.update(code="OK", details="", response=to_json(response))
                except grpc.RpcError as error:
                    entry.update(code=error.code().name, details=error.details() or "", response=None)
                results.append(entry)
    json.dump({"package": package, "results": results}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
