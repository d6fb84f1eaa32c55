#!/bin/sh
# Entrypoint wrapper of docker-compose.yml for the services that call fleet-control with a token of their own
# (fleet-health: FLEET_HEALTH_REGISTRY_TOKEN, fleet-routing: FLEET_ROUTING_CONTROL_TOKEN):
#   /bin/sh /fleet/with-token.sh VARIABLE FILE [ARGS...]
# reads the token that the `fleet-tokens` one-shot (config/compose/fleet-tokens.sh) wrote into FILE, exports it
# as VARIABLE and execs the service (the image's /opt/fleet/bin/fleet-service, or FLEET_SERVICE_BIN), so the
# service stays PID 1 and gets SIGTERM itself. The services read such secrets from the environment only; the
# file keeps the token out of docker-compose.yml and out of `docker inspect`'s view of the compose file.
# Checked by config/compose/check.sh.
set -eu
[ "$#" -ge 2 ] || { echo "usage: with-token.sh VARIABLE FILE [ARGS...]" >&2; exit 2; }
var="$1"
file="$2"
shift 2
case "$var" in
    FLEET_*) ;;
    *) echo "with-token.sh: refusing to set '$var' (only FLEET_* variables)" >&2; exit 2 ;;
esac
case "$var" in *[!A-Z0-9_]*) echo "with-token.sh: bad variable name '$var'" >&2; exit 2 ;; esac
if [ ! -s "$file" ]; then
    echo "with-token.sh: $file is missing or empty: the fleet-tokens one-shot writes it (docker-compose logs fleet-tokens)" >&2
    exit 1
fi
value="$(cat "$file")"
export "$var=$value"
exec "${FLEET_SERVICE_BIN:-/opt/fleet/bin/fleet-service}" "$@"
