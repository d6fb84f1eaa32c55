# Fleet service images: ONE multi-stage Dockerfile for every executable product of Package.swift
# (the services share the build, the runtime packages and the hardening; only the product, its
# port and, for fleet-sim and fleet-routing, the road map differ, so per-service Dockerfiles would
# repeat this file).
#
#   scripts/images.sh build        # every image, the way CI builds them (and the map step below)
#
#   docker build --target fleet-tracking --build-arg PRODUCT=fleet-tracking --build-arg HTTP_PORT=8081 -t fleet-tracking:dev .
#   docker build --build-arg PRODUCT=fleet-control  --build-arg HTTP_PORT=8082 -t fleet-control:dev .
#   docker build --build-arg PRODUCT=fleet-alerting --build-arg HTTP_PORT=8083 -t fleet-alerting:dev .
#   docker build --build-arg PRODUCT=fleet-health   --build-arg HTTP_PORT=8084 -t fleet-health:dev .
#   docker build --build-arg PRODUCT=fleetctl       --build-arg HTTP_PORT=8090 -t fleetctl:dev .
#   docker build --target fleet-routing --build-arg PRODUCT=fleet-routing --build-arg HTTP_PORT=8085 -t fleet-routing:dev-base .
#   docker build --target fleet-sim     --build-arg PRODUCT=fleet-sim     --build-arg HTTP_PORT=8089 -t fleet-sim:dev-base .
#   (then the road network on top of the last two: config/docker/road-network.Dockerfile)
#
# Needs BuildKit (DOCKER_BUILDKIT=1, the default since Docker 23; Debian's docker.io 20.10 has it built in): the
# build stage uses a cache mount, and BuildKit skips the stages a target does not need.
# Do not add a `# syntax=` line: it makes BuildKit pull a frontend image.
#
# Base images are pulled from a registry in real CI (docker.io/library/swift, .../debian). Offline,
# pass locally imported ones: --build-arg SWIFT_IMAGE=local/swift:6.3-bookworm
# --build-arg RUNTIME_IMAGE=local/debian:bookworm-slim (`scripts/images.sh base` makes both).
# Package.swift declares swift-tools-version 6.2, so the builder must be Swift 6.2 or newer.
# checkov:skip=CKV_DOCKER_2:No HEALTHCHECK on purpose: Kubernetes probes /health/live and /health/ready.
# checkov:skip=CKV_DOCKER_7:The base images are build args whose defaults carry explicit tags (6.2-bookworm, bookworm-slim).
ARG SWIFT_IMAGE=swift:6.2-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# --- build ---------------------------------------------------------------------------------------
FROM ${SWIFT_IMAGE} AS build
# Versions are not pinned (DL3008): Debian's archive keeps only the current version of a package,
# so pinned versions stop resolving after the next security update; the base image tag is the pin.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libmosquitto-dev zlib1g-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The whole package (see .dockerignore): SwiftPM validates every target path of the manifest,
# test targets included, even when building one product.
COPY . .
# ONE release build of every product (no PRODUCT here): the stage is then the same for every image, so the build
# cache builds the package once and each image only picks its binary (per-product builds would compile the shared
# dependencies once per image). The products are built one after the other with `--product` (a plain `swift build`
# would also build the test-support library, which needs the Testing module); they share the build folder, so each
# compiles only what the previous ones did not. The build folder is a BuildKit cache mount: an interrupted or failed
# build resumes where it stopped, and a source change recompiles only what it touches. --static-swift-stdlib: the
# runtime image needs no Swift toolchain. SwiftPM resource bundles (fleet_<Target>.resources) must sit next to the
# executable: Bundle.module looks for them in the executable's directory, so EVERY bundle is copied, not only the
# service target's own (fleet-health needs fleet_FleetHealth, fleet_FleetHealthRules and fleet_FleetPrognostics).
# The binaries lose their debug information (DWARF: about a third of their size, 183 -> 120 MB for fleet-control)
# but keep their symbols, so crash backtraces
# still name functions. `fleet-service` is the product-independent entry point name (exec-form ENTRYPOINT cannot expand a build arg).
RUN --mount=type=cache,id=fleet-swift-release,target=/src/.build \
    for product in fleet-tracking fleet-control fleet-alerting fleet-health fleet-routing fleet-sim fleetctl; do \
        swift build -c release --static-swift-stdlib --product "$product" || exit 1; \
    done \
    && bin="$(swift build -c release --show-bin-path)" \
    && for product in fleet-tracking fleet-control fleet-alerting fleet-health fleet-routing fleet-sim fleetctl; do \
        mkdir -p "/out/$product" \
        && strip --strip-debug -o "/out/$product/$product" "$bin/$product" \
        && find "$bin" -maxdepth 1 -name '*.resources' -exec cp -R {} "/out/$product/" \; \
        && ln -s "$product" "/out/$product/fleet-service" || exit 1; \
    done

# --- runtime (common to every service) -----------------------------------------------------------
FROM ${RUNTIME_IMAGE} AS runtime
# libmosquitto1: the MQTT client library (FleetMQTT); ca-certificates: system trust roots for
# FLEET_POSTGRES_TLS=prefer|require and alerting's HTTPS webhooks. No HEALTHCHECK: Kubernetes
# probes /health/live and /health/ready (docker-compose users can add one).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libmosquitto1 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 fleet \
    && useradd --system --uid 10001 --gid fleet --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin fleet
ARG PRODUCT=fleet-tracking
COPY --from=build /out/${PRODUCT}/ /opt/fleet/bin/
ARG HTTP_PORT=8081
# Containers must listen on every interface (the services default to 127.0.0.1).
ENV FLEET_HTTP_HOST=0.0.0.0 \
    FLEET_HTTP_PORT=${HTTP_PORT}
WORKDIR /opt/fleet
# Numeric user, so Kubernetes can verify runAsNonRoot.
USER 10001:10001
EXPOSE ${HTTP_PORT}
ENTRYPOINT ["/opt/fleet/bin/fleet-service"]

# --- runtime + libxml2 (FleetGeo's OSM XML reader uses FoundationXML) --------------------------------
# Common to the two products that load a road network. The map itself is added on top by a second, tiny build whose
# context is the map folder (config/docker/road-network.Dockerfile; scripts/images.sh does both steps): the map lives
# in the shared data folder beside the repository, not in this build context, and named build contexts
# (`--build-context`) need Docker 23+, which Debian's docker.io (20.10) is not. The map is baked into the images, not
# mounted: the simulated fleet is a function of the seed AND the map (same seed, same fleet), and routes are planned
# on the same roads the simulator drives, so they are versioned together; a 1.7 MB file is too large for a ConfigMap
# (1 MiB). Another map can still be mounted and set with FLEET_SIM_MAP / FLEET_ROUTING_MAP.
FROM runtime AS runtime-map
USER 0:0
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libxml2 \
    && rm -rf /var/lib/apt/lists/*
USER 10001:10001

# --- fleet-sim -----------------------------------------------------------------------------------
FROM runtime-map AS fleet-sim
ENV FLEET_SIM_MAP=/opt/fleet/share/road_network/monaco.osm.pbf

# --- fleet-routing -------------------------------------------------------------------------------
FROM runtime-map AS fleet-routing
ENV FLEET_ROUTING_MAP=/opt/fleet/share/road_network/monaco.osm.pbf

# --- fleet-tracking: + the operator console ------------------------------------------------------
# The page (console/ of this repository) and Leaflet from Debian's libjs-leaflet package, installed in the image as
# on a Debian host (/usr/share/javascript/leaflet, FLEET_TRACKING_CONSOLE_LEAFLET_DIR's default): no third-party
# JavaScript is copied into the repository or the image by hand.
FROM runtime AS fleet-tracking
USER 0:0
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libjs-leaflet \
    && rm -rf /var/lib/apt/lists/*
COPY console/ /opt/fleet/share/console/
ENV FLEET_TRACKING_CONSOLE_DIR=/opt/fleet/share/console
USER 10001:10001

# --- default target: the common runtime (fleet-control, fleet-alerting, fleet-health)
FROM runtime
