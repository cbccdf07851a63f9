#!/usr/bin/env bash
# Builds caphost and every plugin, installs the built plugins into plugins.d/,
# and starts the host on them (embedded defaults: state in .caphost/).
set -euo pipefail
cd "$(dirname "$0")/../.."

swift build
bin=$(swift build --show-bin-path)
install -m 0755 "$bin/libEchoSwiftPlugin.so" plugins.d/libecho_swift.so
install -m 0755 "$bin/libDiagramPlugin.so" plugins.d/libdiagram.so
install -m 0755 "$bin/libMailgunPlugin.so" plugins.d/libmailgun.so
install -m 0755 "$bin/libOutboxPlugin.so" plugins.d/liboutbox.so
install -m 0755 "$bin/libOneiricPlugin.so" plugins.d/liboneiric.so
install -m 0755 "$bin/libLocalMemoryPlugin.so" plugins.d/liblocal_memory.so
install -m 0755 "$bin/libSessionBuddyPlugin.so" plugins.d/libsession_buddy.so
install -m 0755 "$bin/libCrackerjackPlugin.so" plugins.d/libcrackerjack.so
install -m 0755 "$bin/libQualityLoopPlugin.so" plugins.d/libquality_loop.so
install -m 0755 "$bin/libUniFiPlugin.so" plugins.d/libunifi.so
cc -std=c11 -O2 -Wall -shared -fPIC -IPluginABI/include -o plugins.d/libecho_c.so Plugins/Examples/EchoC/echo_plugin.c
chmod 0755 plugins.d/libecho_c.so
chmod go-w plugins.d
exec "$bin/caphost" serve --plugins-dir plugins.d --state-dir .caphost "$@"
