"""Parses .eml files with Python's standard `email` package (policy=default, the strict modern
parser) and prints what it read as one JSON document per file, in argument order:

  {"path", "defects": [...], "subject", "from", "to", "cc", "bcc" ([[name, address], ...]),
   "message_id", "date", "headers": {name: [values...]} (every header, decoded),
   "content_type", "text", "html", "parts": [{"content_type", "disposition", "filename",
   "content_id", "sha256", "size"}] (every leaf part that is a file)}

Used by the outbox tests: an independent reader of what the outbox wrote.
"""
import email
import email.policy
import hashlib
import json
import sys


def addresses(message, name):
    header = message[name]
    if header is None:
        return []
    return [[a.display_name, a.addr_spec] for a in header.addresses]


def read(path):
    with open(path, "rb") as handle:
        message = email.message_from_binary_file(handle, policy=email.policy.default)
    defects = [f"{type(d).__name__}: {d}" for d in message.defects]
    for part in message.walk():
        if part is not message:
            defects += [f"{part.get_content_type()}: {type(d).__name__}: {d}" for d in part.defects]
    headers = {}
    for name, value in message.items():
        headers.setdefault(name, []).append(str(value))
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    parts = []
    for part in message.walk():
        if part.is_multipart() or part.get_content_disposition() is None:
            continue
        payload = part.get_payload(decode=True) or b""
        parts.append({
            "content_type": part.get_content_type(),
            "disposition": part.get_content_disposition(),
            "filename": part.get_filename(),
            "content_id": part.get("Content-ID"),
            "sha256": hashlib.sha256(payload).hexdigest(),
            "size": len(payload),
        })
    return {
        "path": path,
        "defects": defects,
        "subject": message["Subject"],
        "from": addresses(message, "From"),
        "to": addresses(message, "To"),
        "cc": addresses(message, "Cc"),
        "bcc": addresses(message, "Bcc"),
        "message_id": message["Message-ID"],
        "date": message["Date"],
        "headers": headers,
        "content_type": message.get_content_type(),
        "text": text_part.get_content() if text_part is not None else None,
        "html": html_part.get_content() if html_part is not None else None,
        "parts": parts,
    }


print(json.dumps([read(path) for path in sys.argv[1:]], ensure_ascii=False))
