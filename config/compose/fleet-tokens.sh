#!/bin/sh
# The docker-compose one-shot `fleet-tokens` (fleetctl image, as root): once fleet-control is healthy, makes the
# tokens the other containers use to call the suite, each with the one scope it needs (least privilege: nothing
# but fleet-control and this one-shot sees the bootstrap admin token), the same ones scripts/run.sh makes:
#   fleet-health   FLEET_HEALTH_REGISTRY_TOKEN  fleet:read      -> $dir/fleet-health/token
#   fleet-routing  FLEET_ROUTING_CONTROL_TOKEN  commands:write  -> $dir/fleet-routing/token
#   alertmanager   webhook to fleet-alerting's
#                  POST /v1/platform-alerts     alerts:write    -> $dir/alertmanager/alertmanager-token
# Each directory is a named volume that only this one-shot and the token's user mount. A token kept from an
# earlier start is reused while fleet-control still accepts it (`fleetctl login` asks /auth/introspect); a new
# one is made only when it does not (first start, a wiped database, a revocation). The consumers read their file
# at start (fleet-health and fleet-routing through config/compose/with-token.sh; Alertmanager's credentials_file
# on every notification), so after a new token `docker-compose restart fleet-health fleet-routing`.
#
# Environment: FLEET_CONTROL_URL (http://fleet-control:8082), FLEET_TOKEN (the bootstrap admin token; never put
# on a command line), FLEET_TOKENS_DIR (/tokens), FLEETCTL (/opt/fleet/bin/fleetctl), and the owners of the files
# FLEET_TOKENS_SERVICE_OWNER (10001:10001, the Fleet images' user) and FLEET_TOKENS_ALERTMANAGER_OWNER (65534:65534,
# `nobody` of the prom/alertmanager image). Checked by config/compose/check.sh with a stand-in fleetctl.
set -eu
dir="${FLEET_TOKENS_DIR:-/tokens}"
fleetctl="${FLEETCTL:-/opt/fleet/bin/fleetctl}"
api="${FLEET_CONTROL_URL:-http://fleet-control:8082}"
service_owner="${FLEET_TOKENS_SERVICE_OWNER:-10001:10001}"
alertmanager_owner="${FLEET_TOKENS_ALERTMANAGER_OWNER:-65534:65534}"

say() { echo "fleet-tokens: $*"; }
fail() { echo "fleet-tokens: ERROR: $*" >&2; exit 1; }

[ -n "${FLEET_TOKEN:-}" ] || fail "FLEET_TOKEN (fleet-control's bootstrap admin token) is not set"

# `fleetctl login` saves the token it checked into a profile: keep that in a folder thrown away at exit.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT INT TERM
export FLEET_CONFIG="$work/fleetctl.json"

# ensure FILE NAME SCOPE OWNER
ensure() {
    file="$1" name="$2" scope="$3" owner="$4"
    mkdir -p "$(dirname "$file")"
    if [ -s "$file" ]; then
        # Exit status 4: fleet-control does not accept the token (revoked, unknown); anything else but 0 is a failure
        # to ask (3: unreachable), and then no new token is made on a guess.
        status=0
        "$fleetctl" login --api "$api" <"$file" >/dev/null 2>"$work/login.err" || status=$?
        case "$status" in
            0) say "$name: kept the token in $file (still active)"; chown "$owner" "$file"; chmod 0400 "$file"; return 0 ;;
            4) say "$name: the token in $file is no longer accepted; making a new one" ;;
            *) cat "$work/login.err" >&2; fail "$name: could not check the token in $file (fleetctl login exit $status)" ;;
        esac
    fi
    json="$("$fleetctl" tokens create --api "$api" --name "$name" --scope "$scope" -o json)" \
        || fail "$name: fleetctl tokens create --scope $scope failed"
    token="$(printf '%s\n' "$json" | sed -n 's/.*"token"[[:space:]]*:[[:space:]]*"\(fct_[A-Za-z0-9_-]*\)".*/\1/p' | head -n 1)"
    [ -n "$token" ] || fail "$name: no token in fleet-control's answer"
    # Written beside the target and renamed: a consumer never reads half a file. No trailing newline.
    (umask 077 && printf '%s' "$token" >"$file.new")
    chown "$owner" "$file.new"
    chmod 0400 "$file.new"
    mv -f "$file.new" "$file"
    say "$name: made a new token ($scope) in $file"
}

ensure "$dir/fleet-health/token" fleet-health-registry fleet:read "$service_owner"
ensure "$dir/fleet-routing/token" fleet-routing-dispatch commands:write "$service_owner"
ensure "$dir/alertmanager/alertmanager-token" alertmanager-platform-alerts alerts:write "$alertmanager_owner"
