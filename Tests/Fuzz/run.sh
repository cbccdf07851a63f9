#!/usr/bin/env bash
# Fuzzes the host's parsers with libFuzzer, one target after another (Tests/Fuzz/README.md).
#
#   Tests/Fuzz/run.sh                   every target for 300 s (on demand)
#   Tests/Fuzz/run.sh --ci              every target for 20 s (CI: about 3 minutes of fuzzing)
#   Tests/Fuzz/run.sh --seconds N       every target for N s
#   Tests/Fuzz/run.sh --target NAME     only NAME (repeatable; `--list` names them)
#   Tests/Fuzz/run.sh --no-build        use the binary already in .build-fuzz
#
# Builds .build-fuzz/debug/caphost-fuzz first (-sanitize=fuzzer -sanitize=address). Each
# target starts from its seeds (Tests/Fuzz/Corpus/NAME), its kept crashes
# (Tests/Fuzz/Regressions/NAME) and what earlier runs on this machine found
# (.build-fuzz/fuzz/NAME/corpus), with its dictionary (Tests/Fuzz/Dictionaries). A crash,
# a hang past --timeout (default 10 s) or a blown memory limit fails the run: the input is
# copied to Tests/Fuzz/Regressions/NAME/ (commit it with the fix; the tests replay it from
# then on) and libFuzzer's report, with the stack, is printed. Runs with CI=true and no
# stdin on a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=300
timeout=10
build=1
targets=()
list=0
while [ $# -gt 0 ]; do
  case "$1" in
    --ci) seconds=20 ;;
    --seconds) seconds="${2:?--seconds needs a number}"; shift ;;
    --target) targets+=("${2:?--target needs a name}"); shift ;;
    --timeout) timeout="${2:?--timeout needs a number of seconds}"; shift ;;
    --no-build) build=0 ;;
    --list) list=1 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

scratch="$PWD/.build-fuzz"
binary="$scratch/debug/caphost-fuzz"
if [ "$build" = 1 ]; then
  echo "== building caphost-fuzz into .build-fuzz (libFuzzer + AddressSanitizer, debug)"
  started=$(date +%s)
  # The Swift driver keeps only the last -sanitize= it is given, and SwiftPM passes one per
  # --sanitize: the combined -Xswiftc flag comes last. (clang, for the C targets, adds them up.)
  command=(swift build --scratch-path "$scratch" --product caphost-fuzz
           --sanitize fuzzer --sanitize address -Xswiftc -sanitize=fuzzer,address -Xswiftc -DCAPHOST_LIBFUZZER)
  # One build at a time in .build-fuzz; ld.gold's notes about ASan's local symbols are noise.
  if command -v flock >/dev/null 2>&1; then
    command=(flock "${CAPHOST_FUZZ_LOCK:-/tmp/caphost-fuzz-build.lock}" "${command[@]}")
  fi
  set +e
  "${command[@]}" </dev/null 2>&1 | grep -v "Cannot export local symbol '__asan"
  status=${PIPESTATUS[0]}
  set -e
  [ "$status" = 0 ] || { echo "run.sh: the fuzz build failed ($status)" >&2; exit "$status"; }
  echo "== built in $(( $(date +%s) - started )) s"
fi
[ -x "$binary" ] || { echo "run.sh: $binary is missing (run without --no-build)" >&2; exit 2; }

export SWIFT_BACKTRACE=enable=no                # libFuzzer's handler must see the trap
export ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}"   # the Swift runtime's caches are not leaks
known=$("$binary" -targets </dev/null)
if [ "$list" = 1 ]; then echo "$known"; exit 0; fi
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cut -f1 <<<"$known")
fi

summary=()
failed=0
for name in "${targets[@]}"; do
  max_len=$(awk -F'\t' -v n="$name" '$1 == n { print $2 }' <<<"$known")
  [ -n "$max_len" ] || { echo "run.sh: no target '$name'; targets: $(cut -f1 <<<"$known" | tr '\n' ' ')" >&2; exit 2; }
  dictionary=$(awk -F'\t' -v n="$name" '$1 == n { print $3 }' <<<"$known")
  flags=()
  [ "$dictionary" = - ] || flags+=(-dict="Tests/Fuzz/Dictionaries/$dictionary")
  work="$scratch/fuzz/$name"
  kept="Tests/Fuzz/Regressions/$name"
  mkdir -p "$work/corpus" "$work/artifacts"
  rm -f "$work/artifacts/"*
  folders=("$work/corpus")
  [ -d "Tests/Fuzz/Corpus/$name" ] && folders+=("Tests/Fuzz/Corpus/$name")
  [ -d "$kept" ] && folders+=("$kept")
  if [ -x "Tests/Fuzz/build-$name-seeds.sh" ]; then  # seeds built from source (elf: plugins are never committed)
    "Tests/Fuzz/build-$name-seeds.sh" "$work/seeds"
    folders+=("$work/seeds")
  fi

  echo "== $name: ${seconds} s"
  started=$(date +%s)
  set +e
  "$binary" -target="$name" -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=3072 \
    -max_len="$max_len" -detect_leaks=0 -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
    ${flags[@]+"${flags[@]}"} "${folders[@]}" </dev/null >"$work/fuzz.log" 2>&1
  status=$?
  set -e
  elapsed=$(( $(date +%s) - started ))

  runs=$(awk '/^stat::number_of_executed_units:/ { print $2 }' "$work/fuzz.log")
  rate=$(awk '/^stat::average_exec_per_sec:/ { print $2 }' "$work/fuzz.log")
  if [ -z "$runs" ]; then  # it stopped early: the last "#N" progress line says how far it got
    runs=$(grep -oE '^#[0-9]+' "$work/fuzz.log" | tail -1 | tr -d '#')
    runs=${runs:-0}
    rate=$(( runs / (elapsed > 0 ? elapsed : 1) ))
  fi

  crashes=0
  for artifact in "$work/artifacts/"*; do
    [ -f "$artifact" ] || continue
    crashes=$((crashes + 1))
    same=""
    for file in "$kept"/*; do
      if [ -f "$file" ] && cmp -s "$artifact" "$file"; then same="$file"; break; fi
    done
    if [ -n "$same" ]; then
      echo "!! $name: the kept input $same still fails"
    else
      mkdir -p "$kept"
      cp "$artifact" "$kept/"
      echo "!! $name: a new input, kept as $kept/$(basename "$artifact")"
    fi
    echo "-- libFuzzer's report (reproduce: $binary -target=$name ${same:-$kept/$(basename "$artifact")}):"
    awk '/Fatal error/ { print } /ERROR: (libFuzzer|AddressSanitizer)|ALARM:/ { on = 1 } on { print } /^SUMMARY/ { on = 0 }' \
      "$work/fuzz.log" | head -80 | { if command -v swift >/dev/null 2>&1; then swift demangle --simplified; else cat; fi; }
  done
  if [ "$status" != 0 ] && [ "$crashes" = 0 ]; then
    echo "!! $name: libFuzzer exited with $status and kept no input; the end of $work/fuzz.log:"
    tail -30 "$work/fuzz.log"
    crashes=1
  fi
  [ "$crashes" = 0 ] || failed=1
  summary+=("$(printf '%-14s %12s %10s %8s %8s' "$name" "$runs" "$rate" "$elapsed" "$crashes")")
done

echo
printf '%-14s %12s %10s %8s %8s\n' target runs runs/s seconds crashes
printf '%s\n' "${summary[@]}"
if [ "$failed" != 0 ]; then
  echo "run.sh: crashes found; their inputs are under Tests/Fuzz/Regressions (commit them with the fix)" >&2
  exit 1
fi
