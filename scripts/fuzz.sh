#!/usr/bin/env bash
# Builds the FleetCore libFuzzer targets (Fuzz/Fuzz*/) with ASan and runs each for N seconds.
# Usage: scripts/fuzz.sh [seconds-per-target]   (default 20)
# Exits non-zero if a target fails to build or the fuzzer finds a crash; crashing inputs are kept in
# .build/fuzz/artifacts-<name>/ (reproduce with: .build/fuzz/fuzz-<name> <file>).
set -euo pipefail

seconds="${1:-20}"
cd "$(dirname "$0")/.."
out=.build/fuzz
mkdir -p "$out"

mapfile -t core < <(find Libraries/FleetCore -name '*.swift' | sort)
flags=(
    -sanitize=fuzzer,address -parse-as-library -O
    -swift-version 6
    -enable-upcoming-feature ExistentialAny
    -enable-upcoming-feature MemberImportVisibility
    -module-name FleetFuzz
)
# The Swift runtime backtracer hangs when a sanitizer owns the crash; libFuzzer/ASan report crashes themselves.
export SWIFT_BACKTRACE=enable=no

status=0
for target in JSON Binary; do
    name=$(echo "$target" | tr '[:upper:]' '[:lower:]')
    binary="$out/fuzz-$name"
    echo "==> building $binary"
    if ! swiftc "${flags[@]}" "${core[@]}" Fuzz/Shared/*.swift "Fuzz/Fuzz$target"/*.swift -o "$binary" \
        >"$out/fuzz-$name.build.log" 2>&1; then
        grep -v "ld.gold: warning: Cannot export local symbol" "$out/fuzz-$name.build.log" >&2 || true
        echo "fuzz.sh: building $binary failed" >&2
        exit 1
    fi
    mkdir -p "$out/corpus-$name" "$out/artifacts-$name"
    echo "==> fuzzing $name for ${seconds}s"
    # New inputs go to the first (scratch) corpus directory; the committed seeds stay untouched.
    if ! "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 \
        -artifact_prefix="$out/artifacts-$name/" "$out/corpus-$name" "Fuzz/corpus/$name" >"$out/fuzz-$name.log" 2>&1; then
        tail -n 60 "$out/fuzz-$name.log" >&2
        echo "fuzz.sh: $name fuzzer found a problem (artifacts in $out/artifacts-$name/)" >&2
        status=1
    else
        grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|Done)" "$out/fuzz-$name.log" || tail -n 3 "$out/fuzz-$name.log"
    fi
done
exit "$status"
