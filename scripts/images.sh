#!/usr/bin/env bash
# Builds every Fleet container image with a Docker engine, runs each one hardened until it is alive, then brings the
# docker-compose suite up and drives a smoke test through it. Works on a machine that reaches no container registry
# (this project's CI kind): base images are made from Debian's mirror and this machine's Swift toolchain.
#
#   scripts/images.sh all            engine + base + build + check + smoke, then a table of figures
#   scripts/images.sh engine start   start a private dockerd (data under .stack/docker) unless DOCKER_HOST answers
#   scripts/images.sh engine stop    stop the dockerd this script started
#   scripts/images.sh base           local/debian:bookworm (debootstrap), local/debian:bookworm-slim (the runtime
#                                    base: no docs, manuals, translations) and local/swift:6.3-bookworm (the toolchain
#                                    and Swift package mirror of this machine, copied into the Debian image)
#   scripts/images.sh build [NAME…]  the images (all by default): fleet-tracking fleet-control fleet-alerting
#                                    fleet-health fleet-routing fleet-sim fleetctl fleet-mosquitto fleet-postgres
#                                    fleet-prometheus fleet-alertmanager, tagged NAME:$FLEET_IMAGE_TAG
#   scripts/images.sh check          runs every service image as in the charts (UID 10001, read-only root file
#                                    system, all capabilities dropped, no new privileges) beside a broker and a
#                                    database container until /health/live answers 200; checks the user and that the
#                                    root file system refuses writes
#   scripts/images.sh smoke          docker-compose up (everything but Grafana, which has no Debian package), then
#                                    telemetry in -> position out, a pause acknowledged by a simulated vehicle, a
#                                    low-battery alert's signed webhook received; docker-compose down -v
#   scripts/images.sh sizes          image sizes
#   scripts/images.sh print [NAME…]  the docker build commands of `build`, one per line, without running them
#
# Environment: FLEET_IMAGE_TAG (dev); FLEET_SWIFT_IMAGE / FLEET_RUNTIME_IMAGE: the Dockerfile's base images (default:
# the local ones when `base` made them, else the Dockerfile's registry defaults, as in CI with a registry);
# FLEET_ROAD_NETWORK_DIR (../shared/data/road_network beside the repository); FLEET_DOCKER_DIR (.stack/docker);
# FLEET_DEBIAN_MIRROR (default: the archive apt uses here) for debootstrap;
# DOCKER_HOST (an engine to use instead of starting one). Figures of each step go to $FLEET_DOCKER_DIR/figures.tsv.
# Needs root for `engine` and `base` (dockerd, debootstrap); `scripts/stack.sh install` installs docker.io,
# docker-compose and debootstrap.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
TAG="${FLEET_IMAGE_TAG:-dev}"
MAP_DIR="${FLEET_ROAD_NETWORK_DIR:-$REPO_ROOT/../shared/data/road_network}"
DK="${FLEET_DOCKER_DIR:-$REPO_ROOT/.stack/docker}"
FIGURES="$DK/figures.tsv"
# Debian's client: it has BuildKit built in (DOCKER_BUILDKIT=1) without the buildx plugin, which skips the stages a
# target does not need. Another client on PATH may lack both and fall back to the legacy builder.
DOCKER="$(command -v /usr/bin/docker || command -v docker || true)"
export DOCKER_BUILDKIT=1

# name:Dockerfile:target:product:port — product/port empty for the images that are not Fleet executables.
IMAGES=(
    fleet-tracking:Dockerfile:fleet-tracking:fleet-tracking:8081
    fleet-control:Dockerfile::fleet-control:8082
    fleet-alerting:Dockerfile::fleet-alerting:8083
    fleet-health:Dockerfile::fleet-health:8084
    fleet-routing:Dockerfile:fleet-routing:fleet-routing:8085
    fleet-sim:Dockerfile:fleet-sim:fleet-sim:8089
    fleetctl:Dockerfile::fleetctl:8090
    fleet-mosquitto:config/docker/mosquitto.Dockerfile:::
    fleet-postgres:config/docker/postgres.Dockerfile:::
    fleet-prometheus:config/docker/prometheus.Dockerfile:prometheus::
    fleet-alertmanager:config/docker/prometheus.Dockerfile:alertmanager::
)
MAP_IMAGES=" fleet-routing fleet-sim "

log() { printf '[images] %s\n' "$*" >&2; }
die() { printf '[images] ERROR: %s\n' "$*" >&2; exit 1; }
figure() { mkdir -p "$DK"; printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$FIGURES"; log "$1 $2: $3"; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
entry_of() {
    local e
    for e in "${IMAGES[@]}"; do [[ "${e%%:*}" == "$1" ]] && { printf '%s\n' "$e"; return 0; }; done
    return 1
}

# --- engine ---------------------------------------------------------------------------------------------------------
engine_answers() { [[ -n "$DOCKER" ]] && "$DOCKER" info >/dev/null 2>&1; }

engine_start() {
    [[ -n "$DOCKER" ]] || die "no docker client: run 'scripts/stack.sh install' (docker.io)"
    if [[ -z "${DOCKER_HOST:-}" ]] && [[ -S "$DK/docker.sock" ]]; then export DOCKER_HOST="unix://$DK/docker.sock"; fi
    if engine_answers; then log "Docker engine answers (${DOCKER_HOST:-default socket})"; return 0; fi
    command -v dockerd >/dev/null || die "no dockerd: run 'scripts/stack.sh install' (docker.io)"
    mkdir -p "$DK/data" "$DK/exec"
    # No default bridge and no iptables rules: containers use user-defined networks (compose makes one) or the host's,
    # and publish ports to loopback through docker-proxy; the host's firewall is left alone.
    dockerd --bridge=none --iptables=false --ip6tables=false --ip-masq=false \
        --data-root="$DK/data" --exec-root="$DK/exec" -H "unix://$DK/docker.sock" --pidfile "$DK/dockerd.pid" \
        >"$DK/dockerd.log" 2>&1 &
    export DOCKER_HOST="unix://$DK/docker.sock"
    for _ in $(seq 1 60); do
        engine_answers && { log "started dockerd (pid $(cat "$DK/dockerd.pid"), data in $DK/data)"; return 0; }
        sleep 0.5
    done
    tail -n 20 "$DK/dockerd.log" >&2
    die "dockerd did not answer within 30 s"
}

engine_stop() {
    [[ -f "$DK/dockerd.pid" ]] || { log "no dockerd started by this script"; return 0; }
    local pid
    pid="$(cat "$DK/dockerd.pid")"
    if kill "$pid" 2>/dev/null; then
        while kill -0 "$pid" 2>/dev/null; do sleep 0.5; done
        log "stopped dockerd $pid"
    fi
    umount "$DK/exec/netns/default" 2>/dev/null || true
    rm -f "$DK/dockerd.pid"
}

# --- base images ----------------------------------------------------------------------------------------------------
# The Debian archive apt uses on this machine (the first URIs/deb line naming a .../debian archive, comments skipped),
# or FLEET_DEBIAN_MIRROR.
debian_mirror() {
    local uri
    uri="$(grep -h -v '^[[:space:]]*#' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list \
        /etc/apt/sources.list 2>/dev/null | grep -o -m1 -E 'https?://[^ ]*/debian/?( |$)' | tr -d ' ' | head -n1 || true)"
    printf '%s\n' "${FLEET_DEBIAN_MIRROR:-${uri:-http://deb.debian.org/debian}}"
}

base() {
    engine_start
    local start=$SECONDS cid
    if ! "$DOCKER" image inspect local/debian:bookworm >/dev/null 2>&1; then
        command -v debootstrap >/dev/null || die "no debootstrap: run 'scripts/stack.sh install'"
        local rootfs="$DK/rootfs-bookworm"
        rm -rf "$rootfs"
        log "debootstrap bookworm (minbase) from $(debian_mirror)"
        debootstrap --variant=minbase bookworm "$rootfs" "$(debian_mirror)" >"$DK/debootstrap.log" 2>&1 \
            || { tail -n 20 "$DK/debootstrap.log" >&2; die "debootstrap failed"; }
        tar -C "$rootfs" -c . | "$DOCKER" import - local/debian:bookworm >/dev/null
        rm -rf "$rootfs"
    fi
    figure base local/debian:bookworm "$((SECONDS - start)) s"
    # The runtime base, like Debian's official -slim images: dpkg leaves out documentation, manual pages and
    # translations (also of the packages each image installs later), apt keeps no package lists or archives.
    start=$SECONDS
    if ! "$DOCKER" image inspect local/debian:bookworm-slim >/dev/null 2>&1; then
        local ctx
        ctx="$(mktemp -d)"
        cat >"$ctx/Dockerfile" <<'EOF'
FROM local/debian:bookworm
RUN printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
        'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' 'path-exclude /usr/share/locale/*' \
        'path-include /usr/share/locale/locale.alias' >/etc/dpkg/dpkg.cfg.d/fleet-slim \
    && printf '%s\n' 'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };' \
        'APT::Keep-Downloaded-Packages "false";' >/etc/apt/apt.conf.d/fleet-slim \
    && find /usr/share/doc -mindepth 1 -type f ! -name copyright -delete \
    && rm -rf /usr/share/man/* /usr/share/info/* /usr/share/locale/* /var/lib/apt/lists/* /var/cache/apt/*.bin
EOF
        "$DOCKER" build -q --network none -t local/debian:bookworm-slim-build "$ctx" >/dev/null
        # Flattened into one layer, so the files deleted above do not stay in a lower layer.
        cid="$("$DOCKER" create local/debian:bookworm-slim-build true)"
        "$DOCKER" export "$cid" | "$DOCKER" import - local/debian:bookworm-slim >/dev/null
        "$DOCKER" rm "$cid" >/dev/null
        "$DOCKER" rmi local/debian:bookworm-slim-build >/dev/null
        rm -rf "$ctx"
    fi
    figure base local/debian:bookworm-slim "$((SECONDS - start)) s"
    start=$SECONDS
    if ! "$DOCKER" image inspect local/swift:6.3-bookworm >/dev/null 2>&1; then
        local swift_root packages ctx
        swift_root="$(dirname "$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")")"
        packages="${FLEET_SWIFT_PACKAGES:-/opt/swift-packages}"
        [[ -d "$swift_root/usr/bin" ]] || die "no Swift toolchain found (swift on PATH)"
        [[ -d "$packages" ]] || die "no Swift package mirror at $packages (FLEET_SWIFT_PACKAGES)"
        ctx="$(mktemp -d)"
        # The toolchain's run-time needs (swift.org's Debian 12 list) plus the libraries Fleet links.
        cat >"$ctx/Dockerfile" <<'EOF'
FROM local/debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends binutils git libc6-dev libcurl4-openssl-dev \
    libedit2 libgcc-12-dev libsqlite3-0 libstdc++-12-dev libxml2-dev libncurses-dev zlib1g-dev pkg-config tzdata \
    ca-certificates libuuid1 libpython3.11 libmosquitto-dev && rm -rf /var/lib/apt/lists/*
EOF
        "$DOCKER" build -q --network host -t local/swift-deps:bookworm "$ctx" >/dev/null
        # SwiftPM resolves https://github.com/OWNER/NAME from the copied mirror, as on the host.
        printf '[url "file://%s/"]\n\tinsteadOf = https://github.com/\n[safe]\n\tdirectory = *\n' "$packages" >"$ctx/gitconfig"
        cid="$("$DOCKER" create local/swift-deps:bookworm true)"
        "$DOCKER" cp "$swift_root" "$cid:/opt/"
        "$DOCKER" exec "$cid" true 2>/dev/null || true
        "$DOCKER" cp "$packages" "$cid:$(dirname "$packages")/"
        "$DOCKER" cp "$ctx/gitconfig" "$cid:/etc/gitconfig"
        "$DOCKER" commit --change "ENV PATH=/opt/$(basename "$swift_root")/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
            "$cid" local/swift:6.3-bookworm >/dev/null
        "$DOCKER" rm "$cid" >/dev/null
        rm -rf "$ctx"
    fi
    figure base local/swift:6.3-bookworm "$((SECONDS - start)) s"
}

# --- build ----------------------------------------------------------------------------------------------------------
PRINT_ONLY=0
base_args() {
    ((PRINT_ONLY)) && return 0
    local swift="${FLEET_SWIFT_IMAGE:-}" runtime="${FLEET_RUNTIME_IMAGE:-}"
    if [[ -z "$swift" ]] && "$DOCKER" image inspect local/swift:6.3-bookworm >/dev/null 2>&1; then swift=local/swift:6.3-bookworm; fi
    if [[ -z "$runtime" ]] && "$DOCKER" image inspect local/debian:bookworm-slim >/dev/null 2>&1; then runtime=local/debian:bookworm-slim; fi
    [[ -n "$swift" ]] && printf '%s\n' --build-arg "SWIFT_IMAGE=$swift"
    [[ -n "$runtime" ]] && printf '%s\n' --build-arg "RUNTIME_IMAGE=$runtime"
    return 0
}

build_one() {
    local name dockerfile target product port entry
    entry="$(entry_of "$1")" || die "unknown image $1"
    IFS=: read -r name dockerfile target product port <<<"$entry"
    local args=() context=. tag="$name:$TAG"
    mapfile -t args < <(base_args)
    [[ -n "$target" ]] && args+=(--target "$target")
    [[ -n "$product" ]] && args+=(--build-arg "PRODUCT=$product" --build-arg "HTTP_PORT=$port")
    [[ "$dockerfile" == config/docker/* ]] && context=config/docker
    [[ "$MAP_IMAGES" == *" $name "* ]] && tag="$name:$TAG-base"
    if ((PRINT_ONLY)); then
        printf 'docker build --network host -f %s %s -t %s %s\n' "$dockerfile" "${args[*]}" "$tag" "$context"
        [[ "$MAP_IMAGES" == *" $name "* ]] && printf 'docker build -f config/docker/road-network.Dockerfile --build-arg BASE=%s -t %s %s\n' "$tag" "$name:$TAG" "$MAP_DIR"
        return 0
    fi
    local start=$SECONDS
    # --network host: the RUN steps reach Debian's mirror through the host (the engine has no default bridge).
    "$DOCKER" build --network host -f "$dockerfile" "${args[@]}" -t "$tag" "$context" >"$DK/build-$name.log" 2>&1 \
        || { tail -n 40 "$DK/build-$name.log" >&2; die "building $name failed (log: $DK/build-$name.log)"; }
    if [[ "$MAP_IMAGES" == *" $name "* ]]; then
        [[ -f "$MAP_DIR/monaco.osm.pbf" && -f "$MAP_DIR/README.md" ]] \
            || die "$name needs the road network: no monaco.osm.pbf and README.md in $MAP_DIR (FLEET_ROAD_NETWORK_DIR)"
        "$DOCKER" build -f config/docker/road-network.Dockerfile --build-arg "BASE=$tag" -t "$name:$TAG" "$MAP_DIR" \
            >>"$DK/build-$name.log" 2>&1 || { tail -n 20 "$DK/build-$name.log" >&2; die "adding the map to $name failed"; }
    fi
    figure build "$name" "$((SECONDS - start)) s"
}

build() {
    engine_start
    local names=("$@") name
    ((${#names[@]})) || for name in "${IMAGES[@]}"; do names+=("${name%%:*}"); done
    for name in "${names[@]}"; do build_one "$name"; done
    sizes
}

sizes() {
    local entry name size
    for entry in "${IMAGES[@]}"; do
        name="${entry%%:*}"
        size="$("$DOCKER" image inspect -f '{{.Size}}' "$name:$TAG" 2>/dev/null)" || continue
        figure size "$name" "$((size / 1000000)) MB"
    done
}

# --- check: every service image, hardened, until alive ----------------------------------------------------------------
CHECK_NET=""
CHECK_CONTAINERS=()
check_cleanup() {
    ((${#CHECK_CONTAINERS[@]})) && "$DOCKER" rm -f "${CHECK_CONTAINERS[@]}" >/dev/null 2>&1
    [[ -n "$CHECK_NET" ]] && "$DOCKER" network rm "$CHECK_NET" >/dev/null 2>&1
    return 0
}

# wait_http URL SECONDS: until GET URL answers 200.
wait_http() {
    local url="$1" deadline=$((SECONDS + $2))
    while ((SECONDS < deadline)); do
        [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)" == 200 ]] && return 0
        sleep 0.5
    done
    return 1
}

check() {
    engine_start
    trap check_cleanup EXIT
    CHECK_NET="fleet-image-check-$$"
    "$DOCKER" network create "$CHECK_NET" >/dev/null
    local run=("$DOCKER" run -d --network "$CHECK_NET")
    local hardened=(--read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges)
    # A broker that takes any client and a database, both from this build.
    local mq_conf="$DK/check-mosquitto.conf"
    printf 'listener 1883 0.0.0.0\nallow_anonymous true\npersistence false\n' >"$mq_conf"
    chmod 644 "$mq_conf"
    CHECK_CONTAINERS+=("$("${run[@]}" --name "$CHECK_NET-mqtt" "${hardened[@]}" -v "$mq_conf:/mosquitto/config/mosquitto.conf:ro" "fleet-mosquitto:$TAG")")
    CHECK_CONTAINERS+=("$("${run[@]}" --name "$CHECK_NET-pg" --read-only --tmpfs /tmp --tmpfs /var/run/postgresql:uid=10001,gid=10001 \
        --tmpfs /var/lib/postgresql/data:uid=10001,gid=10001,mode=0700 -e POSTGRES_USER=fleet -e POSTGRES_PASSWORD=fleet \
        -e POSTGRES_DB=fleet "fleet-postgres:$TAG")")
    local deadline=$((SECONDS + 60))
    until "$DOCKER" exec "$CHECK_NET-pg" pg_isready -q -h 127.0.0.1 -U fleet -d fleet; do
        ((SECONDS < deadline)) || { "$DOCKER" logs "$CHECK_NET-pg" >&2; die "fleet-postgres did not become ready"; }
        sleep 0.5
    done
    local env=(-e "FLEET_POSTGRES_HOST=$CHECK_NET-pg" -e FLEET_POSTGRES_PORT=5432 -e FLEET_POSTGRES_PASSWORD=fleet
        -e "FLEET_MQTT_HOST=$CHECK_NET-mqtt" -e FLEET_MQTT_PORT=1883 -e FLEET_LOG_LEVEL=warning)
    local entry name target product port host_port cid start failed=0 extra
    for entry in "${IMAGES[@]}"; do
        IFS=: read -r name _ target product port <<<"$entry"
        [[ -n "$product" ]] || continue
        host_port="$(free_port)"
        extra=()
        case "$name" in
            # The broker exporter is the fleetctl image's long-running command.
            fleetctl) extra=(broker exporter --listen "0.0.0.0:$port" --host "$CHECK_NET-mqtt" --port 1883) ;;
            fleet-sim) env+=(-e FLEET_SIM_VEHICLES=20) ;;
        esac
        start=$SECONDS
        cid="$("${run[@]}" --name "$CHECK_NET-$name" "${hardened[@]}" "${env[@]}" -p "127.0.0.1:$host_port:$port" \
            "$name:$TAG" "${extra[@]}")"
        CHECK_CONTAINERS+=("$cid")
        if wait_http "http://127.0.0.1:$host_port/health/live" 90; then
            figure live "$name" "$((SECONDS - start)) s"
        else
            log "$name: /health/live did not answer 200 within 90 s; its log:"
            "$DOCKER" logs --tail 30 "$cid" >&2 || true
            failed=1
            continue
        fi
        [[ "$("$DOCKER" exec "$cid" id -u)" == 10001 ]] || { log "$name does not run as UID 10001"; failed=1; }
        # Written as root, so only the read-only mount can refuse it (UID 10001 could not write there anyway).
        local out
        if out="$("$DOCKER" exec -u 0 "$cid" touch /probe 2>&1)"; then
            log "$name: the root file system took a write"
            failed=1
        elif [[ "$out" != *"Read-only file system"* ]]; then
            log "$name: the write was refused, but not by a read-only root: $out"
            failed=1
        fi
    done
    check_cleanup
    CHECK_CONTAINERS=()
    CHECK_NET=""
    trap - EXIT
    ((failed == 0)) || die "image check failed"
    log "every service image runs as UID 10001 on a read-only root file system and answers /health/live"
}

# --- smoke: the compose suite, end to end ------------------------------------------------------------------------------
smoke() {
    engine_start
    command -v docker-compose >/dev/null || die "no docker-compose: run 'scripts/stack.sh install'"
    python3 "$REPO_ROOT/scripts/images/smoke.py" --docker "$DOCKER" --tag "$TAG" --figures "$FIGURES"
}

all() {
    local start=$SECONDS
    : >"$FIGURES" 2>/dev/null || true
    engine_start
    base
    build
    check
    smoke
    figure total all "$((SECONDS - start)) s"
    column -t -s $'\t' "$FIGURES"
}

case "${1:-}" in
    engine)
        case "${2:-}" in
            start) engine_start; printf 'export DOCKER_HOST=%q\n' "${DOCKER_HOST:-unix:///var/run/docker.sock}" ;;
            stop) engine_stop ;;
            *) die "usage: scripts/images.sh engine start|stop" ;;
        esac ;;
    base) base ;;
    build) shift; build "$@" ;;
    check) check ;;
    smoke) smoke ;;
    sizes) engine_start; sizes ;;
    print)
        shift
        PRINT_ONLY=1
        names=("$@")
        ((${#names[@]})) || for entry in "${IMAGES[@]}"; do names+=("${entry%%:*}"); done
        for name in "${names[@]}"; do build_one "$name"; done ;;
    all) all ;;
    -h | --help | "") sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//' ;;
    *) die "unknown command $1 (scripts/images.sh --help)" ;;
esac
