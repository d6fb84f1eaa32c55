#!/bin/bash
# Container healthcheck of docker-compose.yml for the Fleet images (fleet services, the broker exporter):
#   bash /fleet/http-check.sh PORT PATH     exit 0 iff GET http://127.0.0.1:PORT/PATH answers 200.
# The runtime image (Dockerfile, debian:bookworm-slim) has no curl or wget, but bash is part of every Debian
# system, and bash's /dev/tcp is all an HTTP/1.0 GET needs. Checked by config/compose/check.sh (a 200, a 503
# and a closed port).
set -u
port="$1"
path="$2"
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&3
# Status line: "HTTP/1.1 200 OK".
IFS=' ' read -r -t 5 _ status _ <&3 || exit 1
[[ "$status" == 200 ]]
