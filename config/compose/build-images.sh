#!/usr/bin/env bash
# Builds the Fleet images that docker-compose.yml runs, from the repository's one Dockerfile, with the same
# commands as the Dockerfile's header:
#
#   config/compose/build-images.sh                    every image: fleet-tracking, fleet-control, fleet-alerting,
#                                                     fleet-health, fleet-routing, fleet-sim, fleetctl
#   config/compose/build-images.sh fleet-sim fleetctl only these
#   config/compose/build-images.sh --print            print the docker build commands, run nothing
#
# Why a script and not `build:` sections in docker-compose.yml: fleet-routing and fleet-sim need a second build
# context, the road network beside the repository (`--build-context road-network=../shared/data/road_network`).
# The compose file format of docker-compose 1.29 has no way to say that (`build.additional_contexts` exists only
# in the Compose Specification of `docker compose` v2.17+; 1.29 rejects the key), and 1.29 builds with the classic
# builder, which runs every stage of the Dockerfile up to the target, including the map stage that only a named
# context fills. `docker build` (BuildKit, the default builder since Docker 23) works the same for users of either
# compose. Images are tagged <product>:${FLEET_IMAGE_TAG:-dev}, the names docker-compose.yml uses.
#
# Environment: FLEET_IMAGE_TAG (dev), FLEET_ROAD_NETWORK_DIR (<repo>/../shared/data/road_network, must hold
# monaco.osm.pbf and README.md), FLEET_SWIFT_IMAGE / FLEET_RUNTIME_IMAGE (the Dockerfile's SWIFT_IMAGE /
# RUNTIME_IMAGE build args, e.g. locally imported base images when no registry is reachable).
# Each product is a full `swift build -c release` in the builder stage: expect minutes per image.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TAG="${FLEET_IMAGE_TAG:-dev}"
MAP_DIR="${FLEET_ROAD_NETWORK_DIR:-$REPO_ROOT/../shared/data/road_network}"

# product:HTTP port:Dockerfile target (empty = the default, last stage):map (the target copies the road network).
# Ports as in scripts/run.sh; fleetctl's is the broker exporter's. fleet-tracking's target adds the operator console
# and Debian's Leaflet.
PRODUCTS=(
    fleet-tracking:8081:fleet-tracking:
    fleet-control:8082::
    fleet-alerting:8083::
    fleet-health:8084::
    fleet-routing:8085:fleet-routing:map
    fleet-sim:8089:fleet-sim:map
    fleetctl:8090::
)

die() { printf 'build-images: ERROR: %s\n' "$*" >&2; exit 1; }

print_only=0
wanted=()
for arg in "$@"; do
    case "$arg" in
        --print) print_only=1 ;;
        -h | --help) sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option $arg" ;;
        *) wanted+=("$arg") ;;
    esac
done
for name in "${wanted[@]}"; do
    [[ " ${PRODUCTS[*]} " == *" $name:"* ]] || die "unknown product '$name'"
done

# The docker build command of one PRODUCTS entry, one word per line.
build_command() {
    local product port target map
    IFS=: read -r product port target map <<<"$1"
    printf '%s\n' docker build --build-arg "PRODUCT=$product" --build-arg "HTTP_PORT=$port"
    [[ -n "${FLEET_SWIFT_IMAGE:-}" ]] && printf '%s\n' --build-arg "SWIFT_IMAGE=$FLEET_SWIFT_IMAGE"
    [[ -n "${FLEET_RUNTIME_IMAGE:-}" ]] && printf '%s\n' --build-arg "RUNTIME_IMAGE=$FLEET_RUNTIME_IMAGE"
    [[ -n "$target" ]] && printf '%s\n' --target "$target"
    [[ "$map" == map ]] && printf '%s\n' --build-context "road-network=$MAP_DIR"
    printf '%s\n' -t "$product:$TAG" "$REPO_ROOT"
}

if ((!print_only)); then
    command -v docker >/dev/null || die "docker is not installed"
    docker build --help 2>/dev/null | grep -q -- '--build-context' \
        || die "this docker build has no --build-context: Docker 23 or newer (BuildKit) is needed"
fi
for entry in "${PRODUCTS[@]}"; do
    product="${entry%%:*}"
    if ((${#wanted[@]})) && [[ " ${wanted[*]} " != *" $product "* ]]; then continue; fi
    mapfile -t cmd < <(build_command "$entry")
    if ((print_only)); then
        printf '%q ' "${cmd[@]}"
        printf '\n'
        continue
    fi
    # An entry marked map (fleet-routing, fleet-sim) copies the road network into its image.
    if [[ "$entry" == *:map && ! (-f "$MAP_DIR/monaco.osm.pbf" && -f "$MAP_DIR/README.md") ]]; then
        die "$product needs the road network: no monaco.osm.pbf and README.md in $MAP_DIR (set FLEET_ROAD_NETWORK_DIR)"
    fi
    printf 'build-images: %s\n' "${cmd[*]}"
    "${cmd[@]}"
done
