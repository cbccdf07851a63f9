#!/usr/bin/env bash
# Regenerates Plugins/OneiricWire/adapter_registry.pb.swift from adapter_registry.proto.
# Run it only when the .proto changes, and commit the result: building the plugin
# takes minutes on two cores, so the build never runs protoc.
#
# Usage: generate.sh PATH/TO/protoc-gen-swift
#   protoc:            Debian's protobuf-compiler (`apt-get install protobuf-compiler`).
#   protoc-gen-swift:  swift-protobuf's generator, from the version the package depends on;
#                      the package can build it from its own dependency:
#                        swift build --product protoc-gen-swift
#                        generate.sh "$(swift build --show-bin-path)/protoc-gen-swift"
set -euo pipefail
plugin="${1:?usage: generate.sh PATH/TO/protoc-gen-swift}"
[[ -x "$plugin" ]] || { echo "generate.sh: $plugin is not an executable protoc-gen-swift" >&2; exit 2; }
proto_dir="$(cd "$(dirname "$0")" && pwd)"
out_dir="$(dirname "$proto_dir")"
# Public: the messages are OneiricWire's API, shared by the host's registry server and
# the Oneiric client plugin.
protoc --plugin=protoc-gen-swift="$plugin" \
    --proto_path="$proto_dir" \
    --swift_opt=Visibility=Public \
    --swift_opt=FileNaming=DropPath \
    --swift_out="$out_dir" \
    "$proto_dir/adapter_registry.proto"
echo "wrote $out_dir/adapter_registry.pb.swift"
