"""Parses Mermaid files with the real Mermaid parser (mermaidx: mermaid 11 in QuickJS).

Usage: diagram_mermaid_check.py FILE.mmd [FILE.mmd ...] [--png FILE.mmd=OUT.png ...]
Prints one JSON line per file: {"file": ..., "ok": true} or {"file": ..., "ok": false,
"error": "Parse error on line N: ..."}; exits 1 if any file failed. One process checks many
files, so the interpreter and QuickJS start once.
"""
import json
import sys

import mermaidx


def main(arguments):
    files, pngs = [], {}
    index = 0
    while index < len(arguments):
        if arguments[index] == "--png":
            source, output = arguments[index + 1].split("=", 1)
            pngs[source] = output
            index += 2
        else:
            files.append(arguments[index])
            index += 1
    failed = False
    for path in files:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        try:
            diagram = mermaidx.render(text)
            # render() is lazy: parsing (and any parse error) happens on the first svg().
            svg = diagram.svg()
            if "<svg" not in svg:
                raise RuntimeError("mermaid produced no SVG: " + svg[:200])
            # Some failures come back as an SVG that only shows the error.
            for marker in ("Maximum text size in diagram exceeded", "Syntax error in text"):
                if marker in svg:
                    raise RuntimeError("mermaid drew an error diagram: " + marker)
            if path in pngs:
                diagram.save(pngs[path])
            print(json.dumps({"file": path, "ok": True}), flush=True)
        except Exception as error:  # the parser reports every problem as an exception
            failed = True
            print(json.dumps({"file": path, "ok": False, "error": str(error)}), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
