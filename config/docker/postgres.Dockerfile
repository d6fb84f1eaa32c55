# fleet-postgres: PostgreSQL 15 from Debian for docker-compose.yml and the dev-cluster chart charts/fleet-postgres.
# Built by scripts/images.sh (context: this folder). Managed PostgreSQL (Amazon RDS, terraform/) replaces it in prod.
#
# The entrypoint (postgres-entrypoint.sh) takes the official image's variables: POSTGRES_USER, POSTGRES_PASSWORD,
# POSTGRES_DB, POSTGRES_INITDB_ARGS, PGDATA (default /var/lib/postgresql/data): it initialises an empty data folder
# with that owner role and database, then runs the server in the foreground, listening on every interface with
# scram-sha-256 for TCP. Debian's binaries are not on PATH by default; the image puts them there (psql, pg_isready).
# checkov:skip=CKV_DOCKER_2:No HEALTHCHECK in the image: compose and Kubernetes probe with pg_isready.
# checkov:skip=CKV_DOCKER_7:The base image is a build arg whose default carries an explicit tag.
ARG RUNTIME_IMAGE=debian:bookworm-slim
FROM ${RUNTIME_IMAGE}
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-15 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 fleet \
    && useradd --system --uid 10001 --gid fleet --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin fleet \
    && mkdir -p /var/lib/postgresql/data /var/run/postgresql \
    && chown -R 10001:10001 /var/lib/postgresql /var/run/postgresql \
    && chmod 700 /var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/fleet-postgres-entrypoint
ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PGDATA=/var/lib/postgresql/data
USER 10001:10001
EXPOSE 5432
# SIGINT: fast shutdown (open transactions rolled back, a checkpoint written); give it the stop grace period.
STOPSIGNAL SIGINT
ENTRYPOINT ["/usr/local/bin/fleet-postgres-entrypoint"]
