# fleet-mosquitto: the MQTT broker of the suite, Debian's Mosquitto 2 with its dynamic security plugin, for
# docker-compose.yml and the cluster chart charts/fleet-mqtt. Built by scripts/images.sh (context: this folder).
#
# The layout is eclipse-mosquitto's (/mosquitto/config, data, log, auth; /usr/sbin/mosquitto; the plugin at
# /usr/lib/mosquitto_dynamic_security.so, a link to Debian's multiarch path), so config/mosquitto/docker/mosquitto.conf
# and init-dynsec.sh work in either image; Debian's package is the one the local stack and the tests use, and it can
# be built without a registry. UID 10001 like the Fleet images; the data, log and auth folders are its own, so named
# volumes and PVCs mounted there start writable.
# checkov:skip=CKV_DOCKER_2:No HEALTHCHECK in the image: compose and Kubernetes probe with an authenticated subscribe.
# checkov:skip=CKV_DOCKER_7:The base image is a build arg whose default carries an explicit tag.
ARG RUNTIME_IMAGE=debian:bookworm-slim
FROM ${RUNTIME_IMAGE}
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends mosquitto mosquitto-clients \
    && rm -rf /var/lib/apt/lists/* \
    && plugin="$(find /usr/lib -path '*-linux-gnu/mosquitto_dynamic_security.so' -print -quit)" \
    && test -n "$plugin" \
    && ln -s "$plugin" /usr/lib/mosquitto_dynamic_security.so \
    && groupadd --system --gid 10001 fleet \
    && useradd --system --uid 10001 --gid fleet --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin fleet \
    && mkdir -p /mosquitto/config /mosquitto/data /mosquitto/log /mosquitto/auth \
    && chown -R 10001:10001 /mosquitto/data /mosquitto/log /mosquitto/auth
USER 10001:10001
EXPOSE 1883 8883
# A command, not an entrypoint, as in eclipse-mosquitto: compose and the chart give the whole command line (the
# broker, or init-dynsec.sh in the one-shot/init container).
CMD ["/usr/sbin/mosquitto", "-c", "/mosquitto/config/mosquitto.conf"]
