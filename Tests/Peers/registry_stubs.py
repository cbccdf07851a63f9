"""The AdapterRegistry's Python stubs, generated at run time from the project's .proto.

Shared by the independent client (adapter_registry_client.py) and the independent server
(registry_grpc_server.py): both speak exactly what the .proto says and share no code with
caphost.
"""

import importlib
import os
import re
import sys

from grpc_tools import protoc


def generate_stubs(proto_path, package, workdir):
    """Writes (a copy of) the .proto into workdir, compiles it there, and imports the stubs."""
    with open(proto_path, encoding="utf-8") as source:
        text = source.read()
    if package is not None:
        text, count = re.subn(r"^package\s+[\w.]+\s*;", f"package {package};", text, count=1, flags=re.M)
        if count != 1:
            raise SystemExit(f"{proto_path}: no 'package ...;' line to rewrite")
    name = os.path.basename(proto_path)
    with open(os.path.join(workdir, name), "w", encoding="utf-8") as copy:
        copy.write(text)
    status = protoc.main(["grpc_tools.protoc", f"-I{workdir}", f"--python_out={workdir}",
                          f"--grpc_python_out={workdir}", os.path.join(workdir, name)])
    if status != 0:
        raise SystemExit(f"grpc_tools.protoc failed on {proto_path} (exit {status})")
    sys.path.insert(0, workdir)
    stem = os.path.splitext(name)[0]
    messages = importlib.import_module(f"{stem}_pb2")
    services = importlib.import_module(f"{stem}_pb2_grpc")
    declared = messages.DESCRIPTOR.package
    return messages, services, declared


def to_json(message):
    """Every field by its proto name, defaults included; nested messages, lists and maps converted."""
    result = {}
    for field in message.DESCRIPTOR.fields:
        value = getattr(message, field.name)
        is_map = field.message_type is not None and field.message_type.GetOptions().map_entry
        if is_map:
            result[field.name] = dict(value)
        elif field.is_repeated:
            result[field.name] = [to_json(item) if field.message_type else item for item in value]
        elif field.message_type is not None:
            result[field.name] = to_json(value) if message.HasField(field.name) else None
        else:
            result[field.name] = value
    return result
