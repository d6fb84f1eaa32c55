#!/usr/bin/env bash
# Chaos experiments under steady load on the local stack, one fault per experiment, every message counted.
# Ingest path: fleet-sim (simulated vehicles that resend every sample until fleet-tracking acknowledges it as
# committed) into fleet-tracking, every sample counted in PostgreSQL. Delivery paths: fleet-alerting's webhooks and
# fleet-control's commands, each service killed mid-delivery (docs/chaos.md).
#
#   scripts/chaos.sh [--short] [EXPERIMENT ...]        default: every experiment (--short: the six ingest ones)
#
# Experiments:
#   tracking-kill          kill -9 of the only fleet-tracking replica, restarted 3 s later
#   tracking-kill-replica  kill -9 of one of two replicas (the other carries on), restarted 5 s later
#   pg-restart             a real PostgreSQL restart (pg_ctl restart -m fast)
#   pg-freeze              the database frozen (SIGSTOP of the stack's postmaster and its children) for CHAOS_FREEZE_SECONDS
#   broker-restart         Mosquitto stopped (SIGTERM) and started again
#   broker-kill            Mosquitto killed (kill -9, persistence on) and started again
#   alerting-kill          kill -9 of fleet-alerting while webhooks are in flight to a receiver, restarted 3 s later
#   control-kill           kill -9 of fleet-control while command requests are in flight, restarted 3 s later
#
# For each ingest experiment it prints: samples the vehicles made (sent), rows stored for them, lost (sent - distinct
# (vehicle, seq) stored), duplicated (rows - distinct), and the recovery time: from the fault until the vehicles'
# unconfirmed backlog (fleet_sim_outbox_depth) is back under twice its steady level. alerting-kill and control-kill
# print the same columns for webhooks and commands (docs/chaos.md says what each counts). Exit status 1 if anything
# was lost or duplicated.
#
# Needs the local stack (scripts/stack.sh start; started here if it is not running) and no other fleet-tracking or
# fleet-sim of scripts/run.sh (their acknowledgements would mix with these), nor its fleet-alerting for alerting-kill
# (its rules would alert on the experiment's events): stop those with scripts/run.sh stop. Each experiment uses
# schemas, share groups, client ids and vehicle ids of its own, removed afterwards.
#
# Environment (defaults in brackets): CHAOS_VEHICLES [200] (1 Hz each), CHAOS_STEADY_SECONDS [15] of load before the
# fault, CHAOS_AFTER_SECONDS [20] of load after recovery, CHAOS_FREEZE_SECONDS [30], CHAOS_BUILD [release] (or debug,
# as the test command uses: no release build), CHAOS_SKIP_BUILD [0] (1: use the binaries already in .build/<build>),
# CHAOS_DRAIN_SECONDS [180] the vehicles get at the end to have every sample committed, CHAOS_ALERT_VEHICLES [50]
# (one fault or fault_cleared event each a second), CHAOS_WEBHOOK_DELAY_MS [50] the receiver takes per webhook,
# CHAOS_COMMAND_VEHICLES [20], CHAOS_COMMAND_RATE [20] commands a second, CHAOS_SETTLE_SECONDS [90] for the last
# webhooks or commands to finish. --short: 100 vehicles, 8 s before and 8 s after (the version the test command runs).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
# shellcheck source=scripts/lib/path.sh
source "$REPO_ROOT/scripts/lib/path.sh"

INGEST=(tracking-kill tracking-kill-replica pg-restart pg-freeze broker-restart broker-kill)
ALL=("${INGEST[@]}" alerting-kill control-kill)
VEHICLES="${CHAOS_VEHICLES:-200}"
STEADY="${CHAOS_STEADY_SECONDS:-15}"
AFTER="${CHAOS_AFTER_SECONDS:-20}"
FREEZE="${CHAOS_FREEZE_SECONDS:-30}"
BUILD="${CHAOS_BUILD:-release}"
DRAIN="${CHAOS_DRAIN_SECONDS:-180}"
ALERT_VEHICLES="${CHAOS_ALERT_VEHICLES:-50}"
WEBHOOK_DELAY_MS="${CHAOS_WEBHOOK_DELAY_MS:-50}"
COMMAND_VEHICLES="${CHAOS_COMMAND_VEHICLES:-20}"
COMMAND_RATE="${CHAOS_COMMAND_RATE:-20}"
SETTLE="${CHAOS_SETTLE_SECONDS:-90}"
short=0
experiments=()
for arg in "$@"; do
    case "$arg" in
        --short) short=1; VEHICLES="${CHAOS_VEHICLES:-100}"; STEADY="${CHAOS_STEADY_SECONDS:-8}"; AFTER="${CHAOS_AFTER_SECONDS:-8}" ;;
        -h | --help) sed -n '2,36p' "$0"; exit 0 ;;
        *)
            [[ " ${ALL[*]} " == *" $arg "* ]] || { echo "chaos: unknown experiment '$arg' (one of: ${ALL[*]})" >&2; exit 2; }
            experiments+=("$arg")
            ;;
    esac
done
if [[ ${#experiments[@]} -eq 0 ]]; then
    if [[ $short -eq 1 ]]; then experiments=("${INGEST[@]}"); else experiments=("${ALL[@]}"); fi
fi

say() { printf '[chaos] %s\n' "$*"; }
die() { printf '[chaos] ERROR: %s\n' "$*" >&2; exit 1; }

# scripts/run.sh's own services that would mix with the experiments: its tracking and simulator always (the
# acknowledgements of the ingest path), its fleet-alerting for alerting-kill (its rules would alert on the events).
foreign=(fleet-tracking fleet-sim)
[[ " ${experiments[*]} " == *" alerting-kill "* ]] && foreign+=(fleet-alerting)
for product in "${foreign[@]}"; do
    pidfile="${FLEET_STACK_DIR:-$REPO_ROOT/.stack}/run/$product.pid"
    if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        die "$product of scripts/run.sh is running (pid $(cat "$pidfile")): stop it first (scripts/run.sh stop)"
    fi
done
scripts/stack.sh status >/dev/null 2>&1 || scripts/stack.sh start
eval "$(scripts/stack.sh env)"

# The products the chosen experiments run, each once.
products=()
for experiment in "${experiments[@]}"; do
    case "$experiment" in
        alerting-kill) needed=(fleet-alerting fleet-control fleetctl) ;;
        control-kill) needed=(fleet-control fleet-sim fleetctl) ;;
        *) needed=(fleet-tracking fleet-sim) ;;
    esac
    for product in "${needed[@]}"; do
        [[ " ${products[*]} " == *" $product "* ]] || products+=("$product")
    done
done
if [[ "${CHAOS_SKIP_BUILD:-0}" == 1 ]]; then
    BIN="$REPO_ROOT/.build/$BUILD"
    for product in "${products[@]}"; do
        [[ -x "$BIN/$product" ]] || die "CHAOS_SKIP_BUILD=1 but $BIN/$product is missing: build it (swift build --product $product)"
    done
    say "using the built ${products[*]} in $BIN (not rebuilt)"
else
    build_flags=()
    [[ "$BUILD" == release ]] && build_flags=(-c release)
    say "building ${products[*]} ($BUILD)"
    for product in "${products[@]}"; do
        swift build "${build_flags[@]}" --product "$product" >/dev/null
    done
    BIN="$(swift build "${build_flags[@]}" --show-bin-path)"
fi

WORK="$(mktemp -d /tmp/fleet-chaos.XXXXXX)"
PIDS=()
MONITOR=""
SCHEMA=""
SCHEMAS=()
RETAINED_VEHICLES=()
cleanup() {
    # A frozen database must never be left behind.
    pg_signal CONT 2>/dev/null || true
    rm -f "$WORK"/*-monitoring "$WORK"/*-loading
    [[ -n "$MONITOR" ]] && kill "$MONITOR" 2>/dev/null || true
    for pid in "${PIDS[@]}"; do
        kill -0 "$pid" 2>/dev/null || continue
        kill -CONT "$pid" 2>/dev/null || true
        kill -9 "$pid" 2>/dev/null || true
    done
    [[ -n "$SCHEMA" ]] && psql "$FLEET_POSTGRES_URL" -Atqc "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
    for schema in "${SCHEMAS[@]}"; do
        psql "$FLEET_POSTGRES_URL" -Atqc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
    done
    clear_retained
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
    if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then
        die "the stack's Mosquitto is not running (no live pid in ${FLEET_STACK_DIR}/mosquitto/mosquitto.pid)"
    fi
    printf '%s\n' "$pid"
}
# SIGSTOP/SIGCONT to the stack's PostgreSQL only: its postmaster (postmaster.pid) and that process's children.
pg_signal() {
    local postmaster children
    postmaster="$(head -1 "$PG_BASE/data/postmaster.pid" 2>/dev/null || true)"
    [[ -n "$postmaster" ]] || return 1
    mapfile -t children < <(pgrep -P "$postmaster" || true)
    kill -"$1" "$postmaster" "${children[@]}"
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
        FLEET_MQTT_CLIENT_ID="chaos-$RUN-tracking-$n" FLEET_MQTT_SESSION_EXPIRY_SECONDS=300 FLEET_HTTP_PORT="$port" FLEET_TRACKING_SCHEMA="$SCHEMA" \
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

# The ingest experiments: fleet-sim's vehicles into fleet-tracking, one fault, every sample counted in PostgreSQL.
run_ingest() { # experiment
    replicas=1
    [[ "$1" == tracking-kill-replica ]] && replicas=2
    say "$1: $VEHICLES vehicles at 1 Hz, $replicas tracking replica(s), schema $SCHEMA"
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
    inject "$1"
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
        "$1" "$sent" "$distinct" "$lost" "$duplicated" "$fault_seconds" "$recovery_seconds" "$peak" "$resent" "$evicted" "$unconfirmed")"
    say "$line"
    RESULTS+=("$line")
    if [[ $lost -ne 0 || $duplicated -ne 0 || "$unconfirmed" != 0 ]]; then FAILURES=$((FAILURES + 1)); fi
}

# --- The delivery experiments: alerting-kill and control-kill (helpers in scripts/chaos/) ---

record_result() { # report output (summary line first), its exit status
    local line="${1%%$'\n'*}"
    say "$line"
    if [[ "$1" == *$'\n'* ]]; then printf '%s\n' "${1#*$'\n'}"; fi
    RESULTS+=("$line")
    if [[ $2 -ne 0 ]]; then FAILURES=$((FAILURES + 1)); fi
}

stop_service() { # pid name: SIGTERM, then SIGKILL after 60 s
    kill -TERM "$1" 2>/dev/null || return 0
    local deadline=$((SECONDS + 60))
    while kill -0 "$1" 2>/dev/null && [[ $SECONDS -lt $deadline ]]; do sleep 0.2; done
    if kill -0 "$1" 2>/dev/null; then
        say "$2 (pid $1) did not stop within 60 s of SIGTERM: killed"
        kill -9 "$1" 2>/dev/null || true
    fi
}

wait_gone() { # pid
    local deadline=$((SECONDS + 10))
    while kill -0 "$1" 2>/dev/null; do
        [[ $SECONDS -lt $deadline ]] || die "pid $1 is still alive 10 s after SIGKILL"
        sleep 0.05
    done
}

# A throw-away bootstrap admin token for the experiment's own fleet-control (the suite's identity service).
new_token() { python3 -c 'import secrets; print("chaos-" + secrets.token_hex(16))'; }

start_control() { # port schema: the same client id each time, so a restart resumes the persistent MQTT session
    env -u FLEET_CONTROL_PROVISIONER_USERNAME -u FLEET_CONTROL_PROVISIONER_PASSWORD \
        FLEET_SERVICE_NAME=fleet-control FLEET_MQTT_USERNAME=svc-control FLEET_MQTT_PASSWORD="$FLEET_MQTT_PASSWORD_SVC_CONTROL" \
        FLEET_MQTT_CLIENT_ID="chaos-$RUN-control" FLEET_MQTT_SESSION_EXPIRY_SECONDS=120 FLEET_HTTP_PORT="$1" \
        FLEET_CONTROL_SCHEMA="$2" FLEET_CONTROL_ADMIN_TOKEN="$TOKEN" FLEET_CONTROL_TRACK_POSITIONS=0 \
        nohup "$BIN/fleet-control" >>"$WORK/$RUN-control.log" 2>&1 </dev/null &
    echo $!
}

start_alerting() { # port, fleet-control's port (token introspection)
    FLEET_SERVICE_NAME=fleet-alerting FLEET_MQTT_USERNAME=svc-alerting FLEET_MQTT_PASSWORD="$FLEET_MQTT_PASSWORD_SVC_ALERTING" \
        FLEET_MQTT_CLIENT_ID="chaos-$RUN-alerting" FLEET_MQTT_SESSION_EXPIRY_SECONDS=120 FLEET_HTTP_PORT="$1" \
        FLEET_ALERTING_SCHEMA="$SCHEMA" FLEET_ALERTING_SHARE_GROUP="chaos$RUN" FLEET_ALERTING_RULES_FILE="$WORK/$RUN-rules.json" \
        FLEET_ALERTING_WEBHOOK_ALLOW_CIDRS=127.0.0.0/8 FLEET_ALERTING_LEASE_SECONDS=10 \
        FLEET_AUTH_INTROSPECTION_URL="http://127.0.0.1:$2/auth/introspect" \
        nohup "$BIN/fleet-alerting" >>"$WORK/$RUN-alerting.log" 2>&1 </dev/null &
    echo $!
}

json_field() { # json name
    python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"
}

# alerting-kill: fleet-alerting turns a steady stream of fault / fault_cleared events into alert.firing and
# alert.resolved webhooks to a receiver; it is killed (kill -9) the moment a webhook is in flight, restarted 3 s
# later, and every webhook is counted by the event it announces and by its delivery key (webhook-id).
run_alerting_kill() {
    local receiver_port control_port alerting_port load killed ready_at deadline quiet last open received
    local alerts outbox report rc=0
    TOKEN="$(new_token)"
    SCHEMAS=("${SCHEMA}_auth")
    say "alerting-kill: $ALERT_VEHICLES vehicles, one fault or fault_cleared event each a second, webhooks to a receiver taking $WEBHOOK_DELAY_MS ms, schema $SCHEMA"
    receiver_port="$(free_port)"
    python3 scripts/chaos/webhook_receiver.py --port "$receiver_port" --out "$WORK/$RUN-received.jsonl" --delay-ms "$WEBHOOK_DELAY_MS" \
        >>"$WORK/$RUN-receiver.log" 2>&1 </dev/null &
    RECEIVER=$!
    PIDS+=("$RECEIVER")
    control_port="$(free_port)"
    CONTROL="$(start_control "$control_port" "${SCHEMA}_auth")"
    PIDS+=("$CONTROL")
    wait_http "http://127.0.0.1:$receiver_port/_status" 30 || die "the webhook receiver did not start (log $WORK/$RUN-receiver.log)"
    wait_http "http://127.0.0.1:$control_port/health/ready" 120 || die "fleet-control did not get ready (log $WORK/$RUN-control.log)"
    # Every fault of these vehicles opens an alert (dedup key {rule}:{vehicle}); fault_cleared resolves it.
    printf '{"rules": [{"id": "chaos-fault", "event_types": ["fault"], "tags": ["%s"], "summary": "chaos fault on {vehicle}"}]}\n' \
        "$PREFIX" >"$WORK/$RUN-rules.json"
    alerting_port="$(free_port)"
    ALERTING="$(start_alerting "$alerting_port" "$control_port")"
    PIDS+=("$ALERTING")
    wait_http "http://127.0.0.1:$alerting_port/health/ready" 120 || die "fleet-alerting did not get ready (log $WORK/$RUN-alerting.log)"
    curl -fsS -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        -d "{\"url\": \"http://127.0.0.1:$receiver_port/hook\", \"event_types\": [\"alert.firing\", \"alert.resolved\"], \"description\": \"chaos $RUN\"}" \
        "http://127.0.0.1:$alerting_port/v1/webhooks" | python3 -c 'import json, sys; print(json.load(sys.stdin)["secret"])' >"$WORK/$RUN-secret" ||
        die "cannot create the webhook (log $WORK/$RUN-alerting.log)"

    touch "$WORK/$RUN-loading"
    FLEET_MQTT_USERNAME=fleetctl FLEET_MQTT_PASSWORD="$FLEET_MQTT_PASSWORD_FLEETCTL" \
        python3 scripts/chaos/alert_load.py --fleetctl "$BIN/fleetctl" --vehicles "$ALERT_VEHICLES" --prefix "${PREFIX}a" --tag "$PREFIX" \
        --out "$WORK/$RUN-events.jsonl" --stop-file "$WORK/$RUN-loading" >>"$WORK/$RUN-load.log" 2>&1 </dev/null &
    load=$!
    PIDS+=("$load")
    sleep "$STEADY"
    # The receiver sends the SIGKILL itself, the moment one of its requests is in flight (it holds each for the delay),
    # right after reading fleet-alerting's metrics (events received from the broker and applied so far).
    killed="$(curl -fsS --max-time 30 "http://127.0.0.1:$receiver_port/_kill?pid=$ALERTING&wait=10&metrics=http://127.0.0.1:$alerting_port/metrics&keep=fleet_mqtt_messages_received_total,fleet_alerting_events_total")" ||
        die "the receiver could not kill fleet-alerting"
    printf '%s\n' "$killed" >"$WORK/$RUN-killed.json"
    wait_gone "$ALERTING"
    sleep 3
    ALERTING="$(start_alerting "$alerting_port" "$control_port")"
    PIDS+=("$ALERTING")
    wait_http "http://127.0.0.1:$alerting_port/health/ready" 120 || die "fleet-alerting did not come back (log $WORK/$RUN-alerting.log)"
    ready_at="$(now)"
    sleep "$AFTER"
    rm -f "$WORK/$RUN-loading"
    wait "$load" || die "the event load failed (log $WORK/$RUN-load.log)"

    # Settled: no delivery pending or leased, and the receiver got nothing new for 3 s.
    deadline=$((SECONDS + SETTLE))
    quiet=0
    last=-1
    while [[ $SECONDS -lt $deadline ]]; do
        open="$(psql_q "SELECT count(*) FROM $SCHEMA.deliveries WHERE status IN ('pending', 'delivering')")"
        received="$(json_field "$(curl -fsS "http://127.0.0.1:$receiver_port/_status")" received)"
        if [[ "$open" == 0 && "$received" == "$last" ]]; then
            quiet=$((quiet + 1))
            [[ $quiet -lt 3 ]] || break
        else
            quiet=0
        fi
        last="$received"
        sleep 1
    done
    psql_q "SELECT event_id FROM $SCHEMA.seen_events WHERE event_id LIKE '${PREFIX}a-e%'" >"$WORK/$RUN-seen.txt"
    alerts="$(psql_q "SELECT count(*) FROM $SCHEMA.alerts")"
    outbox="$(psql_q "SELECT string_agg(status || ' ' || n, ', ' ORDER BY status) FROM (SELECT status, count(*) AS n FROM $SCHEMA.deliveries GROUP BY status) AS s")"
    curl -fsS "http://127.0.0.1:$alerting_port/metrics" >"$WORK/$RUN-metrics-after.txt" || true
    stop_service "$ALERTING" fleet-alerting
    stop_service "$CONTROL" fleet-control
    stop_service "$RECEIVER" "the webhook receiver"

    report="$(python3 scripts/chaos/report.py alerting --events "$WORK/$RUN-events.jsonl" --received "$WORK/$RUN-received.jsonl" \
        --secret-file "$WORK/$RUN-secret" --killed "$WORK/$RUN-killed.json" --ready "$ready_at" --seen "$WORK/$RUN-seen.txt" \
        --metrics-after "$WORK/$RUN-metrics-after.txt" \
        --alerts "$alerts" --outbox "$outbox")" || rc=$?
    [[ $rc -le 1 && -n "$report" ]] || die "cannot count alerting-kill (exit $rc): $report"
    record_result "$report" "$rc"
}

# Clears the retained state and desired state the experiment's vehicles left on the broker (an empty retained
# message each). A publish that fails is tried again; after three failures the broker is taken to be away.
clear_retained() {
    [[ ${#RETAINED_VEHICLES[@]} -gt 0 ]] || return 0
    local vehicle channel failures=0
    for vehicle in "${RETAINED_VEHICLES[@]}"; do
        for channel in state desired; do
            until FLEET_MQTT_USERNAME=fleetctl FLEET_MQTT_PASSWORD="$FLEET_MQTT_PASSWORD_FLEETCTL" "$BIN/fleetctl" mqtt pub \
                --topic "fleet/v1/vehicles/$vehicle/$channel" --retain --message '' >/dev/null 2>&1; do
                failures=$((failures + 1))
                if [[ $failures -ge 3 ]]; then
                    say "could not clear the retained state of ${RETAINED_VEHICLES[0]%-*}-* on the broker"
                    RETAINED_VEHICLES=()
                    return 0
                fi
            done
        done
    done
    RETAINED_VEHICLES=()
}

# control-kill: a client sends pause/resume commands through fleet-control's API to fleet-sim's vehicles, each with an
# Idempotency-Key, retrying what gets no answer with the same key; fleet-control is killed (kill -9) the moment a
# request is in flight, restarted 3 s later, and every command is followed to the vehicle's answer.
run_control_kill() {
    local prefix="${PREFIX}c" control_port sim_port observer load ready_at deadline pending vehicle i report rc=0
    TOKEN="$(new_token)"
    say "control-kill: $COMMAND_RATE commands a second (pause/resume with an Idempotency-Key) to $COMMAND_VEHICLES simulated vehicles, schema $SCHEMA"
    control_port="$(free_port)"
    CONTROL="$(start_control "$control_port" "$SCHEMA")"
    PIDS+=("$CONTROL")
    wait_http "http://127.0.0.1:$control_port/health/ready" 120 || die "fleet-control did not get ready (log $WORK/$RUN-control.log)"
    for ((i = 1; i <= COMMAND_VEHICLES; i++)); do RETAINED_VEHICLES+=("$(printf '%s-%04d' "$prefix" "$i")"); done
    sim_port="$(free_port)"
    FLEET_SERVICE_NAME=fleet-sim FLEET_MQTT_USERNAME=fleet-sim FLEET_MQTT_PASSWORD="$FLEET_MQTT_PASSWORD_FLEET_SIM" \
        FLEET_MQTT_CLIENT_ID="chaos-$RUN-sim" FLEET_HTTP_PORT="$sim_port" FLEET_SIM_VEHICLES="$COMMAND_VEHICLES" \
        FLEET_SIM_ID_PREFIX="$prefix" FLEET_SIM_FAULT_RATE=0 FLEET_SIM_DEGRADED_VEHICLES=0 \
        nohup "$BIN/fleet-sim" run >>"$WORK/$RUN-sim.log" 2>&1 </dev/null &
    SIM=$!
    PIDS+=("$SIM")
    wait_http "http://127.0.0.1:$sim_port/health/ready" 120 || die "fleet-sim did not get ready (log $WORK/$RUN-sim.log)"
    # Every command and every answer on the wire, for the counts of resends and executions.
    FLEET_MQTT_USERNAME=fleetctl FLEET_MQTT_PASSWORD="$FLEET_MQTT_PASSWORD_FLEETCTL" \
        nohup "$BIN/fleetctl" mqtt sub --topic 'fleet/v1/vehicles/+/commands/#' --output json \
        >"$WORK/$RUN-observed.jsonl" 2>>"$WORK/$RUN-observer.log" </dev/null &
    observer=$!
    PIDS+=("$observer")
    # fleet-control learns the vehicles from their retained states.
    deadline=$((SECONDS + 60))
    for vehicle in "${RETAINED_VEHICLES[@]}"; do
        until curl -fs -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$control_port/v1/vehicles/$vehicle"; do
            [[ $SECONDS -lt $deadline ]] || die "fleet-control does not know $vehicle after 60 s (log $WORK/$RUN-control.log)"
            sleep 0.3
        done
    done
    kill -0 "$observer" 2>/dev/null || die "the command observer stopped (log $WORK/$RUN-observer.log)"

    touch "$WORK/$RUN-loading"
    CHAOS_TOKEN="$TOKEN" python3 scripts/chaos/command_load.py --url "http://127.0.0.1:$control_port" --vehicles "$COMMAND_VEHICLES" \
        --prefix "$prefix" --rate "$COMMAND_RATE" --ttl 60 --out "$WORK/$RUN-requests.jsonl" --stop-file "$WORK/$RUN-loading" \
        --kill-pid "$CONTROL" --kill-after "$STEADY" --kill-record "$WORK/$RUN-killed.json" --observed "$WORK/$RUN-observed.jsonl" \
        >>"$WORK/$RUN-load.log" 2>&1 </dev/null &
    load=$!
    PIDS+=("$load")
    # The client sends the SIGKILL itself, the moment one of its requests is in flight while a vehicle's answer has just
    # gone over the broker (seen by the observer, so fleet-control is receiving it too).
    deadline=$((SECONDS + STEADY + 30))
    until [[ -s "$WORK/$RUN-killed.json" ]]; do
        [[ $SECONDS -lt $deadline ]] || die "the command load did not kill fleet-control (log $WORK/$RUN-load.log)"
        kill -0 "$load" 2>/dev/null || die "the command load stopped (log $WORK/$RUN-load.log)"
        sleep 0.05
    done
    wait_gone "$CONTROL"
    sleep 3
    CONTROL="$(start_control "$control_port" "$SCHEMA")"
    PIDS+=("$CONTROL")
    wait_http "http://127.0.0.1:$control_port/health/ready" 120 || die "fleet-control did not come back (log $WORK/$RUN-control.log)"
    ready_at="$(now)"
    sleep "$AFTER"
    rm -f "$WORK/$RUN-loading"
    wait "$load" || die "the command load failed (log $WORK/$RUN-load.log)"

    # Settled: every command answered for good (completed, failed, rejected) or expired.
    deadline=$((SECONDS + SETTLE))
    while true; do
        pending="$(psql_q "SELECT count(*) FROM $SCHEMA.commands WHERE vehicle_id LIKE '$prefix-%' AND status IN ('pending', 'sent', 'acknowledged')")"
        [[ "$pending" != 0 && $SECONDS -lt $deadline ]] || break
        sleep 1
    done
    psql "$FLEET_POSTGRES_URL" -AtqF $'\t' -c "SELECT c.id, coalesce(c.reason, ''), c.status, extract(epoch FROM c.created_at),
            coalesce((SELECT extract(epoch FROM min(t.at))::text FROM $SCHEMA.command_transitions t
                      WHERE t.command_id = c.id AND t.status = 'completed'), '')
        FROM $SCHEMA.commands c WHERE c.vehicle_id LIKE '$prefix-%'" >"$WORK/$RUN-commands.tsv" ||
        die "cannot read the commands in $SCHEMA"
    stop_service "$SIM" fleet-sim
    sleep 1 # the observer's last answers
    stop_service "$observer" "the command observer"
    stop_service "$CONTROL" fleet-control
    clear_retained

    report="$(python3 scripts/chaos/report.py control --requests "$WORK/$RUN-requests.jsonl" --commands "$WORK/$RUN-commands.tsv" \
        --sim-log "$WORK/$RUN-sim.log" --observed "$WORK/$RUN-observed.jsonl" --prefix "$prefix" --killed "$WORK/$RUN-killed.json" \
        --ready "$ready_at")" || rc=$?
    [[ $rc -le 1 && -n "$report" ]] || die "cannot count control-kill (exit $rc): $report"
    record_result "$report" "$rc"
}

FAILURES=0
RESULTS=()
for experiment in "${experiments[@]}"; do
    RUN="$(date +%s%N | tail -c 8)"
    SCHEMA="chaos_$RUN"
    PREFIX="chaos$RUN"
    case "$experiment" in
        alerting-kill) run_alerting_kill ;;
        control-kill) run_control_kill ;;
        *) run_ingest "$experiment" ;;
    esac
    psql_q "DROP SCHEMA $SCHEMA CASCADE" >/dev/null 2>&1 || true
    for schema in "${SCHEMAS[@]}"; do psql_q "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true; done
    SCHEMA=""
    SCHEMAS=()
    MONITOR=""
done

printf '\n=== chaos: %d experiment(s), %s s of load before and %s s after each fault (logs in %s)\n' \
    "${#experiments[@]}" "$STEADY" "$AFTER" "$WORK"
printf '%s\n' "${RESULTS[@]}"
if [[ $FAILURES -gt 0 ]]; then
    printf '=== chaos: %d experiment(s) lost or duplicated messages\n' "$FAILURES"
    exit 1
fi
printf '=== chaos: zero lost and zero duplicated in every experiment\n'
