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
    if [[ -n "${PHASE_LOG_DIR:-}" ]]; then
        # Also kept in a file, for print_failure_tails. A process substitution rather than a pipe: a daemon a phase
        # starts (the stack) may hold the output open, and the script must not wait for it.
        (set -e; "$@") > >(tee "$PHASE_LOG_DIR/$name.log") 2>&1
    else
        (set -e; "$@")
    fi
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

# print_failure_tails: with PHASE_LOG_DIR, the lines of each failed phase that say what failed, and its last lines, so
# the end of a long log (all a CI page may show) tells why.
print_failure_tails() {
    [[ -n "${PHASE_LOG_DIR:-}" ]] || return 0
    local name log
    for name in "${FAILED[@]}"; do
        log="$PHASE_LOG_DIR/$name.log"
        [[ -f "$log" ]] || continue
        printf '\n=== [%s] %s failed: what it said\n' "$PHASE_TAG" "$name"
        grep -E 'FAILED|✘|error:|Error|ERROR|[Tt]imed out|refused' "$log" | grep -v -- '--- ok' | tail -n 30 || true
        printf -- '--- its last lines:\n'
        tail -n 25 "$log"
    done
}
