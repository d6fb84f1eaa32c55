#!/usr/bin/env bash
# Fleet local stack: Mosquitto 2.0 + PostgreSQL 15 on loopback, all state under .stack/.
#
#   scripts/stack.sh install          apt-get install whatever is missing (Debian 12)
#   scripts/stack.sh start            initialise on first use, start both, wait until ready
#   scripts/stack.sh stop             graceful stop (mosquitto saves its persistence file)
#   scripts/stack.sh restart-broker   [--hard]  restart Mosquitto only (--hard: SIGKILL, no save)
#   scripts/stack.sh status           show what runs; exit 0 only if both are up
#   scripts/stack.sh env              print `export` lines:  eval "$(scripts/stack.sh env)"
#   scripts/stack.sh wipe             stop and delete all stack state
#
# Environment: FLEET_MQTT_PORT (default 11883), FLEET_POSTGRES_PORT (default 15432),
# FLEET_STACK_DIR (default <repo>/.stack). Progress goes to stderr; stdout carries only the
# output of `env` and `status`. See docs/local-stack.md.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK_DIR="${FLEET_STACK_DIR:-$REPO_ROOT/.stack}"
CONFIG_DIR="$REPO_ROOT/config/mosquitto"

MOSQUITTO_BIN=/usr/sbin/mosquitto
PG_BIN=/usr/lib/postgresql/15/bin   # Debian's versioned path; never a pg_ctl found on PATH
MQTT_HOST=127.0.0.1
PG_HOST=127.0.0.1
PG_USER=fleet
PG_PASSWORD=fleet
PG_DATABASE=fleet
ADMIN_MQTT_USER=fleetctl
APT_PACKAGES=(mosquitto mosquitto-clients libmosquitto-dev postgresql-15 postgresql-client-15 pkg-config zlib1g-dev)

MQ_DIR="$STACK_DIR/mosquitto"
MQ_CONF="$MQ_DIR/mosquitto.conf"
MQ_PASSWD="$MQ_DIR/passwd"
MQ_PID="$MQ_DIR/mosquitto.pid"
MQ_DATA="$MQ_DIR/data"
LOG_DIR="$STACK_DIR/logs"
MQ_LOG="$LOG_DIR/mosquitto.log"
CREDENTIALS="$STACK_DIR/credentials.env"
PORTS_FILE="$STACK_DIR/ports.env"
PG_LOCATION_FILE="$STACK_DIR/postgres.location"

log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }

is_root() { [[ "$(id -u)" == 0 ]]; }

# ---------------------------------------------------------------------------------------------
# Ports: an explicit FLEET_*_PORT wins; otherwise the ports recorded by the last `start`;
# otherwise the defaults.
load_ports() {
    local rec_mqtt="" rec_pg=""
    if [[ -f "$PORTS_FILE" ]]; then
        rec_mqtt="$(sed -n 's/^MQTT_PORT=//p' "$PORTS_FILE")"
        rec_pg="$(sed -n 's/^POSTGRES_PORT=//p' "$PORTS_FILE")"
    fi
    MQTT_PORT="${FLEET_MQTT_PORT:-${rec_mqtt:-11883}}"
    PG_PORT="${FLEET_POSTGRES_PORT:-${rec_pg:-15432}}"
    [[ "$MQTT_PORT" =~ ^[0-9]+$ ]] || die "FLEET_MQTT_PORT must be a number (got '$MQTT_PORT')"
    [[ "$PG_PORT" =~ ^[0-9]+$ ]] || die "FLEET_POSTGRES_PORT must be a number (got '$PG_PORT')"
}

record_ports() {
    printf 'MQTT_PORT=%s\nPOSTGRES_PORT=%s\n' "$MQTT_PORT" "$PG_PORT" >"$PORTS_FILE"
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL location. initdb/postgres refuse to run as root, so as root they run as the
# `postgres` user, which must be able to reach the data directory. Normally that is
# .stack/postgres; if a parent directory is not traversable by `postgres` (e.g. a clone under a
# mode-700 /root) or the Unix socket path would be too long, a directory under /tmp named after a
# hash of the stack directory path is used instead. The choice is recorded in .stack/postgres.location.
pg_run() {
    if is_root; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

resolve_pg_base() {
    if [[ -f "$PG_LOCATION_FILE" ]]; then
        PG_BASE="$(cat "$PG_LOCATION_FILE")"
    else
        PG_BASE="$STACK_DIR/postgres"
    fi
    PG_DATA="$PG_BASE/data"
    PG_SOCKET_DIR="$PG_BASE/run"
    PG_LOG="$PG_BASE/postgres.log"
}

choose_pg_base() {
    [[ -f "$PG_LOCATION_FILE" ]] && { resolve_pg_base; return; }
    local base="$STACK_DIR/postgres" reason=""
    if is_root; then
        id postgres >/dev/null 2>&1 || die "user 'postgres' does not exist: run 'scripts/stack.sh install'"
        if ! runuser -u postgres -- test -x "$STACK_DIR"; then
            reason="user postgres cannot traverse to $STACK_DIR"
        fi
    fi
    # Unix socket paths are limited to 107 bytes: <base>/run/.s.PGSQL.<port>
    if [[ -z "$reason" && $(( ${#base} + 20 )) -gt 100 ]]; then
        reason="socket path under $base would be too long"
    fi
    if [[ -n "$reason" ]]; then
        local hash
        hash="$(printf '%s' "$STACK_DIR" | sha256sum | cut -c1-12)"
        base="/tmp/fleet-stack-$hash/postgres"
        log "PostgreSQL data goes to $base ($reason)"
        mkdir -p "$(dirname "$base")"
        chmod 755 "$(dirname "$base")"
    fi
    printf '%s\n' "$base" >"$PG_LOCATION_FILE"
    resolve_pg_base
}

pg_running() {
    [[ -f "$PG_DATA/PG_VERSION" ]] || return 1
    pg_run "$PG_BIN/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1
}

pg_init() {
    [[ -f "$PG_DATA/PG_VERSION" ]] && return 0
    [[ -x "$PG_BIN/initdb" ]] || die "$PG_BIN/initdb not found: run 'scripts/stack.sh install'"
    log "initialising PostgreSQL 15 cluster in $PG_DATA"
    mkdir -p "$PG_DATA" "$PG_SOCKET_DIR"
    chmod 700 "$PG_DATA"
    touch "$PG_LOG"
    if is_root; then chown -R postgres:postgres "$PG_BASE"; fi
    # Local socket: peer (only the cluster owner uses it, for administration).
    # TCP on 127.0.0.1: scram-sha-256 with the known development password.
    pg_run "$PG_BIN/initdb" -D "$PG_DATA" --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=peer --auth-host=scram-sha-256 >"$STACK_DIR/initdb.log" 2>&1 \
        || { cat "$STACK_DIR/initdb.log" >&2; die "initdb failed"; }
    cat >>"$PG_DATA/postgresql.conf" <<EOF

# --- Fleet local stack (scripts/stack.sh) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_SOCKET_DIR'
password_encryption = 'scram-sha-256'
max_connections = 200
fsync = on
EOF
}

pg_start() {
    pg_init
    if pg_running; then
        log "PostgreSQL already running (port $PG_PORT)"
    else
        log "starting PostgreSQL 15 on $PG_HOST:$PG_PORT"
        mkdir -p "$PG_SOCKET_DIR"
        if is_root; then chown postgres:postgres "$PG_SOCKET_DIR" "$PG_LOG"; fi
        pg_run "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
            -o "-p $PG_PORT -k $PG_SOCKET_DIR" >/dev/null \
            || { tail -n 30 "$PG_LOG" >&2; die "PostgreSQL did not start (log: $PG_LOG)"; }
    fi
    local i
    for i in $(seq 1 60); do
        if "$PG_BIN/pg_isready" -q -h "$PG_HOST" -p "$PG_PORT"; then break; fi
        [[ $i == 60 ]] && die "PostgreSQL not ready on $PG_HOST:$PG_PORT after 30 s (log: $PG_LOG)"
        sleep 0.5
    done
    # Role and database (idempotent). CREATEDB lets tests create throw-away databases.
    pg_run "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -d postgres >/dev/null <<EOF
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', '$PG_USER', '$PG_PASSWORD')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', '$PG_DATABASE', '$PG_USER')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE') \gexec
EOF
    PGPASSWORD="$PG_PASSWORD" "$PG_BIN/psql" -X -q -At -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" \
        -d "$PG_DATABASE" -c 'SELECT 1' >/dev/null \
        || die "cannot log in to PostgreSQL as $PG_USER over TCP"
    log "PostgreSQL ready: postgres://$PG_USER:***@$PG_HOST:$PG_PORT/$PG_DATABASE"
}

pg_stop() {
    if pg_running; then
        log "stopping PostgreSQL (fast shutdown)"
        pg_run "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 60 >/dev/null
    else
        log "PostgreSQL not running"
    fi
}

# ---------------------------------------------------------------------------------------------
# Mosquitto
service_accounts() {
    grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$CONFIG_DIR/service-accounts"
}

# svc-tracking -> FLEET_MQTT_PASSWORD_SVC_TRACKING
password_var() {
    local name="${1^^}"
    printf 'FLEET_MQTT_PASSWORD_%s' "${name//-/_}"
}

random_password() {
    od -An -N16 -tx1 /dev/urandom | tr -d ' \n'
}

# Generates a password once for every account in config/mosquitto/service-accounts that has none
# yet; existing passwords are never changed.
ensure_credentials() {
    local old_umask account var
    old_umask="$(umask)"
    umask 077
    [[ -f "$CREDENTIALS" ]] || printf '# Generated by scripts/stack.sh; MQTT service account passwords.\n' >"$CREDENTIALS"
    while read -r account; do
        var="$(password_var "$account")"
        if ! grep -q "^$var=" "$CREDENTIALS"; then
            printf '%s=%s\n' "$var" "$(random_password)" >>"$CREDENTIALS"
            log "generated MQTT password for $account"
        fi
    done < <(service_accounts)
    chmod 600 "$CREDENTIALS"
    umask "$old_umask"
}

credential() {
    sed -n "s/^$(password_var "$1")=//p" "$CREDENTIALS"
}

build_password_file() {
    local account tmp old_umask
    old_umask="$(umask)"
    umask 077
    tmp="$MQ_PASSWD.tmp"
    rm -f "$tmp"
    local flag=(-c)
    while read -r account; do
        mosquitto_passwd "${flag[@]}" -b "$tmp" "$account" "$(credential "$account")"
        flag=()
    done < <(service_accounts)
    mv -f "$tmp" "$MQ_PASSWD"
    umask "$old_umask"
}

render_mosquitto_conf() {
    local tmp="$MQ_CONF.tmp"
    sed -e "s|@PORT@|$MQTT_PORT|g" \
        -e "s|@DATA_DIR@|$MQ_DATA/|g" \
        -e "s|@PASSWORD_FILE@|$MQ_PASSWD|g" \
        -e "s|@ACL_FILE@|$CONFIG_DIR/acl|g" \
        -e "s|@LOG_FILE@|$MQ_LOG|g" \
        -e "s|@PID_FILE@|$MQ_PID|g" \
        "$CONFIG_DIR/mosquitto.conf.template" >"$tmp"
    if grep -v '^[[:space:]]*#' "$tmp" | grep -q '@[A-Z_]*@'; then
        die "unreplaced placeholder in $tmp"
    fi
    mv -f "$tmp" "$MQ_CONF"
}

mosquitto_pid() {
    local pid
    [[ -f "$MQ_PID" ]] || return 1
    pid="$(cat "$MQ_PID")"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
    [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == mosquitto ]] || return 1
    printf '%s\n' "$pid"
}

# Real round trip as the admin account: a retained QoS 1 publish, read back by a subscriber,
# then cleared. Proves listener, authentication, ACL and delivery.
mosquitto_roundtrip() {
    local password token got topic="fleet/_stack/ready"
    password="$(credential "$ADMIN_MQTT_USER")"
    token="ready-$$-$RANDOM"
    mosquitto_pub -h "$MQTT_HOST" -p "$MQTT_PORT" -u "$ADMIN_MQTT_USER" -P "$password" \
        -q 1 -r -t "$topic" -m "$token" 2>/dev/null || return 1
    got="$(mosquitto_sub -h "$MQTT_HOST" -p "$MQTT_PORT" -u "$ADMIN_MQTT_USER" -P "$password" \
        -q 1 -t "$topic" -C 1 -W 3 2>/dev/null)" || return 1
    mosquitto_pub -h "$MQTT_HOST" -p "$MQTT_PORT" -u "$ADMIN_MQTT_USER" -P "$password" \
        -q 1 -r -n -t "$topic" 2>/dev/null || true
    [[ "$got" == "$token" ]]
}

mosquitto_start() {
    [[ -x "$MOSQUITTO_BIN" ]] || die "$MOSQUITTO_BIN not found: run 'scripts/stack.sh install'"
    mkdir -p "$MQ_DIR" "$MQ_DATA" "$LOG_DIR"
    ensure_credentials
    build_password_file
    render_mosquitto_conf
    local pid
    if pid="$(mosquitto_pid)"; then
        log "Mosquitto already running (pid $pid); reloading password file and ACL (SIGHUP)"
        kill -HUP "$pid"
    else
        log "starting Mosquitto on $MQTT_HOST:$MQTT_PORT"
        rm -f "$MQ_PID"
        # -d daemonises; the only stderr output is the "should not be run as root" warning.
        "$MOSQUITTO_BIN" -c "$MQ_CONF" -d 2>>"$MQ_LOG" \
            || { tail -n 20 "$MQ_LOG" >&2; die "Mosquitto did not start (log: $MQ_LOG)"; }
    fi
    local i
    for i in $(seq 1 40); do
        if mosquitto_roundtrip; then
            log "Mosquitto ready: mqtt://$MQTT_HOST:$MQTT_PORT (pid $(mosquitto_pid || echo '?'))"
            return 0
        fi
        if ! mosquitto_pid >/dev/null; then
            tail -n 20 "$MQ_LOG" >&2
            die "Mosquitto exited during start-up (log: $MQ_LOG)"
        fi
        sleep 0.25
    done
    die "Mosquitto not ready on $MQTT_HOST:$MQTT_PORT after 10 s (log: $MQ_LOG)"
}

# $1: TERM (graceful: mosquitto writes mosquitto.db before exiting) or KILL (crash simulation)
mosquitto_stop() {
    local signal="${1:-TERM}" pid i
    if ! pid="$(mosquitto_pid)"; then
        log "Mosquitto not running"
        rm -f "$MQ_PID"
        return 0
    fi
    log "stopping Mosquitto (pid $pid, SIG$signal)"
    kill "-$signal" "$pid"
    for i in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        if [[ $i == 100 ]]; then
            log "Mosquitto did not exit within 20 s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        sleep 0.2
    done
    rm -f "$MQ_PID"
}

# ---------------------------------------------------------------------------------------------
# Subcommands
cmd_install() {
    local missing=() pkg sudo=()
    for pkg in "${APT_PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    if [[ ${#missing[@]} -eq 0 ]]; then
        log "install: all packages present (${APT_PACKAGES[*]})"
        return 0
    fi
    if ! is_root; then
        command -v sudo >/dev/null || die "need root (or sudo) to install: ${missing[*]}"
        sudo=(sudo)
    fi
    log "install: missing ${missing[*]}; running apt-get update"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" >&2
    log "install: installed ${missing[*]}"
}

cmd_start() {
    mkdir -p "$STACK_DIR" "$LOG_DIR"
    chmod 755 "$STACK_DIR"
    load_ports
    choose_pg_base
    # Keep the recorded ports of a stack that is already running.
    if mosquitto_pid >/dev/null || pg_running; then
        if [[ -f "$PORTS_FILE" ]]; then
            local want_mqtt="$MQTT_PORT" want_pg="$PG_PORT"
            unset FLEET_MQTT_PORT FLEET_POSTGRES_PORT
            load_ports
            if [[ "$want_mqtt" != "$MQTT_PORT" || "$want_pg" != "$PG_PORT" ]]; then
                log "stack already running on MQTT $MQTT_PORT / PostgreSQL $PG_PORT; run 'stop' to change ports"
            fi
        fi
    fi
    record_ports
    mosquitto_start
    pg_start
    log "stack up (state in $STACK_DIR). Use: eval \"\$(scripts/stack.sh env)\""
}

cmd_stop() {
    load_ports
    if [[ ! -d "$STACK_DIR" ]]; then
        log "nothing to stop ($STACK_DIR does not exist)"
        return 0
    fi
    resolve_pg_base
    mosquitto_stop TERM
    pg_stop
}

cmd_restart_broker() {
    local signal=TERM
    case "${1:-}" in
        "") ;;
        --hard) signal=KILL ;;
        *) die "usage: scripts/stack.sh restart-broker [--hard]" ;;
    esac
    [[ -f "$CREDENTIALS" ]] || die "stack not initialised: run 'scripts/stack.sh start' first"
    unset FLEET_MQTT_PORT
    load_ports
    mosquitto_stop "$signal"
    mosquitto_start
}

cmd_status() {
    load_ports
    resolve_pg_base
    local ok=0 pid
    echo "stack dir:   $STACK_DIR"
    if pid="$(mosquitto_pid)"; then
        if mosquitto_roundtrip; then
            echo "mosquitto:   running (pid $pid) mqtt://$MQTT_HOST:$MQTT_PORT, round trip ok"
        else
            echo "mosquitto:   running (pid $pid) mqtt://$MQTT_HOST:$MQTT_PORT, round trip FAILED"
            ok=1
        fi
    else
        echo "mosquitto:   stopped"
        ok=1
    fi
    if pg_running && "$PG_BIN/pg_isready" -q -h "$PG_HOST" -p "$PG_PORT"; then
        echo "postgresql:  running postgres://$PG_USER@$PG_HOST:$PG_PORT/$PG_DATABASE (data $PG_DATA)"
    else
        echo "postgresql:  stopped (data $PG_DATA)"
        ok=1
    fi
    echo "logs:        $MQ_LOG, $PG_LOG"
    return "$ok"
}

cmd_env() {
    [[ -f "$CREDENTIALS" ]] || die "stack not initialised: run 'scripts/stack.sh start' first"
    load_ports
    local account
    printf 'export FLEET_STACK_DIR=%q\n' "$STACK_DIR"
    printf 'export FLEET_MQTT_HOST=%q\n' "$MQTT_HOST"
    printf 'export FLEET_MQTT_PORT=%q\n' "$MQTT_PORT"
    printf 'export FLEET_MQTT_URL=%q\n' "mqtt://$MQTT_HOST:$MQTT_PORT"
    printf 'export FLEET_MQTT_USERNAME=%q\n' "$ADMIN_MQTT_USER"
    printf 'export FLEET_MQTT_PASSWORD=%q\n' "$(credential "$ADMIN_MQTT_USER")"
    while read -r account; do
        printf 'export %s=%q\n' "$(password_var "$account")" "$(credential "$account")"
    done < <(service_accounts)
    printf 'export FLEET_MQTT_CONFIG_DIR=%q\n' "$CONFIG_DIR"
    printf 'export FLEET_MOSQUITTO_BIN=%q\n' "$MOSQUITTO_BIN"
    printf 'export FLEET_POSTGRES_HOST=%q\n' "$PG_HOST"
    printf 'export FLEET_POSTGRES_PORT=%q\n' "$PG_PORT"
    printf 'export FLEET_POSTGRES_USER=%q\n' "$PG_USER"
    printf 'export FLEET_POSTGRES_PASSWORD=%q\n' "$PG_PASSWORD"
    printf 'export FLEET_POSTGRES_DATABASE=%q\n' "$PG_DATABASE"
    printf 'export FLEET_POSTGRES_URL=%q\n' "postgres://$PG_USER:$PG_PASSWORD@$PG_HOST:$PG_PORT/$PG_DATABASE"
}

cmd_wipe() {
    cmd_stop
    resolve_pg_base
    if [[ "$PG_BASE" == /tmp/fleet-stack-*/postgres && -d "$PG_BASE" ]]; then
        log "deleting $(dirname "$PG_BASE")"
        rm -rf "$(dirname "$PG_BASE")"
    fi
    log "deleting $STACK_DIR"
    rm -rf "$STACK_DIR"
}

usage() {
    sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
}

main() {
    local cmd="${1:-}"
    [[ $# -gt 0 ]] && shift
    case "$cmd" in
        install) cmd_install ;;
        start) cmd_start ;;
        stop) cmd_stop ;;
        restart-broker) cmd_restart_broker "$@" ;;
        status) cmd_status ;;
        env) cmd_env ;;
        wipe) cmd_wipe ;;
        -h | --help | help) usage ;;
        *) usage; exit 2 ;;
    esac
}

main "$@"
