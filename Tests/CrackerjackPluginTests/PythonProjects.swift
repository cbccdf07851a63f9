import CapHostTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The small Python projects the tests hand to the real crackerjack. Each package folder is
/// named after the project, as crackerjack expects (refurb is run on `./NAME`).
enum PythonProjects {
    /// Writes `files` (relative path → text) under `root/name` and returns the project's path.
    static func write(_ name: String, in root: String, _ files: [String: String]) throws -> String {
        let project = root + "/" + name
        for (path, text) in files {
            let file = project + "/" + path
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: file, atomically: false, encoding: .utf8)
        }
        return project
    }

    static func pyproject(_ name: String, extra: String = "") -> String {
        """
        \(extra)[project]
        name = "\(name)"
        version = "0.1.0"
        requires-python = ">=3.13"
        dependencies = []

        """
    }

    /// Nothing for ruff to say.
    static func clean(in root: String) throws -> String {
        try write("clean", in: root, [
            "pyproject.toml": pyproject("clean"),
            "clean/__init__.py": "\"\"\"A clean package.\"\"\"\n\n\ndef add(left: int, right: int) -> int:\n    \"\"\"Return the sum.\"\"\"\n    return left + right\n",
        ])
    }

    /// ruff: F401 (`os` unused, line 1) and F821 (`reduce` undefined, line 5) in
    /// `dirty/__init__.py`; refurb: FURB118 (the lambda, line 5). `ruff --fix` would delete the
    /// import: the original must keep it. Plus a symlink inside the project and one leaving it.
    static func dirty(in root: String) throws -> String {
        let project = try write("dirty", in: root, [
            "pyproject.toml": pyproject("dirty"),
            "dirty/__init__.py": "import os\n\n\ndef add(values):\n    return reduce(lambda a, b: a + b, values)\n",
            "dirty/util.py": "import sys\nimport json\n\n\ndef first(items):\n    return items[0]\n",
            "README.md": "# dirty\n",
        ])
        symlink("README.md", project + "/README.link.md")
        symlink("/etc/hostname", project + "/outside.txt")
        return project
    }

    /// `uv lock` (crackerjack's `uv-lock` hook) must build this project's metadata, and its
    /// in-tree build backend sleeps for an hour on import: the hook hangs.
    static func hanging(in root: String) throws -> String {
        try write("hang", in: root, [
            "pyproject.toml": """
                [build-system]
                requires = []
                build-backend = "hang_backend"
                backend-path = ["."]

                [project]
                name = "hang"
                version = "0.1.0"
                requires-python = ">=3.13"
                dynamic = ["dependencies"]

                """,
            "hang_backend.py": "import time\n\ntime.sleep(3600)\n",
            "hang/__init__.py": "VALUE = 1\n",
        ])
    }
}

/// Processes seen through /proc: which are left of a process group, or hold a folder.
enum ProcessTable {
    /// Pids whose process group is `group`.
    static func members(ofGroup group: Int32) -> [Int32] {
        pids().filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            // Fields after "(comm)": state ppid pgrp ...
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[2]) == group
        }
    }

    /// Pids whose command line or working directory mentions `path`.
    static func using(_ path: String) -> [Int32] {
        pids().filter { pid in
            if let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd"), cwd.hasPrefix(path) { return true }
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).contains(path)
        }
    }

    private static func pids() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }.filter { $0 != getpid() }
    }
}
