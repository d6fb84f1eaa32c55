#!/bin/sh
# Runs inside the eclipse-mosquitto:2.0 image (busybox sh, as root) as the docker-compose
# `mosquitto-auth` init service, before the broker starts: the same steps as scripts/stack.sh.
#   1. First run only: `mosquitto_ctrl dynsec init` writes the dynamic security plugin's state
#      /mosquitto/auth/dynamic-security.json with the admin client dynsec-admin.
#   2. Starts a temporary broker on 127.0.0.1 inside this container with that file, applies
#      service-roles.json as dynsec-admin, and makes every account of service-accounts a client
#      with its password and role (created, or refreshed: password, role, enabled), then stops it.
# Passwords: account "svc-tracking" takes FLEET_MQTT_PASSWORD_SVC_TRACKING (and so on), the admin
# FLEET_MQTT_PASSWORD_DYNSEC_ADMIN; docker-compose.yml passes them with development defaults. They
# must match [A-Za-z0-9._-] (they are written into JSON unescaped). No password is put on a
# command line: the clients read -u/-P from options files ($XDG_CONFIG_HOME/mosquitto_pub, _sub),
# mosquitto_ctrl reads the admin password from stdin, and the JSON goes through stdin.
set -eu
dir="${FLEET_DYNSEC_DIR:-/mosquitto/auth}"
file="$dir/dynamic-security.json"
accounts="${FLEET_ACCOUNTS_FILE:-/fleet/service-accounts}"
roles="${FLEET_ROLES_FILE:-/fleet/service-roles.json}"
plugin="${FLEET_DYNSEC_PLUGIN:-/usr/lib/mosquitto_dynamic_security.so}"
port="${FLEET_INIT_PORT:-18830}"
admin=dynsec-admin
topic="\$CONTROL/dynamic-security/v1"
response_topic="$topic/response"

say() { echo "mosquitto-auth: $*"; }
fail() { echo "mosquitto-auth: ERROR: $*" >&2; exit 1; }

password_of() {
    var="FLEET_MQTT_PASSWORD_$(echo "$1" | tr 'a-z-' 'A-Z_')"
    case "$var" in *[!A-Z0-9_]*) fail "account name '$1' must match [a-z0-9-]" ;; esac
    eval "value=\${$var:-}"
    [ -n "$value" ] || fail "missing $var"
    case "$value" in *[!A-Za-z0-9._-]*) fail "$var must match [A-Za-z0-9._-]" ;; esac
    printf '%s' "$value"
}

admin_password="$(password_of "$admin")"
umask 077
mkdir -p "$dir"
if [ ! -f "$file" ]; then
    printf '%s\n%s\n' "$admin_password" "$admin_password" | mosquitto_ctrl dynsec init "$file" "$admin" >/dev/null \
        || fail "mosquitto_ctrl dynsec init $file failed"
    say "created $file (admin client $admin)"
fi

work="$(mktemp -d)"
broker_pid=""
cleanup() {
    if [ -n "$broker_pid" ]; then kill "$broker_pid" 2>/dev/null || true; wait "$broker_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

# Temporary broker: loopback only, no persistence; `log_type subscribe` lets us see when the
# response subscriber is ready (mosquitto_sub's own stdout is not line-buffered).
cat >"$work/mosquitto.conf" <<EOF
user root
listener $port 127.0.0.1
allow_anonymous false
plugin $plugin
plugin_opt_config_file $file
persistence false
log_dest file $work/broker.log
log_type error
log_type warning
log_type notice
log_type subscribe
EOF
mkdir -m 700 "$work/admin"
printf -- '-h 127.0.0.1\n-p %s\n-u %s\n-P %s\n' "$port" "$admin" "$admin_password" >"$work/admin/mosquitto_pub"
cp "$work/admin/mosquitto_pub" "$work/admin/mosquitto_sub"
mosquitto -c "$work/mosquitto.conf" &
broker_pid=$!
i=0
until XDG_CONFIG_HOME="$work/admin" mosquitto_sub -E -t "$response_topic" >/dev/null 2>&1; do
    i=$((i + 1))
    [ "$i" -lt 50 ] || { cat "$work/broker.log" >&2; fail "temporary broker did not accept $admin"; }
    kill -0 "$broker_pid" 2>/dev/null || { cat "$work/broker.log" >&2; fail "temporary broker exited"; }
    sleep 0.2
done

# request NAME < BATCH: publishes the batch, prints the response line. NAME must be unique: it
# names the subscriber whose SUBSCRIBE is awaited in the broker log (runs in a `$(...)` subshell).
request() {
    id="fleet-init-$1"
    XDG_CONFIG_HOME="$work/admin" mosquitto_sub -i "$id" -t "$response_topic" -C 1 -W 10 >"$work/response.$1" &
    sub=$!
    i=0
    until grep -qF ": $id 0 $response_topic" "$work/broker.log"; do
        i=$((i + 1))
        [ "$i" -lt 100 ] || fail "$1: response subscriber not ready"
        sleep 0.05
    done
    XDG_CONFIG_HOME="$work/admin" mosquitto_pub -q 1 -t "$topic" -s >/dev/null
    wait "$sub" || fail "$1: no response within 10 s"
    cat "$work/response.$1"
}

# errors < RESPONSE: "<command> <correlationData>: <error>" per failed command.
errors() {
    grep -o '"command":"[^"]*","error":"[^"]*"\(,"correlationData":"[^"]*"\)\{0,1\}' \
        | sed -e 's/^"command":"\([^"]*\)","error":"\([^"]*\)"\(,"correlationData":"\([^"]*\)"\)\{0,1\}$/\1 \4: \2/' || true
}

response="$(request service-roles <"$roles")"
bad="$(printf '%s\n' "$response" | errors | grep -v '^createRole [^:]*: Role already exists$' || true)"
[ -z "$bad" ] || fail "service-roles.json: $bad"
say "applied $(basename "$roles")"

# Every account: created with password and role, or (exists already) password set, role added
# ("Internal error" from addClientRole means the client has the role already), enabled.
batch=""
sep=""
grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$accounts" >"$work/accounts"
while read -r account role; do
    role="${role:-$account}"
    password="$(password_of "$account")"
    batch="$batch$sep{\"command\":\"createClient\",\"username\":\"$account\",\"password\":\"$password\",\"roles\":[{\"rolename\":\"$role\"}],\"correlationData\":\"create/$account\"}"
    batch="$batch,{\"command\":\"setClientPassword\",\"username\":\"$account\",\"password\":\"$password\",\"correlationData\":\"password/$account\"}"
    batch="$batch,{\"command\":\"addClientRole\",\"username\":\"$account\",\"rolename\":\"$role\",\"correlationData\":\"role/$account\"}"
    batch="$batch,{\"command\":\"enableClient\",\"username\":\"$account\",\"correlationData\":\"enable/$account\"}"
    sep=","
    say "$account (role $role)"
done <"$work/accounts"
response="$(printf '{"commands":[%s]}\n' "$batch" | request accounts)"
bad="$(printf '%s\n' "$response" | errors | grep -v -e '^createClient [^:]*: Client already exists$' -e '^addClientRole [^:]*: Internal error$' || true)"
[ -z "$bad" ] || fail "service accounts: $bad"

kill "$broker_pid"
wait "$broker_pid" 2>/dev/null || true
broker_pid=""
# The broker runs as the image's `mosquitto` user and rewrites the file at run time.
chown -R mosquitto:mosquitto "$dir" 2>/dev/null || true
chmod 700 "$dir"
chmod 600 "$file"
say "done"
