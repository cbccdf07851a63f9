#!/usr/bin/env bash
# Builds the `elf` target's seeds into FOLDER from Tests/Fixtures/Plugins/noop.c (plugins are
# built from source, never committed): a stripped plugin as cc links it, the same with its
# segments packed at 32-byte alignment (one R+X and one RW LOAD, no page padding), and the
# first 64 bytes alone (an ELF header whose program headers lie past the end of the file).
#
#   Tests/Fuzz/build-elf-seeds.sh FOLDER
set -euo pipefail
folder="${1:?usage: build-elf-seeds.sh FOLDER}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
mkdir -p "$folder"
compile=(cc -std=c11 -O2 -shared -fPIC -pthread -s -I "$root/PluginABI/include")
"${compile[@]}" -o "$folder/noop.so" "$root/Tests/Fixtures/Plugins/noop.c"
"${compile[@]}" -Wl,-z,noseparate-code -Wl,-z,max-page-size=0x20 -Wl,-z,common-page-size=0x20 \
  -o "$folder/noop-packed-segments.so" "$root/Tests/Fixtures/Plugins/noop.c"
head -c 64 "$folder/noop.so" > "$folder/noop-header-only.so"
