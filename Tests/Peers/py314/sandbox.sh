#!/usr/bin/env bash
# The Python >= 3.14 peer sandbox: a Debian sid chroot holding the real oneiric, crackerjack
# and session-buddy, each in its own venv (REFERENCE.md §3). Debian bookworm has no
# Python 3.14; sid does.
#
#   sandbox.sh build                      build it once per machine (idempotent, ~3.5 min)
#   sandbox.sh run oneiric-mcp --port P --home DIR
#                                         oneiric's MCP server on 127.0.0.1:P, in the foreground
#   sandbox.sh run session-buddy --port P --home DIR
#                                         session-buddy's MCP server on 127.0.0.1:P, in the foreground
#   sandbox.sh exec [--bind DIR]... -- CMD ARGS...
#                                         any command in the chroot
#   sandbox.sh clean                      remove the chroot
#
# The chroot lives outside the repository: $CAPHOST_PY314_ROOT, default /var/tmp/caphost-py314.
#
# Mounts: /proc and /dev are mounted only inside a private mount namespace made for each
# command (unshare --mount), never in the machine's own: they vanish with the command on every
# exit path, SIGKILL included, and `rm -rf` of the chroot can never reach the real /dev through
# a bind mount. The HOME given to `run` and the folders given to `--bind` are bind-mounted at
# the same path inside; so is Tests/Peers (read-only), so peer scripts run from their path.
#
# `run` and `exec` replace this script's process (same pid): a test stops the peer by sending
# SIGTERM or SIGKILL to the pid it started; the peer gets SIGKILL when that process dies.
set -euo pipefail

root="${CAPHOST_PY314_ROOT:-/var/tmp/caphost-py314}"
peers="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
format="caphost-py314 v1: python3.14 oneiric==0.33.3 crackerjack==0.91.1 session-buddy==0.36.0"
declare -A venvs=([oneiric]="oneiric==0.33.3" [crackerjack]="crackerjack==0.91.1" [session-buddy]="session-buddy==0.36.0")

say() { echo "sandbox.sh: $*" >&2; }
die() { say "$*"; exit 1; }

is_built() { [[ -f "$root/.caphost-sandbox" ]] && [[ "$(cat "$root/.caphost-sandbox")" == "$format" ]]; }

# What runs inside the private mount namespace: mounts /proc, /dev and the binds
# ("PATH:ro" or "PATH:rw", at the same path inside), then execs the command in the chroot.
inside='
    set -e
    chroot="$1"; count="$2"; shift 2
    mount -t proc proc "$chroot/proc"
    mount --bind /dev "$chroot/dev"
    for ((i = 0; i < count; i++)); do
        spec="$1"; shift
        path="${spec%:*}"; mode="${spec##*:}"
        mkdir -p "$chroot$path"
        mount --bind "$path" "$chroot$path"
        if [[ "$mode" == ro ]]; then mount -o remount,bind,ro "$chroot$path"; fi
    done
    exec chroot "$chroot" /usr/bin/env -u PIP_FIND_LINKS PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"'

# Sets `chrooted` to the command line that runs CMD in CHROOT in its own mount namespace.
# Usage: chrooted_command CHROOT [PATH:ro|PATH:rw]... -- CMD...
chrooted_command() {
    local chroot="$1"
    shift
    local binds=()
    while (($#)) && [[ "$1" != -- ]]; do binds+=("$1"); shift; done
    [[ "${1:-}" == -- ]] && shift
    (($#)) || die "nothing to run"
    chrooted=(unshare --mount --propagation private --fork --kill-child=SIGKILL -- /bin/bash -c "$inside" chrooted
              "$chroot" "${#binds[@]}" "${binds[@]}" "$@")
}

# The Debian mirror apt uses on this machine (the chroot fetches sid from it).
debian_mirror() {
    local uri
    uri=$(grep -hoE '^(URIs:|deb) *https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
        | grep -oE 'https?://[^ ]+' | head -n1 || true)
    echo "${uri:-http://deb.debian.org/debian}"
}

# Removes a chroot folder, refusing while anything is mounted below it.
remove_tree() {
    local dir="$1"
    [[ -e "$dir" ]] || return 0
    if findmnt -rn -o TARGET | grep -q "^$dir/"; then
        die "refusing to remove $dir: something is mounted below it ($(findmnt -rn -o TARGET | grep "^$dir/" | head -n3 | tr '\n' ' '))"
    fi
    rm -rf --one-file-system "$dir"
}

build() {
    if is_built; then return 0; fi
    mkdir -p "$(dirname "$root")"
    exec 9>"$root.lock"
    say "waiting for the build lock $root.lock"
    flock 9
    if is_built; then say "built meanwhile by another process"; return 0; fi
    local started=$SECONDS partial="$root.partial"
    local scratch
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' RETURN

    if [[ ! -f "$partial/.debootstrap-done" ]]; then
        remove_tree "$partial"
        say "step 1/3: debootstrap Debian sid (minbase + python3.14) into $partial"
        (cd "$scratch" && apt-get download debootstrap >/dev/null 2>&1) \
            || die "step 1/3 failed: apt-get download debootstrap (is the Debian mirror reachable?)"
        dpkg -x "$scratch"/debootstrap_*.deb "$scratch/debootstrap"
        local mirror
        mirror=$(debian_mirror)
        if ! DEBOOTSTRAP_DIR="$scratch/debootstrap/usr/share/debootstrap" \
            "$scratch/debootstrap/usr/sbin/debootstrap" --variant=minbase \
            --include=python3.14,python3.14-venv,ca-certificates,procps \
            sid "$partial" "$mirror" >"$scratch/debootstrap.log" 2>&1; then
            tail -n 30 "$scratch/debootstrap.log" >&2
            die "step 1/3 failed: debootstrap sid from $mirror (log above)"
        fi
        touch "$partial/.debootstrap-done"
    fi
    # Name resolution and the host's CA bundle: PyPI is reached through a proxy whose CA only
    # the host's bundle has (pip fails with CERTIFICATE_VERIFY_FAILED without it).
    cp /etc/resolv.conf "$partial/etc/resolv.conf"
    cp /etc/ssl/certs/ca-certificates.crt "$partial/etc/ssl/certs/ca-certificates.crt"

    say "step 2/3: venvs with oneiric, crackerjack and session-buddy (pip, ~3 min)"
    local name
    for name in oneiric crackerjack session-buddy; do
        local requirement="${venvs[$name]}"
        if [[ -f "$partial/opt/$name/.installed" ]] && [[ "$(cat "$partial/opt/$name/.installed")" == "$requirement" ]]; then
            continue
        fi
        rm -rf --one-file-system "$partial/opt/$name"
        chrooted_command "$partial" -- /bin/sh -c "python3.14 -m venv /opt/$name && /opt/$name/bin/pip install --quiet --disable-pip-version-check '$requirement'"
        if ! "${chrooted[@]}" >"$scratch/pip-$name.log" 2>&1; then
            tail -n 30 "$scratch/pip-$name.log" >&2
            die "step 2/3 failed: pip install $requirement in the chroot (log above)"
        fi
        echo "$requirement" >"$partial/opt/$name/.installed"
    done

    say "step 3/3: check the tools start"
    chrooted_command "$partial" -- /opt/oneiric/bin/python -c "import oneiric.mcp.server"
    "${chrooted[@]}" >"$scratch/check.log" 2>&1 \
        || { tail -n 20 "$scratch/check.log" >&2; die "step 3/3 failed: oneiric does not import in the chroot"; }
    echo "$format" >"$partial/.caphost-sandbox"
    remove_tree "$root"
    mv "$partial" "$root"
    say "built $root in $((SECONDS - started)) s"
}

clean() {
    exec 9>"$root.lock"
    flock 9
    remove_tree "$root"
    remove_tree "$root.partial"
    say "removed $root"
}

# run TOOL --port P --home DIR
run() {
    local tool="${1:-}" port="" home=""
    shift || true
    while (($#)); do
        case "$1" in
            --port) port="${2:?--port needs a value}"; shift 2 ;;
            --home) home="${2:?--home needs a value}"; shift 2 ;;
            *) die "run: unknown option '$1' (expected --port P --home DIR)" ;;
        esac
    done
    [[ "$port" =~ ^[0-9]+$ ]] || die "run $tool: --port must be a TCP port number, found '$port'"
    [[ -n "$home" ]] || die "run $tool: --home DIR is required (each run gets its own HOME)"
    mkdir -p "$home"
    home="$(cd "$home" && pwd)"
    is_built || die "the sandbox at $root is not built: run $0 build"
    case "$tool" in
        oneiric-mcp)
            # One server per HOME: a pid file left by a killed run would name a pid that
            # another process may have by now, and oneiric would refuse to start.
            rm -f "$home/mcp.pid"
            exec_in "$home" -- /usr/bin/env HOME="$home" FASTMCP_JSON_RESPONSE="${FASTMCP_JSON_RESPONSE-true}" \
                /opt/oneiric/bin/oneiric mcp start --host 127.0.0.1 --port "$port" --foreground --pid-file "$home/mcp.pid" ;;
        session-buddy)
            # `session-buddy server start` has no port option: its settings class
            # (CLILaunchSettings, a pydantic BaseSettings from oneiric's OneiricMCPConfig) reads
            # ONEIRIC_MCP_HTTP_PORT. Its pid file goes to ONEIRIC_MCP_CACHE_DIR (default
            # ./.oneiric_cache, relative to the working directory), its DuckDB and logs to
            # $HOME/.claude, so each HOME is one independent server. It answers SSE unless
            # FASTMCP_JSON_RESPONSE=true. It ignores SIGTERM for up to 30 s (uvicorn's graceful
            # shutdown of open streams): stop it with SIGKILL.
            exec_in "$home" -- /usr/bin/env -C "$home" HOME="$home" ONEIRIC_MCP_HTTP_PORT="$port" \
                ONEIRIC_MCP_CACHE_DIR="$home/.oneiric_cache" FASTMCP_JSON_RESPONSE="${FASTMCP_JSON_RESPONSE-false}" \
                /opt/session-buddy/bin/session-buddy server start ;;
        *) die "run: unknown tool '$tool' (expected oneiric-mcp or session-buddy)" ;;
    esac
}

# exec_in [DIR]... -- CMD...: replaces this process with CMD in the chroot, the DIRs bound
# read-write and Tests/Peers read-only.
exec_in() {
    local binds=("$peers:ro")
    while (($#)) && [[ "$1" != -- ]]; do binds+=("$(cd "$1" && pwd):rw"); shift; done
    chrooted_command "$root" "${binds[@]}" "$@"
    exec "${chrooted[@]}"
}

command="${1:-}"
shift || true
case "$command" in
    build) build ;;
    clean) clean ;;
    run) run "$@" ;;
    exec)
        is_built || die "the sandbox at $root is not built: run $0 build"
        binds=()
        while (($#)) && [[ "$1" != -- ]]; do
            case "$1" in
                --bind) binds+=("${2:?--bind needs a folder}"); shift 2 ;;
                *) die "exec: unknown option '$1' (expected --bind DIR ... -- CMD ...)" ;;
            esac
        done
        exec_in "${binds[@]}" "$@" ;;
    *) die "usage: sandbox.sh build | clean | run oneiric-mcp|session-buddy --port P --home DIR | exec [--bind DIR]... -- CMD..." ;;
esac
