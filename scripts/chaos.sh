#!/usr/bin/env bash
# Chaos experiments on the ingest path: steady load from fleet-sim (simulated vehicles that resend every sample until
# fleet-tracking acknowledges it as committed) into fleet-tracking on the local stack; one fault per experiment; then
# every message is counted in PostgreSQL.
#
#   scripts/chaos.sh [--short] [EXPERIMENT ...]        default: every experiment
#
# Experiments:
#   tracking-kill          kill -9 of the only fleet-tracking replica, restarted 3 s later
#   tracking-kill-replica  kill -9 of one of two replicas (the other carries on), restarted 5 s later
#   pg-restart             a real PostgreSQL restart (pg_ctl restart -m fast)
#   pg-freeze              the database frozen (SIGSTOP of the stack's postmaster and its children) for CHAOS_FREEZE_SECONDS
#   broker-restart         Mosquitto stopped (SIGTERM) and started again
#   broker-kill            Mosquitto killed (kill -9, persistence on) and started again
#
# For each it prints: samples the vehicles made (sent), rows stored for them, lost (sent - distinct (vehicle, seq)
# stored), duplicated (rows - distinct), and the recovery time: from the fault until the vehicles' unconfirmed backlog
# (fleet_sim_outbox_depth) is back under twice its steady level. Exit status 1 if anything was lost or duplicated.
#
# Needs the local stack (scripts/stack.sh start; started here if it is not running) and no other fleet-tracking or
# fleet-sim of scripts/run.sh (their acknowledgements would mix with these): stop those with scripts/run.sh stop.
# Each experiment uses a schema, a share group, client ids and vehicle ids of its own, removed afterwards.
#
# Environment (defaults in brackets): CHAOS_VEHICLES [200] (1 Hz each), CHAOS_STEADY_SECONDS [15] of load before the
# fault, CHAOS_AFTER_SECONDS [20] of load after recovery, CHAOS_FREEZE_SECONDS [30], CHAOS_BUILD [release] (or debug,
# as the test command uses: no release build), CHAOS_DRAIN_SECONDS [180] the vehicles get at the end to have every
# sample committed. --short: 100 vehicles, 8 s before and 8 s after (the version the test command runs).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
# shellcheck source=scripts/lib/path.sh
source "$REPO_ROOT/scripts/lib/path.sh"

ALL=(tracking-kill tracking-kill-replica pg-restart pg-freeze broker-restart broker-kill)
VEHICLES="${CHAOS_VEHICLES:-200}"
STEADY="${CHAOS_STEADY_SECONDS:-15}"
AFTER="${CHAOS_AFTER_SECONDS:-20}"
FREEZE="${CHAOS_FREEZE_SECONDS:-30}"
BUILD="${CHAOS_BUILD:-release}"
DRAIN="${CHAOS_DRAIN_SECONDS:-180}"
experiments=()
for arg in "$@"; do
    case "$arg" in
        --short) VEHICLES="${CHAOS_VEHICLES:-100}"; STEADY="${CHAOS_STEADY_SECONDS:-8}"; AFTER="${CHAOS_AFTER_SECONDS:-8}" ;;
        -h | --help) sed -n '2,32p' "$0"; exit 0 ;;
        *)
            [[ " ${ALL[*]} " == *" $arg "* ]] || { echo "chaos: unknown experiment '$arg' (one of: ${ALL[*]})" >&2; exit 2; }
            experiments+=("$arg")
            ;;
    esac
done
[[ ${#experiments[@]} -gt 0 ]] || experiments=("${ALL[@]}")

say() { printf '[chaos] %s\n' "$*"; }
die() { printf '[chaos] ERROR: %s\n' "$*" >&2; exit 1; }

for product in fleet-tracking fleet-sim; do
    pidfile="${FLEET_STACK_DIR:-$REPO_ROOT/.stack}/run/$product.pid"
    if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        die "$product of scripts/run.sh is running (pid $(cat "$pidfile")): stop it first (scripts/run.sh stop)"
    fi
done
scripts/stack.sh status >/dev/null 2>&1 || scripts/stack.sh start
eval "$(scripts/stack.sh env)"

build_flags=()
[[ "$BUILD" == release ]] && build_flags=(-c release)
say "building fleet-tracking and fleet-sim ($BUILD)"
swift build "${build_flags[@]}" --product fleet-tracking >/dev/null
swift build "${build_flags[@]}" --product fleet-sim >/dev/null
BIN="$(swift build "${build_flags[@]}" --show-bin-path)"

WORK="$(mktemp -d /tmp/fleet-chaos.XXXXXX)"
PIDS=()
MONITOR=""
SCHEMA=""
cleanup() {
    # A frozen database must never be left behind.
    pg_signal CONT 2>/dev/null || true
    rm -f "$WORK"/*-monitoring
    [[ -n "$MONITOR" ]] && kill "$MONITOR" 2>/dev/null || true
    for pid in "${PIDS[@]}"; do
        kill -0 "$pid" 2>/dev/null || continue
        kill -CONT "$pid" 2>/dev/null || true
        kill -9 "$pid" 2>/dev/null || true
    done
    [[ -n "$SCHEMA" ]] && psql "$FLEET_POSTGRES_URL" -Atqc "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
now() { date +%s.%N; }
psql_q() { psql "$FLEET_POSTGRES_URL" -Atqc "$1"; }

# The stack's PostgreSQL data directory, and pg_ctl as the postgres user when running as root (as stack.sh does).
PG_BASE="$(cat "${FLEET_STACK_DIR}/postgres.location" 2>/dev/null || echo "${FLEET_STACK_DIR}/postgres")"
pg_ctl_run() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl "$@"; else /usr/lib/postgresql/15/bin/pg_ctl "$@"; fi
}
mosquitto_pid() {
    local pid
    pid="$(cat "${FLEET_STACK_DIR}/mosquitto/mosquitto.pid" 2>/dev/null || true)"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || die "the stack's Mosquitto is not running (no live pid in ${FLEET_STACK_DIR}/mosquitto/mosquitto.pid)"
    printf '%s\n' "$pid"
}
# SIGSTOP/SIGCONT to the stack's PostgreSQL only: its postmaster (postmaster.pid) and that process's children.
pg_signal() {
    local postmaster
    postmaster="$(head -1 "$PG_BASE/data/postmaster.pid" 2>/dev/null || true)"
    [[ -n "$postmaster" ]] || return 1
    kill -"$1" "$postmaster" $(pgrep -P "$postmaster" || true)
}
stop_broker() { # signal
    local pid
    pid="$(mosquitto_pid)"
    kill -"$1" "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
}

wait_http() { # url seconds
    local deadline=$((SECONDS + $2))
    until curl -fsS -o /dev/null "$1" 2>/dev/null; do
        [[ $SECONDS -lt $deadline ]] || return 1
        sleep 0.3
    done
}

start_tracking() { # n port
    local n="$1" port="$2"
    FLEET_SERVICE_NAME=fleet-tracking FLEET_MQTT_USERNAME=svc-tracking FLEET_MQTT_PASSWORD="$FLEET_MQTT_PASSWORD_SVC_TRACKING" \
        FLEET_MQTT_CLIENT_ID="chaos-$RUN-tracking-$n" FLEET_HTTP_PORT="$port" FLEET_TRACKING_SCHEMA="$SCHEMA" \
        FLEET_TRACKING_SHARE_GROUP="chaos$RUN" FLEET_TRACKING_COMMIT_INTERVAL_MILLIS=200 \
        FLEET_TRACKING_GAP_TIMEOUT_SECONDS=86400 FLEET_TRACKING_POSITIONS_INTERVAL_MILLIS=0 FLEET_REPORTS_WEEKLY=false \
        nohup "$BIN/fleet-tracking" >>"$WORK/$RUN-tracking-$n.log" 2>&1 </dev/null &
    echo $!
}

outbox_depth() { # -1 when it cannot be read
    local depth
    depth="$(curl -fsS "http://127.0.0.1:$SIM_PORT/metrics" 2>/dev/null | awk '$1 == "fleet_sim_outbox_depth" { print int($2) }' || true)"
    printf '%s\n' "${depth:--1}"
}

# Samples the outbox depth every 0.5 s into $WORK/$RUN-depth (time depth) until told to stop.
monitor() {
    while [[ -f "$WORK/$RUN-monitoring" ]]; do
        printf '%s %s\n' "$(now)" "$(outbox_depth)" >>"$WORK/$RUN-depth"
        sleep 0.5
    done
}

inject() { # experiment; records FAULT_START
    FAULT_START="$(now)"
    case "$1" in
        tracking-kill)
            kill -9 "${TRACKING[0]}"
            sleep 3
            TRACKING[0]="$(start_tracking 0 "${PORTS[0]}")"; PIDS+=("${TRACKING[0]}")
            wait_http "http://127.0.0.1:${PORTS[0]}/health/ready" 120 || die "fleet-tracking did not come back"
            ;;
        tracking-kill-replica)
            kill -9 "${TRACKING[1]}"
            sleep 5
            TRACKING[1]="$(start_tracking 1 "${PORTS[1]}")"; PIDS+=("${TRACKING[1]}")
            wait_http "http://127.0.0.1:${PORTS[1]}/health/ready" 120 || die "the second replica did not come back"
            ;;
        pg-restart)
            pg_ctl_run restart -m fast -w -D "$PG_BASE/data" -l "$PG_BASE/postgres.log" >/dev/null
            ;;
        pg-freeze)
            pg_signal STOP || die "cannot find the stack's PostgreSQL (postmaster.pid under $PG_BASE/data)"
            sleep "$FREEZE"
            pg_signal CONT
            ;;
        broker-restart)
            stop_broker TERM
            scripts/stack.sh start >/dev/null
            ;;
        broker-kill)
            stop_broker 9
            scripts/stack.sh start >/dev/null
            ;;
    esac
}

FAILURES=0
RESULTS=()
for experiment in "${experiments[@]}"; do
    RUN="$(date +%s%N | tail -c 8)"
    SCHEMA="chaos_$RUN"
    PREFIX="chaos$RUN"
    replicas=1
    [[ "$experiment" == tracking-kill-replica ]] && replicas=2
    say "$experiment: $VEHICLES vehicles at 1 Hz, $replicas tracking replica(s), schema $SCHEMA"
    TRACKING=()
    PORTS=()
    for ((n = 0; n < replicas; n++)); do
        PORTS[n]="$(free_port)"
        TRACKING[n]="$(start_tracking "$n" "${PORTS[n]}")"
        PIDS+=("${TRACKING[n]}")
        wait_http "http://127.0.0.1:${PORTS[n]}/health/ready" 180 || die "fleet-tracking did not get ready (log $WORK/$RUN-tracking-$n.log)"
    done
    SIM_PORT="$(free_port)"
    FLEET_SERVICE_NAME=fleet-sim FLEET_MQTT_USERNAME=fleet-sim FLEET_MQTT_PASSWORD="$FLEET_MQTT_PASSWORD_FLEET_SIM" \
        FLEET_MQTT_CLIENT_ID="chaos-$RUN-sim" FLEET_HTTP_PORT="$SIM_PORT" FLEET_SIM_VEHICLES="$VEHICLES" \
        FLEET_SIM_ID_PREFIX="$PREFIX" FLEET_SIM_FAULT_RATE=0 FLEET_SIM_DEGRADED_VEHICLES=0 FLEET_SIM_RESEND_TIMEOUT_MS=2000 \
        FLEET_SIM_DRAIN_TIMEOUT_MS="$((DRAIN * 1000))" \
        nohup "$BIN/fleet-sim" run >>"$WORK/$RUN-sim.log" 2>&1 </dev/null &
    SIM=$!
    PIDS+=("$SIM")
    wait_http "http://127.0.0.1:$SIM_PORT/health/ready" 120 || die "fleet-sim did not get ready (log $WORK/$RUN-sim.log)"

    touch "$WORK/$RUN-monitoring"
    monitor &
    MONITOR=$!
    sleep "$STEADY"
    inject "$experiment"
    FAULT_END="$(now)"
    sleep "$AFTER"
    rm -f "$WORK/$RUN-monitoring"
    wait "$MONITOR" 2>/dev/null || true

    # The vehicles stop making samples and resend until each one is committed (FLEET_SIM_DRAIN_TIMEOUT_MS).
    kill -TERM "$SIM"
    wait "$SIM" 2>/dev/null || true
    drained="$(grep -E '"(Drained|Drain timed out)' "$WORK/$RUN-sim.log" | tail -1 || true)"
    for pid in "${TRACKING[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${TRACKING[@]}"; do
        deadline=$((SECONDS + 60))
        while kill -0 "$pid" 2>/dev/null && [[ $SECONDS -lt $deadline ]]; do sleep 0.2; done
        if kill -0 "$pid" 2>/dev/null; then
            say "fleet-tracking (pid $pid) did not stop within 60 s of SIGTERM: killed"
            kill -9 "$pid" 2>/dev/null || true
        fi
    done
    [[ -n "$drained" ]] || die "fleet-sim logged no drain result (log $WORK/$RUN-sim.log)"
    field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])["metadata"][sys.argv[2]])' "$drained" "$1"; }
    sent="$(field samples)"
    unconfirmed="$(field unconfirmed)"
    evicted="$(field evicted)"
    resent="$(field resent)"
    [[ "$sent" =~ ^[0-9]+$ && "$unconfirmed" =~ ^[0-9]+$ ]] || die "cannot read the drain result: $drained"

    counts="$(psql_q "SELECT count(*), count(DISTINCT (vehicle_id, seq)) FROM $SCHEMA.telemetry WHERE vehicle_id LIKE '$PREFIX-%'")" ||
        die "cannot count the stored rows in $SCHEMA"
    read -r rows distinct <<<"${counts//|/ }"
    lost=$((sent - distinct))
    duplicated=$((rows - distinct))

    # Recovery: from the fault until the backlog is back under twice its steady level (the median before the fault).
    recovery="$(python3 - "$WORK/$RUN-depth" "$FAULT_START" "$VEHICLES" <<'EOF'
import statistics, sys
rows = [tuple(map(float, line.split())) for line in open(sys.argv[1]) if len(line.split()) == 2]
start, vehicles = float(sys.argv[2]), int(sys.argv[3])
before = [d for t, d in rows if t < start and d >= 0]
level = 2 * max(statistics.median(before) if before else 0, vehicles)
after = [(t, d) for t, d in rows if t >= start]
peak = max((d for _, d in after), default=0)
above = [t for t, d in after if d > level or d < 0]
print(f"{(max(above) - start if above else 0):.1f} {int(peak)}")
EOF
)"
    read -r recovery_seconds peak <<<"$recovery"
    fault_seconds="$(python3 -c "print(f'{$FAULT_END - $FAULT_START:.1f}')")"
    line="$(printf '%-22s sent %7d  stored %7d  lost %d  duplicated %d  fault %5ss  recovered %5ss after it began  (peak backlog %d, resent %s, evicted %s, left unconfirmed %s)' \
        "$experiment" "$sent" "$distinct" "$lost" "$duplicated" "$fault_seconds" "$recovery_seconds" "$peak" "$resent" "$evicted" "$unconfirmed")"
    say "$line"
    RESULTS+=("$line")
    if [[ $lost -ne 0 || $duplicated -ne 0 || "$unconfirmed" != 0 ]]; then FAILURES=$((FAILURES + 1)); fi
    psql_q "DROP SCHEMA $SCHEMA CASCADE" >/dev/null 2>&1 || true
    SCHEMA=""
    MONITOR=""
done

printf '\n=== chaos: %d experiment(s), %d vehicles at 1 Hz, %s s before and %s s after each fault (logs in %s)\n' \
    "${#experiments[@]}" "$VEHICLES" "$STEADY" "$AFTER" "$WORK"
printf '%s\n' "${RESULTS[@]}"
if [[ $FAILURES -gt 0 ]]; then
    printf '=== chaos: %d experiment(s) lost or duplicated messages\n' "$FAILURES"
    exit 1
fi
printf '=== chaos: zero lost and zero duplicated in every experiment\n'
