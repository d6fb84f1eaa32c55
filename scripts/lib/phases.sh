# shellcheck shell=bash
# Sourced by scripts that run named phases and end with a summary (test.sh, validate-deploy.sh).
# Set PHASE_TAG (the [tag] of the messages) before sourcing.

PHASES=()
FAILED=()

say() { printf '\n=== [%s] %s\n' "$PHASE_TAG" "$*"; }

# run_phase NAME COMMAND... : runs the command under `set -e` in a subshell (so a function fails at its first failing
# command), records its duration and result, and returns its status.
run_phase() {
    local name="$1" start rc
    shift
    say "$name: $*"
    start=$SECONDS
    set +e
    (set -e; "$@")
    rc=$?
    set -e
    local took=$((SECONDS - start))
    if [[ $rc -eq 0 ]]; then
        PHASES+=("$(printf '%-10s ok      %4ds' "$name" "$took")")
    else
        PHASES+=("$(printf '%-10s FAILED  %4ds  (exit %d)' "$name" "$took" "$rc")")
        FAILED+=("$name")
    fi
    say "$name finished in ${took}s (exit $rc)"
    return "$rc"
}

# print_phases: one line per phase, with the total since SCRIPT_START.
print_phases() {
    printf '\n=== [%s] summary (total %ds)\n' "$PHASE_TAG" "$((SECONDS - SCRIPT_START))"
    local line
    for line in "${PHASES[@]}"; do printf '    %s\n' "$line"; done
}
