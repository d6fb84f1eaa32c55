#!/usr/bin/env bash
# Fleet local stack: Mosquitto 2.0 + PostgreSQL 15 + an S3-compatible object store (moto's server mode, from PyPI)
# on loopback, all state under .stack/.
#
#   scripts/stack.sh install          apt-get install whatever is missing (Debian 12)
#   scripts/stack.sh start            initialise on first use, start both, wait until ready
#   scripts/stack.sh stop             graceful stop (mosquitto saves its persistence file)
#   scripts/stack.sh restart-broker   [--hard]  restart Mosquitto only (--hard: SIGKILL, no save)
#   scripts/stack.sh status           show what runs; exit 0 only if both are up
#   scripts/stack.sh env              print `export` lines:  eval "$(scripts/stack.sh env)"
#   scripts/stack.sh wipe             stop and delete all stack state
#
# Environment: FLEET_MQTT_PORT (default 11883), FLEET_POSTGRES_PORT (default 15432), FLEET_S3_PORT (default 14566),
# FLEET_STACK_DIR (default <repo>/.stack). Progress goes to stderr; stdout carries only the
# output of `env` and `status`. See docs/local-stack.md and config/mosquitto/dynsec/README.md.
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
# Administers the broker's dynamic security plugin (clients, roles); has no rights on fleet/ topics.
DYNSEC_ADMIN_USER=dynsec-admin
# fleet-control provisions vehicles through this account (`env`: FLEET_CONTROL_PROVISIONER_*).
PROVISIONER_MQTT_USER=svc-provisioner
DYNSEC_TOPIC="\$CONTROL/dynamic-security/v1"
DYNSEC_RESPONSE_TOPIC="$DYNSEC_TOPIC/response"
# prometheus + prometheus-alertmanager: scripts/run.sh's monitoring and the rule tests (promtool, amtool);
# docker-compose: `docker-compose config` of the compose file in the test command; libjs-leaflet: the operator
# console's map library (fleet-tracking serves it from /usr/share/javascript/leaflet); chromium + chromium-driver: the
# console's browser tests. docker.io + debootstrap: scripts/images.sh (a private dockerd; base images made from
# Debian's mirror, since no container registry is reachable).
APT_PACKAGES=(mosquitto mosquitto-clients libmosquitto-dev postgresql-15 postgresql-client-15 pkg-config zlib1g-dev
    prometheus prometheus-alertmanager docker-compose libjs-leaflet chromium chromium-driver groovy
    docker.io debootstrap curl python3-venv)

MQ_DIR="$STACK_DIR/mosquitto"
MQ_CONF="$MQ_DIR/mosquitto.conf"
MQ_DYNSEC="$MQ_DIR/dynamic-security.json"
MQ_PID="$MQ_DIR/mosquitto.pid"
MQ_DATA="$MQ_DIR/data"
LOG_DIR="$STACK_DIR/logs"
# The object store: moto's S3 server keeps objects in memory (a restart empties it; point FLEET_ARCHIVE_S3_* at MinIO
# for archives that must survive). moto[server] is used from the system Python when it has it, else from a venv here.
S3_DIR="$STACK_DIR/s3"
S3_PID="$S3_DIR/moto.pid"
S3_HOST=127.0.0.1
S3_ACCESS_KEY=fleet-local
S3_SECRET_KEY=fleet-local-secret
S3_BUCKET=fleet-archive
MOTO_REQUIREMENT='moto[server]==5.2.1'
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
    local rec_mqtt="" rec_pg="" rec_s3=""
    if [[ -f "$PORTS_FILE" ]]; then
        rec_mqtt="$(sed -n 's/^MQTT_PORT=//p' "$PORTS_FILE")"
        rec_pg="$(sed -n 's/^POSTGRES_PORT=//p' "$PORTS_FILE")"
        rec_s3="$(sed -n 's/^S3_PORT=//p' "$PORTS_FILE")"
    fi
    MQTT_PORT="${FLEET_MQTT_PORT:-${rec_mqtt:-11883}}"
    PG_PORT="${FLEET_POSTGRES_PORT:-${rec_pg:-15432}}"
    S3_PORT="${FLEET_S3_PORT:-${rec_s3:-14566}}"
    [[ "$S3_PORT" =~ ^[0-9]+$ ]] || die "FLEET_S3_PORT must be a number (got '$S3_PORT')"
    [[ "$MQTT_PORT" =~ ^[0-9]+$ ]] || die "FLEET_MQTT_PORT must be a number (got '$MQTT_PORT')"
    [[ "$PG_PORT" =~ ^[0-9]+$ ]] || die "FLEET_POSTGRES_PORT must be a number (got '$PG_PORT')"
}

record_ports() {
    printf 'MQTT_PORT=%s\nPOSTGRES_PORT=%s\nS3_PORT=%s\n' "$MQTT_PORT" "$PG_PORT" "$S3_PORT" >"$PORTS_FILE"
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
    # max_connections: the test command runs about 120 suites at once in one process, each service harness with
    # pools of its own (8 to 10 connections); at 300 the slots ran out (2026-12-07).
    cat >>"$PG_DATA/postgresql.conf" <<EOF

# --- Fleet local stack (scripts/stack.sh) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_SOCKET_DIR'
password_encryption = 'scram-sha-256'
max_connections = 1000
fsync = on
EOF
}

# A private CA and a server certificate for 127.0.0.1/localhost (made once, kept in $PG_BASE/tls), so the local
# server also speaks TLS: the tests connect with FLEET_POSTGRES_TLS=require and FLEET_POSTGRES_TLS_CA_FILE against
# it, as services do against a managed database signed by its own CA (Amazon RDS). Plain connections still work.
pg_tls() {
    local dir="$PG_BASE/tls"
    [[ -f "$dir/server.pem" && -f "$dir/ca.pem" ]] && return 0
    mkdir -p "$dir"
    (
        cd "$dir"
        openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Fleet local stack CA" \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
            -keyout ca.key -out ca.pem
        openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >server.ext
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 -extfile server.ext \
            -out server.pem
        rm -f server.csr server.ext ca.srl ca.key
        chmod 600 server.key
        chmod 644 ca.pem server.pem
    ) >"$STACK_DIR/pg-tls.log" 2>&1 || { cat "$STACK_DIR/pg-tls.log" >&2; die "could not make PostgreSQL's TLS certificate"; }
    if is_root; then chown -R postgres:postgres "$dir"; fi
}

pg_start() {
    pg_init
    pg_tls
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
    # Role and database (idempotent). CREATEDB lets tests create throw-away databases; CREATEROLE lets run.sh and the
    # observability check make Grafana's read-only role (config/grafana/postgres-readonly.sql).
    pg_run "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -d postgres >/dev/null <<EOF
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', '$PG_USER', '$PG_PASSWORD')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', '$PG_DATABASE', '$PG_USER')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE') \gexec
SELECT format('ALTER ROLE %I CREATEROLE', '$PG_USER')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER' AND rolcreaterole) \gexec
ALTER SYSTEM SET ssl_cert_file = '$PG_BASE/tls/server.pem';
ALTER SYSTEM SET ssl_key_file = '$PG_BASE/tls/server.key';
ALTER SYSTEM SET ssl = on;
SELECT pg_reload_conf();
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
# Mosquitto: authentication and authorisation by the dynamic security plugin (dynsec). Its state
# (clients, roles, ACLs) is .stack/mosquitto/dynamic-security.json, made by `mosquitto_ctrl dynsec
# init` on first start and changed at run time over $CONTROL/dynamic-security/v1 (the broker
# rewrites the file). Every start applies config/mosquitto/dynsec/service-roles.json and makes
# every account of config/mosquitto/service-accounts exist with its password and role.

# Account names (first word of each line of config/mosquitto/service-accounts).
service_accounts() {
    grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$CONFIG_DIR/service-accounts" | awk '{ print $1 }'
}

# The dynsec role of an account: the second word of its line, or else the account name.
account_role() {
    grep -v -e '^[[:space:]]*#' "$CONFIG_DIR/service-accounts" | awk -v a="$1" '$1 == a { print ($2 == "" ? $1 : $2); exit }'
}

# svc-tracking -> FLEET_MQTT_PASSWORD_SVC_TRACKING
password_var() {
    local name="${1^^}"
    printf 'FLEET_MQTT_PASSWORD_%s' "${name//-/_}"
}

random_password() {
    od -An -N16 -tx1 /dev/urandom | tr -d ' \n'
}

# Generates a password once for every account in config/mosquitto/service-accounts, and for the
# dynsec admin, that has none yet; existing passwords are never changed.
ensure_credentials() {
    local old_umask account var
    old_umask="$(umask)"
    umask 077
    [[ -f "$CREDENTIALS" ]] || printf '# Generated by scripts/stack.sh; MQTT passwords.\n' >"$CREDENTIALS"
    while read -r account; do
        var="$(password_var "$account")"
        if ! grep -q "^$var=" "$CREDENTIALS"; then
            printf '%s=%s\n' "$var" "$(random_password)" >>"$CREDENTIALS"
            log "generated MQTT password for $account"
        fi
    done < <(service_accounts; echo "$DYNSEC_ADMIN_USER")
    chmod 600 "$CREDENTIALS"
    umask "$old_umask"
}

credential() {
    sed -n "s/^$(password_var "$1")=//p" "$CREDENTIALS"
}

# Passwords never go on a command line (visible in `ps`): the mosquitto clients read -h/-p/-u/-P
# from their options file $XDG_CONFIG_HOME/mosquitto_{pub,sub}, which mqtt_as writes into a
# private (0700) temporary folder, removed when the script exits. client_conf_init must run in
# the main shell (not in a `$(...)` subshell, which does not run the EXIT trap).
CLIENT_CONF_ROOT=""
cleanup_client_conf() {
    if [[ -n "$CLIENT_CONF_ROOT" ]]; then rm -rf "$CLIENT_CONF_ROOT"; fi
}
trap cleanup_client_conf EXIT
client_conf_init() {
    [[ -n "$CLIENT_CONF_ROOT" ]] || CLIENT_CONF_ROOT="$(mktemp -d "${TMPDIR:-/tmp}/fleet-stack-mqtt.XXXXXX")"
}

# mqtt_conf_dir USER PASSWORD: prints the XDG_CONFIG_HOME whose options files connect as USER.
mqtt_conf_dir() {
    local user="$1" password="$2" dir tool
    [[ -n "$CLIENT_CONF_ROOT" ]] || die "internal: client_conf_init was not called"
    dir="$CLIENT_CONF_ROOT/$user"
    if [[ ! -d "$dir" ]]; then
        (
            umask 077
            mkdir -p "$dir"
            for tool in mosquitto_pub mosquitto_sub; do
                printf -- '-h %s\n-p %s\n-u %s\n-P %s\n' "$MQTT_HOST" "$MQTT_PORT" "$user" "$password" >"$dir/$tool"
            done
        )
    fi
    printf '%s\n' "$dir"
}

# mqtt_as USER PASSWORD COMMAND...: runs mosquitto_pub/mosquitto_sub connected as USER.
mqtt_as() {
    local dir
    dir="$(mqtt_conf_dir "$1" "$2")"
    shift 2
    XDG_CONFIG_HOME="$dir" "$@"
}

# mqtt_can_login USER PASSWORD: exit 0 if the broker accepts the login (a subscription refused by
# the ACLs still counts as a login).
mqtt_can_login() {
    mqtt_as "$1" "$2" mosquitto_sub -V mqttv5 -E -t "\$CONTROL/fleet-stack-login-check" >/dev/null 2>&1
}

# dynsec_request TAG < BATCH: sends the dynsec command batch (JSON on stdin) as the dynsec admin and
# prints the response (one line of JSON: {"responses":[...]}) that carries correlationData TAG...
# Responses are published to every subscriber of the response topic, so it is picked by TAG.
# mosquitto_rr cannot be used: in 2.0.11 its -f/-s send an empty payload.
dynsec_request() {
    local tag="$1" batch out sub_pid i response="" password conf
    batch="$(cat)"
    password="$(credential "$DYNSEC_ADMIN_USER")"
    conf="$(mqtt_conf_dir "$DYNSEC_ADMIN_USER" "$password")"
    out="$(mktemp "$CLIENT_CONF_ROOT/response.XXXXXX")"
    # -d prints "received SUBACK" once subscribed; stdbuf makes it (and the response) appear at once.
    # A simple command, so that $! is mosquitto_sub itself (stdbuf execs it).
    XDG_CONFIG_HOME="$conf" stdbuf -oL mosquitto_sub -d -t "$DYNSEC_RESPONSE_TOPIC" -W 15 >"$out" 2>&1 &
    sub_pid=$!
    for i in $(seq 1 100); do
        grep -q 'received SUBACK' "$out" && break
        if [[ $i == 100 ]] || ! kill -0 "$sub_pid" 2>/dev/null; then
            kill "$sub_pid" 2>/dev/null || true
            wait "$sub_pid" 2>/dev/null || true
            log "dynsec: cannot subscribe to $DYNSEC_RESPONSE_TOPIC as $DYNSEC_ADMIN_USER: $(grep -v '^Client' "$out" | head -n 3)"
            rm -f "$out"
            return 1
        fi
        sleep 0.05
    done
    printf '%s\n' "$batch" | XDG_CONFIG_HOME="$conf" mosquitto_pub -V mqttv5 -q 1 -t "$DYNSEC_TOPIC" -s >/dev/null
    for i in $(seq 1 200); do
        response="$(grep -F "\"correlationData\":\"$tag" "$out" | grep '^{"responses":' | head -n 1 || true)"
        [[ -n "$response" ]] && break
        kill -0 "$sub_pid" 2>/dev/null || break
        sleep 0.05
    done
    kill "$sub_pid" 2>/dev/null || true
    wait "$sub_pid" 2>/dev/null || true
    rm -f "$out"
    if [[ -z "$response" ]]; then
        log "dynsec: no response on $DYNSEC_RESPONSE_TOPIC for $tag within 10 s"
        return 1
    fi
    printf '%s\n' "$response"
}

# dynsec_errors < RESPONSE: one line "<command> <correlationData>: <error>" per failed command.
dynsec_errors() {
    grep -o '"command":"[^"]*","error":"[^"]*"\(,"correlationData":"[^"]*"\)\{0,1\}' \
        | sed -e 's/^"command":"\([^"]*\)","error":"\([^"]*\)"\(,"correlationData":"\([^"]*\)"\)\{0,1\}$/\1 \4: \2/' || true
}

# First start only: the plugin's state file with the admin client (password read from stdin).
dynsec_init() {
    [[ -f "$MQ_DYNSEC" ]] && return 0
    command -v mosquitto_ctrl >/dev/null || die "mosquitto_ctrl not found: run 'scripts/stack.sh install'"
    local password old_umask
    password="$(credential "$DYNSEC_ADMIN_USER")"
    old_umask="$(umask)"
    umask 077
    printf '%s\n%s\n' "$password" "$password" \
        | mosquitto_ctrl dynsec init "$MQ_DYNSEC" "$DYNSEC_ADMIN_USER" >/dev/null \
        || die "mosquitto_ctrl dynsec init $MQ_DYNSEC failed"
    umask "$old_umask"
    chmod 600 "$MQ_DYNSEC"
    log "created the dynamic security state $MQ_DYNSEC (admin client $DYNSEC_ADMIN_USER)"
}

# Applies config/mosquitto/dynsec/service-roles.json. On every start after the first, each
# createRole answers "Role already exists"; the modifyRole after it sets the role's ACLs to exactly
# those of the file (without disconnecting anyone).
dynsec_apply_roles() {
    local response errors
    response="$(dynsec_request service-roles/ <"$CONFIG_DIR/dynsec/service-roles.json")" \
        || die "could not apply $CONFIG_DIR/dynsec/service-roles.json"
    errors="$(dynsec_errors <<<"$response" | grep -v '^createRole [^:]*: Role already exists$' || true)"
    [[ -z "$errors" ]] || die "service-roles.json: $errors"
}

# Makes every service account exist, enabled, with its role and the password of credentials.env.
# Only what is missing is changed: createClient fails with "Client already exists", addClientRole
# with "Internal error" when the client has the role already (that is what 2.0.11 answers), and
# setClientPassword (which disconnects the client's open connections) is sent only for accounts
# whose login fails.
dynsec_sync_accounts() {
    local account role password tag="stack-accounts-$$-$RANDOM" response errors batch="" sep="" n=0
    while read -r account; do
        role="$(account_role "$account")"
        password="$(credential "$account")"
        [[ "$account$role$password" =~ ^[A-Za-z0-9._-]+$ ]] || die "invalid account, role or password for '$account'"
        batch+="$sep"'{"command":"createClient","username":"'"$account"'","password":"'"$password"'","roles":[{"rolename":"'"$role"'"}],"correlationData":"'"$tag/create/$account"'"},'
        batch+='{"command":"addClientRole","username":"'"$account"'","rolename":"'"$role"'","correlationData":"'"$tag/role/$account"'"},'
        batch+='{"command":"enableClient","username":"'"$account"'","correlationData":"'"$tag/enable/$account"'"}'
        sep=","
    done < <(service_accounts)
    response="$(printf '{"commands":[%s]}' "$batch" | dynsec_request "$tag/")" || die "could not create the service accounts"
    errors="$(dynsec_errors <<<"$response" \
        | grep -v -e '^createClient [^:]*: Client already exists$' -e '^addClientRole [^:]*: Internal error$' || true)"
    [[ -z "$errors" ]] || die "service accounts: $errors"
    n="$(grep -o '"command":"createClient","correlationData"' <<<"$response" | wc -l || true)"
    [[ "$n" == 0 ]] || log "dynsec: created $n service account client(s)"
    batch=""
    sep=""
    while read -r account; do
        password="$(credential "$account")"
        mqtt_can_login "$account" "$password" && continue
        batch+="$sep"'{"command":"setClientPassword","username":"'"$account"'","password":"'"$password"'","correlationData":"'"$tag/password/$account"'"}'
        sep=","
        log "dynsec: setting the password of $account (its login failed)"
    done < <(service_accounts)
    if [[ -n "$batch" ]]; then
        response="$(printf '{"commands":[%s]}' "$batch" | dynsec_request "$tag/password/")" || die "could not set passwords"
        errors="$(dynsec_errors <<<"$response")"
        [[ -z "$errors" ]] || die "setClientPassword: $errors"
        while read -r account; do
            mqtt_can_login "$account" "$(credential "$account")" || die "$account still cannot log in"
        done < <(service_accounts)
    fi
}

render_mosquitto_conf() {
    local tmp="$MQ_CONF.tmp"
    sed -e "s|@PORT@|$MQTT_PORT|g" \
        -e "s|@DATA_DIR@|$MQ_DATA/|g" \
        -e "s|@DYNSEC_FILE@|$MQ_DYNSEC|g" \
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
    mqtt_as "$ADMIN_MQTT_USER" "$password" mosquitto_pub -q 1 -r -t "$topic" -m "$token" 2>/dev/null || return 1
    got="$(mqtt_as "$ADMIN_MQTT_USER" "$password" mosquitto_sub -q 1 -t "$topic" -C 1 -W 3 2>/dev/null)" || return 1
    mqtt_as "$ADMIN_MQTT_USER" "$password" mosquitto_pub -q 1 -r -n -t "$topic" 2>/dev/null || true
    [[ "$got" == "$token" ]]
}

mosquitto_start() {
    [[ -x "$MOSQUITTO_BIN" ]] || die "$MOSQUITTO_BIN not found: run 'scripts/stack.sh install'"
    mkdir -p "$MQ_DIR" "$MQ_DATA" "$LOG_DIR"
    ensure_credentials
    client_conf_init
    local pid
    # A broker started by an older stack.sh runs with password_file/acl_file: restart it.
    if pid="$(mosquitto_pid)" && ! grep -q '^plugin_opt_config_file ' "$MQ_CONF" 2>/dev/null; then
        log "Mosquitto (pid $pid) runs a configuration without the dynamic security plugin; restarting it"
        mosquitto_stop TERM
    fi
    if [[ -f "$MQ_DIR/passwd" ]]; then
        log "removing the password file of the pre-dynsec configuration ($MQ_DIR/passwd)"
        rm -f "$MQ_DIR/passwd"
    fi
    dynsec_init
    render_mosquitto_conf
    if pid="$(mosquitto_pid)"; then
        log "Mosquitto already running (pid $pid); re-applying roles and service accounts"
    else
        log "starting Mosquitto on $MQTT_HOST:$MQTT_PORT"
        rm -f "$MQ_PID"
        # -d daemonises; the only stderr output is the "should not be run as root" warning.
        "$MOSQUITTO_BIN" -c "$MQ_CONF" -d 2>>"$MQ_LOG" \
            || { tail -n 20 "$MQ_LOG" >&2; die "Mosquitto did not start (log: $MQ_LOG)"; }
    fi
    local i
    for i in $(seq 1 240); do
        mqtt_can_login "$DYNSEC_ADMIN_USER" "$(credential "$DYNSEC_ADMIN_USER")" && break
        if ! mosquitto_pid >/dev/null; then
            tail -n 20 "$MQ_LOG" >&2
            die "Mosquitto exited during start-up (log: $MQ_LOG)"
        fi
        [[ $i == 240 ]] && die "Mosquitto does not accept $DYNSEC_ADMIN_USER on $MQTT_HOST:$MQTT_PORT after 60 s (log: $MQ_LOG; if credentials.env was replaced, its admin password no longer matches $MQ_DYNSEC: 'wipe' starts over)"
        sleep 0.25
    done
    dynsec_apply_roles
    dynsec_sync_accounts
    for i in $(seq 1 240); do
        if mosquitto_roundtrip; then
            log "Mosquitto ready: mqtt://$MQTT_HOST:$MQTT_PORT (pid $(mosquitto_pid || echo '?'))"
            return 0
        fi
        sleep 0.25
    done
    die "Mosquitto: no round trip as $ADMIN_MQTT_USER on $MQTT_HOST:$MQTT_PORT after 60 s (log: $MQ_LOG)"
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
# S3-compatible object store (moto server mode)
s3_python() {
    if python3 -c 'import moto.server, flask' 2>/dev/null; then
        command -v python3
        return 0
    fi
    if [[ ! -x "$S3_DIR/venv/bin/python" ]] || ! "$S3_DIR/venv/bin/python" -c 'import moto.server' 2>/dev/null; then
        log "installing $MOTO_REQUIREMENT into $S3_DIR/venv (PyPI)"
        rm -rf "$S3_DIR/venv"
        python3 -m venv "$S3_DIR/venv" >&2
        "$S3_DIR/venv/bin/pip" install --quiet --disable-pip-version-check "$MOTO_REQUIREMENT" >&2
    fi
    printf '%s\n' "$S3_DIR/venv/bin/python"
}

s3_pid() {
    local pid
    [[ -f "$S3_PID" ]] || return 1
    pid="$(cat "$S3_PID")"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
    printf '%s\n' "$pid"
}

s3_url() { printf 'http://%s:%s' "$S3_HOST" "$S3_PORT"; }

# A signed request through curl's SigV4 (moto does not check signatures; real stores do).
s3_curl() {
    curl -sS --max-time 5 --aws-sigv4 "aws:amz:us-east-1:s3" --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" "$@"
}

s3_start() {
    mkdir -p "$S3_DIR" "$LOG_DIR"
    local pid python i
    if pid="$(s3_pid)"; then
        log "S3 server already running (pid $pid)"
    else
        python="$(s3_python)"
        log "starting the S3 server (moto) on $S3_HOST:$S3_PORT"
        # setsid: the server outlives this script and is stopped by 'stop' through its pid file.
        setsid "$python" -m moto.server -H "$S3_HOST" -p "$S3_PORT" >>"$LOG_DIR/s3.log" 2>&1 </dev/null &
        echo $! >"$S3_PID"
    fi
    for i in $(seq 1 120); do
        if s3_curl -o /dev/null -X PUT "$(s3_url)/$S3_BUCKET" 2>/dev/null \
            && s3_curl -f -o /dev/null "$(s3_url)/$S3_BUCKET?list-type=2" 2>/dev/null; then
            log "S3 ready: $(s3_url) (bucket $S3_BUCKET, pid $(s3_pid || echo '?'))"
            return 0
        fi
        s3_pid >/dev/null || { tail -n 20 "$LOG_DIR/s3.log" >&2; die "the S3 server exited during start-up (log: $LOG_DIR/s3.log)"; }
        sleep 0.25
    done
    die "the S3 server does not answer on $(s3_url) after 30 s (log: $LOG_DIR/s3.log)"
}

s3_stop() {
    local pid
    if pid="$(s3_pid)"; then
        log "stopping the S3 server (pid $pid)"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$S3_PID"
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
    s3_start
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
    s3_stop
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
    client_conf_init
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
    if s3_pid >/dev/null && s3_curl -f -o /dev/null "$(s3_url)/$S3_BUCKET?list-type=2" 2>/dev/null; then
        echo "s3:          running $(s3_url) bucket $S3_BUCKET (moto, pid $(s3_pid))"
    else
        echo "s3:          stopped"
        ok=1
    fi
    echo "logs:        $MQ_LOG, $PG_LOG, $LOG_DIR/s3.log"
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
    printf 'export FLEET_CONTROL_PROVISIONER_USERNAME=%q\n' "$PROVISIONER_MQTT_USER"
    printf 'export FLEET_CONTROL_PROVISIONER_PASSWORD=%q\n' "$(credential "$PROVISIONER_MQTT_USER")"
    printf 'export FLEET_MQTT_CONFIG_DIR=%q\n' "$CONFIG_DIR"
    printf 'export FLEET_MOSQUITTO_BIN=%q\n' "$MOSQUITTO_BIN"
    printf 'export FLEET_POSTGRES_HOST=%q\n' "$PG_HOST"
    printf 'export FLEET_POSTGRES_PORT=%q\n' "$PG_PORT"
    printf 'export FLEET_POSTGRES_USER=%q\n' "$PG_USER"
    printf 'export FLEET_POSTGRES_PASSWORD=%q\n' "$PG_PASSWORD"
    printf 'export FLEET_POSTGRES_DATABASE=%q\n' "$PG_DATABASE"
    # The CA of the server's TLS certificate (pg_tls), for tests of FLEET_POSTGRES_TLS_CA_FILE.
    resolve_pg_base
    printf 'export FLEET_STACK_POSTGRES_CA_FILE=%q\n' "$PG_BASE/tls/ca.pem"
    printf 'export FLEET_POSTGRES_URL=%q\n' "postgres://$PG_USER:$PG_PASSWORD@$PG_HOST:$PG_PORT/$PG_DATABASE"
    # The object store (tests make buckets of their own in it; the local suite archives into $S3_BUCKET).
    printf 'export FLEET_STACK_S3_ENDPOINT=%q\n' "$(s3_url)"
    printf 'export FLEET_STACK_S3_BUCKET=%q\n' "$S3_BUCKET"
    printf 'export FLEET_STACK_S3_ACCESS_KEY_ID=%q\n' "$S3_ACCESS_KEY"
    printf 'export FLEET_STACK_S3_SECRET_ACCESS_KEY=%q\n' "$S3_SECRET_KEY"
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
