#!/usr/bin/env bash
# The cold archive's and the fleet reports' benchmarks against the local stack (PostgreSQL + the S3 server), with a
# release build of fleet-tracking. Prints the figures (docs/archive-and-reports.md#benchmarks).
#
#   scripts/bench-archive.sh [archive options] [-- report options]
#   e.g. scripts/bench-archive.sh --vehicles 1000 -- --vehicles 1000 --days 7
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
archive_args=()
report_args=()
target=archive
for arg in "$@"; do
    if [[ "$arg" == "--" ]]; then target=report; continue; fi
    if [[ $target == archive ]]; then archive_args+=("$arg"); else report_args+=("$arg"); fi
done
scripts/stack.sh start >/dev/null
eval "$(scripts/stack.sh env)"
swift build -c release --product fleet-tracking >&2
export FLEET_ARCHIVE_S3_ENDPOINT="$FLEET_STACK_S3_ENDPOINT" FLEET_ARCHIVE_S3_BUCKET="$FLEET_STACK_S3_BUCKET"
export FLEET_ARCHIVE_S3_ACCESS_KEY_ID="$FLEET_STACK_S3_ACCESS_KEY_ID" FLEET_ARCHIVE_S3_SECRET_ACCESS_KEY="$FLEET_STACK_S3_SECRET_ACCESS_KEY"
export FLEET_ARCHIVE_CREATE_BUCKET=true FLEET_LOG_LEVEL=warning
.build/release/fleet-tracking bench archive "${archive_args[@]}"
.build/release/fleet-tracking bench report "${report_args[@]}"
