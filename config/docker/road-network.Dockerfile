# Adds the road network to a fleet-sim or fleet-routing image (see the Dockerfile's runtime-map stage for why it is a
# second build). The build context is the map folder (../shared/data/road_network beside the repository: the
# OpenStreetMap extract and its README with source and licence, ODbL: © OpenStreetMap contributors).
#
#   docker build -f config/docker/road-network.Dockerfile --build-arg BASE=fleet-sim:dev-base -t fleet-sim:dev \
#       ../shared/data/road_network
#
# checkov:skip=CKV_DOCKER_2:No HEALTHCHECK on purpose: Kubernetes probes /health/live and /health/ready.
# checkov:skip=CKV_DOCKER_3:The user is the base image's (UID 10001), set again below.
# checkov:skip=CKV_DOCKER_7:BASE is an image of this build, tagged by scripts/images.sh.
ARG BASE
# hadolint ignore=DL3006
FROM ${BASE}
COPY monaco.osm.pbf README.md /opt/fleet/share/road_network/
USER 10001:10001
