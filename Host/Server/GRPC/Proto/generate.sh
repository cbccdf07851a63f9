#!/usr/bin/env bash
# Regenerates Host/Server/GRPC/adapter_registry.pb.swift from adapter_registry.proto.
# Run it only when the .proto changes, and commit the result: building the plugin
# takes about ten minutes on two cores, so the build never runs protoc.
#
# Usage: generate.sh PATH/TO/protoc-gen-swift
#   protoc:            Debian's protobuf-compiler (`apt-get install protobuf-compiler`).
#   protoc-gen-swift:  built outside the repository from the swift-protobuf version the
#                      package depends on, e.g.
#                        git clone https://github.com/apple/swift-protobuf /tmp/swift-protobuf
#                        git -C /tmp/swift-protobuf checkout 1.39.0
#                        (cd /tmp/swift-protobuf && swift build -c release --product protoc-gen-swift)
#                        generate.sh /tmp/swift-protobuf/.build/release/protoc-gen-swift
set -euo pipefail
plugin="${1:?usage: generate.sh PATH/TO/protoc-gen-swift}"
[[ -x "$plugin" ]] || { echo "generate.sh: $plugin is not an executable protoc-gen-swift" >&2; exit 2; }
proto_dir="$(cd "$(dirname "$0")" && pwd)"
out_dir="$(dirname "$proto_dir")"
# Internal visibility: the messages are the wire format, not CapHostGRPC's Swift API.
protoc --plugin=protoc-gen-swift="$plugin" \
    --proto_path="$proto_dir" \
    --swift_opt=Visibility=Internal \
    --swift_opt=FileNaming=DropPath \
    --swift_out="$out_dir" \
    "$proto_dir/adapter_registry.proto"
echo "wrote $out_dir/adapter_registry.pb.swift"
