#!/bin/sh
# Runs inside the eclipse-mosquitto:2.0 image (busybox sh) as the docker-compose `mosquitto-auth`
# init service: builds /mosquitto/auth/passwd for every account in service-accounts. The password
# of account "svc-tracking" is taken from FLEET_MQTT_PASSWORD_SVC_TRACKING (and so on), which
# docker-compose.yml passes through from the host environment with development defaults.
set -eu
accounts="${FLEET_ACCOUNTS_FILE:-/fleet/service-accounts}"
out="${FLEET_PASSWD_FILE:-/mosquitto/auth/passwd}"
tmp="$out.tmp"
umask 077
rm -f "$tmp"
first=1
grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$accounts" | while read -r account; do
    var="FLEET_MQTT_PASSWORD_$(echo "$account" | tr 'a-z-' 'A-Z_')"
    password="$(printenv "$var" || true)"
    [ -n "$password" ] || { echo "missing $var" >&2; exit 1; }
    if [ "$first" = 1 ]; then
        mosquitto_passwd -c -b "$tmp" "$account" "$password"
        first=0
    else
        mosquitto_passwd -b "$tmp" "$account" "$password"
    fi
    echo "mosquitto-auth: $account"
done
mv -f "$tmp" "$out"
chown mosquitto:mosquitto "$out" 2>/dev/null || true
chmod 600 "$out"
