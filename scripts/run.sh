#!/usr/bin/env bash
# THE run-everything command.
#
#   scripts/run.sh          install missing packages, start the local stack (Mosquitto +
#                           PostgreSQL), build fleetctl and every service in release mode, start
#                           the services in the background, then the monitoring (the broker
#                           exporter, Alertmanager, Prometheus; README.md#observability), print
#                           how to use it all
#   scripts/run.sh stop     stop the monitoring and the services this script started, then the stack
#   scripts/run.sh status   show the stack and the services
#
# Services: add one line to SERVICES below: "<product>:<mqtt account>", the product name of
# Package.swift and its MQTT user from config/mosquitto/service-accounts (":<account>" may be left
# off; the service then gets the admin account). Each is built with
# `swift build -c release --product <product>`, started with the stack's environment
# (scripts/stack.sh env) plus FLEET_SERVICE_NAME=<product> and FLEET_MQTT_USERNAME /
# FLEET_MQTT_PASSWORD of its own account, logs to .stack/logs/<product>.log, and its pid is kept
# in .stack/run/<product>.pid.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

# Long-running service executables, started in this order. Example line:
#   fleet-tracking:svc-tracking
SERVICES=(
    fleet-control:svc-control   # first: the others check tokens with it, and tracking's reports need a token from it
    fleet-alerting:svc-alerting # before tracking: its event subscription exists when tracking's first report_ready goes out
    fleet-tracking:svc-tracking
    fleet-health:svc-health
    fleet-routing:svc-routing
    fleet-sim:fleet-sim  # keep last: the simulator needs the services above to be up
)
# Command-line tools that are only built.
TOOLS=(fleetctl)

# shellcheck source=scripts/lib/path.sh
source "$REPO_ROOT/scripts/lib/path.sh"

STACK_DIR="${FLEET_STACK_DIR:-$REPO_ROOT/.stack}"
LOG_DIR="$STACK_DIR/logs"
RUN_DIR="$STACK_DIR/run"

say() { printf '[run] %s\n' "$*"; }
die() { printf '[run] ERROR: %s\n' "$*" >&2; exit 1; }

product_of() { printf '%s\n' "${1%%:*}"; }

# Default HTTP port of each service (its FLEET_HTTP_PORT default).
http_port_of() {
    case "$1" in
        fleet-tracking) echo 8081 ;;
        fleet-control) echo 8082 ;;
        fleet-alerting) echo 8083 ;;
        fleet-health) echo 8084 ;;
        fleet-routing) echo 8085 ;;
        fleet-sim) echo 8089 ;;
        *) echo "" ;;
    esac
}

account_of() {
    case "$1" in
        *:*) printf '%s\n' "${1#*:}" ;;
        *) printf '\n' ;;
    esac
}

service_pid() {
    local pidfile="$RUN_DIR/$1.pid" pid
    [[ -f "$pidfile" ]] || return 1
    pid="$(cat "$pidfile")"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
    printf '%s\n' "$pid"
}

stop_services() {
    local i svc pid n
    # Reverse order of start.
    for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do
        svc="$(product_of "${SERVICES[$i]}")"
        if pid="$(service_pid "$svc")"; then
            say "stopping $svc (pid $pid)"
            kill -TERM "$pid" 2>/dev/null || true
            for n in $(seq 1 50); do
                kill -0 "$pid" 2>/dev/null || break
                if [[ $n == 50 ]]; then
                    say "$svc did not exit within 10 s; SIGKILL"
                    kill -KILL "$pid" 2>/dev/null || true
                fi
                sleep 0.2
            done
        fi
        rm -f "$RUN_DIR/$svc.pid"
    done
}

# Demo webhook receiver for fleet-alerting: `fleetctl webhooks receive` on 127.0.0.1:9099, subscribed to every alert,
# printing each delivery (log .stack/logs/webhook-receiver.log) with its signature checked.
start_demo_receiver() {
    local bin_dir="$1" port="${FLEET_DEMO_RECEIVER_PORT:-9099}" url="http://127.0.0.1:8083" secret pid existing json
    [[ " ${SERVICES[*]} " == *" fleet-alerting:"* ]] || return 0
    if pid="$(service_pid webhook-receiver)"; then kill -TERM "$pid" 2>/dev/null || true; fi
    for _ in $(seq 1 50); do curl -fsS "$url/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
    # Reuse the demo subscription of an earlier start (rotating its secret), or create it.
    existing="$("$bin_dir/fleetctl" webhooks list --url "$url" --json 2>/dev/null | python3 -c '
import json, sys
hooks = [w for w in json.load(sys.stdin).get("webhooks", []) if w.get("description") == "demo-receiver"]
print(hooks[0]["id"] if hooks else "")' 2>/dev/null)" || existing=""
    if [[ -n "$existing" ]]; then
        json="$("$bin_dir/fleetctl" webhooks rotate --url "$url" --json "$existing")" || return 0
    else
        json="$("$bin_dir/fleetctl" webhooks create --url "$url" --description demo-receiver --json "http://127.0.0.1:$port/")" \
            || { say "could not subscribe the demo receiver"; return 0; }
    fi
    secret="$(printf '%s' "$json" | python3 -c 'import json, sys; print(json.load(sys.stdin)["secret"])')"  || return 0
    say "starting the demo webhook receiver on 127.0.0.1:$port (log $LOG_DIR/webhook-receiver.log)"
    FLEET_WEBHOOK_SECRET="$secret" nohup "$bin_dir/fleetctl" webhooks receive --port "$port" \
        >>"$LOG_DIR/webhook-receiver.log" 2>&1 </dev/null &
    echo $! >"$RUN_DIR/webhook-receiver.pid"
}

# --- Monitoring: the broker exporter, Alertmanager and Prometheus on loopback (README.md#observability) ---------------
PROMETHEUS_PORT=9090
ALERTMANAGER_PORT=9093
BROKER_EXPORTER_PORT=8090
MONITORING=(prometheus alertmanager broker-exporter)

stop_monitoring() {
    local name pid
    for name in "${MONITORING[@]}"; do
        if pid="$(service_pid "$name")"; then
            say "stopping $name (pid $pid)"
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
            kill -KILL "$pid" 2>/dev/null || true
        fi
        rm -f "$RUN_DIR/$name.pid"
    done
}

# start_background NAME LOG COMMAND...: a long-running helper process with its pid in .stack/run/NAME.pid.
start_background() {
    local name="$1" logfile="$2"
    shift 2
    nohup "$@" >>"$logfile" 2>&1 </dev/null &
    echo $! >"$RUN_DIR/$name.pid"
}

# Grafana's read-only database role (config/grafana/postgres-readonly.sql), for a Grafana pointed at this database;
# its password is kept in .stack/grafana-db-password.
grafana_role() {
    local password_file="$STACK_DIR/grafana-db-password"
    [[ -s "$password_file" ]] || (umask 077 && od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$password_file")
    PGPASSWORD="$FLEET_POSTGRES_PASSWORD" psql -X -q -h "$FLEET_POSTGRES_HOST" -p "$FLEET_POSTGRES_PORT" \
        -U "$FLEET_POSTGRES_USER" -d "$FLEET_POSTGRES_DATABASE" -v ON_ERROR_STOP=1 \
        -v grafana_password="$(cat "$password_file")" -f config/grafana/postgres-readonly.sql >/dev/null \
        || say "WARNING: could not create Grafana's read-only role (config/grafana/postgres-readonly.sql)"
}

start_monitoring() {
    local bin_dir="$1" dir
    stop_monitoring
    say "starting the broker exporter on 127.0.0.1:$BROKER_EXPORTER_PORT (log $LOG_DIR/broker-exporter.log)"
    start_background broker-exporter "$LOG_DIR/broker-exporter.log" "$bin_dir/fleetctl" broker exporter \
        --listen "127.0.0.1:$BROKER_EXPORTER_PORT"

    # Alertmanager forwards every alert to fleet-alerting with a token of its own (alerts:write).
    dir="$STACK_DIR/alertmanager"
    mkdir -p "$dir/data"
    service_token "$bin_dir" alertmanager/alertmanager-token fleet-alertmanager alerts:write >/dev/null
    cp config/alertmanager/alertmanager.yml "$dir/alertmanager.yml"
    say "starting Alertmanager on 127.0.0.1:$ALERTMANAGER_PORT (log $LOG_DIR/alertmanager.log)"
    start_background alertmanager "$LOG_DIR/alertmanager.log" prometheus-alertmanager \
        --config.file="$dir/alertmanager.yml" --storage.path="$dir/data" \
        --web.listen-address="127.0.0.1:$ALERTMANAGER_PORT" --cluster.listen-address=

    dir="$STACK_DIR/prometheus"
    mkdir -p "$dir/data"
    rm -rf "$dir/rules"
    cp -r config/prometheus/rules "$dir/rules"
    cp config/prometheus/prometheus.yml "$dir/prometheus.yml"
    say "starting Prometheus on 127.0.0.1:$PROMETHEUS_PORT (log $LOG_DIR/prometheus.log)"
    start_background prometheus "$LOG_DIR/prometheus.log" prometheus --config.file="$dir/prometheus.yml" \
        --storage.tsdb.path="$dir/data" --storage.tsdb.retention.time=15d \
        --web.listen-address="127.0.0.1:$PROMETHEUS_PORT"

    grafana_role
    # Every target up (one scrape interval after start): show the list.
    local targets n
    for n in $(seq 1 60); do
        targets="$(curl -fsS "http://127.0.0.1:$PROMETHEUS_PORT/api/v1/targets" 2>/dev/null | python3 -c '
import json, sys
active = json.load(sys.stdin)["data"]["activeTargets"]
for t in sorted(active, key=lambda t: t["labels"]["job"]):
    print("  %-15s %-8s %s  %s" % (t["labels"]["job"], t["health"], t["scrapeUrl"], t.get("lastError", "")))
' 2>/dev/null)" || targets=""
        if [[ -n "$targets" ]] && ! grep -qv ' up ' <<<"$targets"; then break; fi
        [[ $n == 60 ]] && say "WARNING: not every Prometheus target is up after 30 s:"
        sleep 0.5
    done
    PROMETHEUS_TARGETS="$targets"
}

cmd_stop() {
    if pid="$(service_pid webhook-receiver)"; then kill -TERM "$pid" 2>/dev/null || true; fi
    stop_monitoring
    stop_services
    scripts/stack.sh stop
}

# A fleet-control token of a service's own (BIN_DIR FILE NAME SCOPE): kept in the stack's state directory as FILE, made
# again when fleet-control no longer knows it (a dropped schema, a revocation).
service_token() {
    local bin_dir="$1" file="$STACK_DIR/$2" name="$3" scope="$4" n token
    for n in $(seq 1 120); do
        curl -fsS "http://127.0.0.1:8082/health/ready" >/dev/null 2>&1 && break
        sleep 0.5
    done
    if [[ -s "$file" ]] && curl -fsS -H "Authorization: Bearer $(cat "$file")" "http://127.0.0.1:8082/auth/introspect" 2>/dev/null | grep -q '"active":true'; then
        cat "$file"
        return
    fi
    token="$("$bin_dir/fleetctl" tokens create --api http://127.0.0.1:8082 --name "$name" --scope "$scope" -o json |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')" || die "could not create the token $name ($scope)"
    (umask 077 && printf '%s\n' "$token" >"$file")
    printf '%s\n' "$token"
}

# fleet-health's registry reads: fleet:read.
registry_token() { service_token "$1" health-registry-token fleet-health-registry fleet:read; }
reports_token() { service_token "$1" tracking-reports-token fleet-tracking-reports fleet:read; }
# fleet-routing's dispatch (follow_route commands through fleet-control): commands:write.
routing_control_token() { service_token "$1" routing-control-token fleet-routing-dispatch commands:write; }

cmd_status() {
    local entry svc pid rc=0
    scripts/stack.sh status || rc=1
    for svc in $(for entry in "${SERVICES[@]}"; do product_of "$entry"; done) "${MONITORING[@]}"; do
        if pid="$(service_pid "$svc")"; then
            echo "$(printf '%-12s' "$svc:") running (pid $pid), log $LOG_DIR/$svc.log"
        else
            echo "$(printf '%-12s' "$svc:") stopped"
            rc=1
        fi
    done
    return "$rc"
}

cmd_start() {
    scripts/stack.sh install
    scripts/stack.sh start
    local stack_env
    stack_env="$(scripts/stack.sh env)"
    eval "$stack_env"
    # fleet-control's bootstrap admin token: generated once, kept in the stack's state directory.
    mkdir -p "$STACK_DIR"
    if [[ ! -s "$STACK_DIR/control-admin-token" ]]; then
        (umask 077 && printf 'fct_%s\n' "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" >"$STACK_DIR/control-admin-token")
    fi
    FLEET_CONTROL_ADMIN_TOKEN="$(cat "$STACK_DIR/control-admin-token")"
    # fleetctl (the demo receiver's set-up below) uses the same token on every service.
    export FLEET_TOKEN="$FLEET_CONTROL_ADMIN_TOKEN"
    # The broker-admin account for vehicle credentials goes to fleet-control only.
    local provisioner_user="${FLEET_CONTROL_PROVISIONER_USERNAME:-}" provisioner_password="${FLEET_CONTROL_PROVISIONER_PASSWORD:-}"
    unset FLEET_CONTROL_PROVISIONER_USERNAME FLEET_CONTROL_PROVISIONER_PASSWORD

    local entry product bin_dir
    for product in "${TOOLS[@]}"; do
        say "building $product (release)"
        swift build -c release --product "$product"
    done
    for entry in "${SERVICES[@]}"; do
        product="$(product_of "$entry")"
        say "building $product (release)"
        swift build -c release --product "$product"
    done
    bin_dir="$(swift build -c release --show-bin-path)"

    mkdir -p "$LOG_DIR" "$RUN_DIR"
    # fleet-alerting may deliver webhooks to the loopback demo receiver (started below), and loads the example rules
    # (fault codes, low battery and fuel, fuel drops, overheating, silence, maintenance…) unless told otherwise.
    export FLEET_ALERTING_WEBHOOK_ALLOW_CIDRS="${FLEET_ALERTING_WEBHOOK_ALLOW_CIDRS:-127.0.0.0/8}"
    export FLEET_ALERTING_RULES_FILE="${FLEET_ALERTING_RULES_FILE:-$REPO_ROOT/config/alerting/rules.example.json}"
    # fleet-health reads vehicle tags from fleet-control's registry.
    export FLEET_HEALTH_REGISTRY_URL="${FLEET_HEALTH_REGISTRY_URL:-http://127.0.0.1:8082}"
    # fleet-routing dispatches plans as follow_route commands through fleet-control's command API.
    export FLEET_ROUTING_CONTROL_URL="${FLEET_ROUTING_CONTROL_URL:-http://127.0.0.1:8082}"
    # The operator console (served by fleet-tracking at /console/) calls every service from the browser.
    export FLEET_HTTP_CORS_ORIGINS="${FLEET_HTTP_CORS_ORIGINS:-http://127.0.0.1:8081}"
    local svc account user password var pid
    for entry in "${SERVICES[@]}"; do
        svc="$(product_of "$entry")"
        account="$(account_of "$entry")"
        user="$FLEET_MQTT_USERNAME"
        password="$FLEET_MQTT_PASSWORD"
        if [[ -n "$account" ]]; then
            var="${account^^}"
            var="FLEET_MQTT_PASSWORD_${var//-/_}"
            [[ -n "${!var:-}" ]] || die "$svc: no MQTT account '$account' (see config/mosquitto/service-accounts)"
            user="$account"
            password="${!var}"
        fi
        if pid="$(service_pid "$svc")"; then
            say "$svc already running (pid $pid); restarting it with the new build"
            kill -TERM "$pid" 2>/dev/null || true
            while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
        fi
        say "starting $svc as MQTT user $user (log $LOG_DIR/$svc.log)"
        local extra=()
        if [[ "$svc" == fleet-control && -n "$provisioner_user" ]]; then
            extra=(FLEET_CONTROL_PROVISIONER_USERNAME="$provisioner_user" FLEET_CONTROL_PROVISIONER_PASSWORD="$provisioner_password")
        fi
        # FLEET_CONTROL_ADMIN_TOKEN is fleet-control's alone; the others check tokens with it.
        if [[ "$svc" == fleet-control ]]; then extra+=(FLEET_CONTROL_ADMIN_TOKEN="$FLEET_CONTROL_ADMIN_TOKEN"); fi
        # fleet-tracking archives expired days into the stack's S3 server (moto) and makes the weekly report on its own
        # timer, asking the other services for their records with a fleet:read token of its own.
        if [[ "$svc" == fleet-tracking ]]; then
            extra+=(FLEET_ARCHIVE_S3_ENDPOINT="${FLEET_ARCHIVE_S3_ENDPOINT:-$FLEET_STACK_S3_ENDPOINT}"
                FLEET_ARCHIVE_S3_BUCKET="${FLEET_ARCHIVE_S3_BUCKET:-$FLEET_STACK_S3_BUCKET}"
                FLEET_ARCHIVE_S3_ACCESS_KEY_ID="${FLEET_ARCHIVE_S3_ACCESS_KEY_ID:-$FLEET_STACK_S3_ACCESS_KEY_ID}"
                FLEET_ARCHIVE_S3_SECRET_ACCESS_KEY="${FLEET_ARCHIVE_S3_SECRET_ACCESS_KEY:-$FLEET_STACK_S3_SECRET_ACCESS_KEY}"
                FLEET_ARCHIVE_CREATE_BUCKET=true
                FLEET_REPORTS_ALERTING_URL=http://127.0.0.1:8083 FLEET_REPORTS_CONTROL_URL=http://127.0.0.1:8082
                FLEET_REPORTS_HEALTH_URL=http://127.0.0.1:8084 FLEET_REPORTS_ROUTING_URL=http://127.0.0.1:8085
                FLEET_REPORTS_WEEKLY="${FLEET_REPORTS_WEEKLY:-true}" FLEET_REPORTS_TOKEN="$(reports_token "$bin_dir")")
        fi
        # fleet-health reads the registry with a fleet:read token of its own (made once fleet-control is up).
        if [[ "$svc" == fleet-health ]]; then extra+=(FLEET_HEALTH_REGISTRY_TOKEN="$(registry_token "$bin_dir")"); fi
        # fleet-routing dispatches with a commands:write token of its own (made once fleet-control is up).
        if [[ "$svc" == fleet-routing ]]; then extra+=(FLEET_ROUTING_CONTROL_TOKEN="$(routing_control_token "$bin_dir")"); fi
        env -u FLEET_CONTROL_ADMIN_TOKEN -u FLEET_TOKEN FLEET_SERVICE_NAME="$svc" FLEET_MQTT_USERNAME="$user" FLEET_MQTT_PASSWORD="$password" \
            "${extra[@]}" nohup "$bin_dir/$svc" >>"$LOG_DIR/$svc.log" 2>&1 </dev/null &
        echo $! >"$RUN_DIR/$svc.pid"
    done
    local port n
    for entry in "${SERVICES[@]}"; do
        svc="$(product_of "$entry")"
        port="$(http_port_of "$svc")"
        for n in $(seq 1 120); do
            service_pid "$svc" >/dev/null || die "$svc exited right after start; see $LOG_DIR/$svc.log"
            [[ -z "$port" ]] && break
            curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
            [[ $n == 120 ]] && say "WARNING: $svc is not ready after 60 s; see $LOG_DIR/$svc.log"
            sleep 0.5
        done
    done

    start_demo_receiver "$bin_dir"
    PROMETHEUS_TARGETS=""
    start_monitoring "$bin_dir"

    cat <<EOF

Fleet is running.
  MQTT broker:  mqtt://$FLEET_MQTT_HOST:$FLEET_MQTT_PORT  (admin user $FLEET_MQTT_USERNAME; passwords in $STACK_DIR/credentials.env)
  PostgreSQL:   postgres://$FLEET_POSTGRES_USER:$FLEET_POSTGRES_PASSWORD@$FLEET_POSTGRES_HOST:$FLEET_POSTGRES_PORT/$FLEET_POSTGRES_DATABASE
  fleetctl:     $bin_dir/fleetctl
  Admin token:  $STACK_DIR/control-admin-token  (mode 0600; works on every service: fleetctl login < that file)
  Console:      http://127.0.0.1:8081/console/  (the live map; log in with the admin token below or any fleet:read token)
  Control API:  http://127.0.0.1:8082  (also the identity service: GET /auth/introspect)
  Logs:         $LOG_DIR/
  Prometheus:   http://127.0.0.1:$PROMETHEUS_PORT  (targets: /targets, alerts: /alerts; rules from config/prometheus/rules)
  Alertmanager: http://127.0.0.1:$ALERTMANAGER_PORT  (forwards to fleet-alerting POST /v1/platform-alerts → your webhooks)
  Broker stats: http://127.0.0.1:$BROKER_EXPORTER_PORT/metrics  (fleetctl broker exporter)
  Object store: $FLEET_STACK_S3_ENDPOINT bucket $FLEET_STACK_S3_BUCKET (moto, in memory: the cold archive and the reports)
  Grafana:      docker-compose (README.md#observability); the read-only database role fleet_grafana's password is in $STACK_DIR/grafana-db-password

Prometheus targets:
$PROMETHEUS_TARGETS
EOF
    for entry in "${SERVICES[@]}"; do
        svc="$(product_of "$entry")"
        port="$(http_port_of "$svc")"
        printf '  %-15s %s  (pid %s, log %s)\n' "$svc:" "${port:+http://127.0.0.1:$port}" "$(cat "$RUN_DIR/$svc.pid")" "$LOG_DIR/$svc.log"
    done
    cat <<EOF

Use it from a shell:
  eval "\$(scripts/stack.sh env)"
  export PATH="$bin_dir:\$PATH"
  fleetctl mqtt sub --topic 'fleet/v1/vehicles/+/telemetry' --count 1 &
  fleetctl mqtt pub --topic fleet/v1/vehicles/demo-1/telemetry --qos 1 --message "{\"v\":1,\"vehicle_id\":\"demo-1\",\"seq\":1,\"device_time_ms\":\$(date +%s%3N),\"position\":{\"lat\":43.7384,\"lon\":7.4246},\"speed_mps\":8.5,\"heading_deg\":90,\"odometer_m\":1200,\"battery_pct\":81,\"status\":\"moving\",\"fault_codes\":[]}"
  fleetctl login < $STACK_DIR/control-admin-token          # one token for every service, saved for fleetctl
  curl -s -H "Authorization: Bearer \$(cat $STACK_DIR/control-admin-token)" http://127.0.0.1:8081/v1/vehicles/demo-1
  fleetctl vehicles provision robot-1 --tag depot-a         # broker account + HTTP token for a real vehicle, shown once
  fleetctl vehicles list
  fleetctl pause demo-1 --reason "demo"      # then: fleetctl resume demo-1
  fleetctl routes optimize -f request.json   # plan on the roads (README.md#fleet-routing); then: fleetctl routes dispatch <plan id>
  fleetctl routes jams
  fleetctl reports create --last-week && fleetctl reports list   # weekly fleet report (CSV + HTML); also made on a timer
  fleetctl archive list                      # days archived to object storage (fleetctl archive restore --day …)
  fleetctl bench mqtt
  fleetctl bench codec
  psql "\$FLEET_POSTGRES_URL"

Stop everything:   scripts/run.sh stop      (stack state is kept; scripts/stack.sh wipe deletes it)
EOF
}

case "${1:-start}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    -h | --help | help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' ;;
    *) die "usage: scripts/run.sh [start|stop|status]" ;;
esac
