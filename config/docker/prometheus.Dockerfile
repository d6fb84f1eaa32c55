# fleet-prometheus and fleet-alertmanager: Debian's Prometheus 2 and Alertmanager, for docker-compose.yml where no
# registry is reachable (scripts/images.sh builds them; with a registry, compose's defaults are the upstream images
# prom/prometheus and prom/alertmanager, which take the same command-line flags). Targets: prometheus, alertmanager.
# wget: compose's healthchecks call it, as in the upstream (busybox) images. User nobody (65534), as upstream: compose's
# fleet-tokens one-shot gives Alertmanager's token file to that user.
# checkov:skip=CKV_DOCKER_2:No HEALTHCHECK in the image: compose probes /-/ready.
# checkov:skip=CKV_DOCKER_7:The base image is a build arg whose default carries an explicit tag.
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${RUNTIME_IMAGE} AS base
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends wget ca-certificates \
    && rm -rf /var/lib/apt/lists/*

FROM base AS alertmanager
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends prometheus-alertmanager \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /alertmanager /etc/alertmanager \
    && chown 65534:65534 /alertmanager /etc/alertmanager
USER 65534:65534
EXPOSE 9093
ENTRYPOINT ["/usr/bin/prometheus-alertmanager"]

FROM base AS prometheus
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends prometheus \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /prometheus \
    && chown 65534:65534 /prometheus
USER 65534:65534
EXPOSE 9090
ENTRYPOINT ["/usr/bin/prometheus"]
