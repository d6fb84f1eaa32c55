#!/usr/bin/env bash
# The observability checks of the README test command (scripts/test.sh runs `static`, then `live`).
#
#   scripts/observability/check.sh static   rules and configs (promtool, amtool), dashboards (regenerated = committed,
#                                           loaded by the SDK, every PromQL parses), the metrics reference (checker
#                                           self-test, doc well-formed), docker-compose.yml (config -q + contents)
#   scripts/observability/check.sh live     scripts/observability/live_check.py: the whole suite on free ports with
#                                           Prometheus and Alertmanager; every target up, metrics = reference, every
#                                           panel answers, a platform alert reaches a signed webhook
#   scripts/observability/check.sh console  scripts/console/browser_test.py: the operator console in headless Chromium
#                                           against the whole suite (login, markers, filters, pause, alerts, geofence)
#   scripts/observability/check.sh          static, then live
#
# Python tooling goes into a pinned venv (FLEET_OBS_TOOLS, default .stack/obs-tools; requirements.txt beside this
# script). The live check needs the local stack's environment (eval "$(scripts/stack.sh env)") and a debug build.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO_ROOT"
TOOLS="${FLEET_OBS_TOOLS:-$REPO_ROOT/.stack/obs-tools}"
PY="$TOOLS/bin/python"
REQUIREMENTS="scripts/observability/requirements.txt"

tools() {
    if [[ ! -x "$PY" ]] || ! cmp -s "$REQUIREMENTS" "$TOOLS/requirements.installed"; then
        echo "--- installing the observability tools into $TOOLS"
        python3 -m venv "$TOOLS"
        "$TOOLS/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
        cp "$REQUIREMENTS" "$TOOLS/requirements.installed"
    fi
    export PATH="$TOOLS/bin:$PATH"
}

static_checks() {
    local rc=0
    scripts/observability/check-rules.sh || rc=1
    "$PY" scripts/observability/dashboards.py --check || rc=1
    "$PY" scripts/observability/check_panels.py || rc=1
    "$PY" scripts/observability/check_metrics.py --self-test || rc=1
    "$PY" scripts/observability/check_metrics.py --doc-only || rc=1
    config/compose/check.sh || rc=1
    return "$rc"
}

live_checks() {
    "$PY" scripts/observability/live_check.py --python "$PY"
}

console_checks() {
    "$PY" scripts/console/browser_test.py
}

tools
case "${1:-all}" in
    static) static_checks ;;
    live) live_checks ;;
    console) console_checks ;;
    all) static_checks && live_checks ;;
    *) echo "usage: $0 [static|live|console]" >&2; exit 2 ;;
esac
