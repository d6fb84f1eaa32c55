#!/usr/bin/env python3
"""Fleet's Grafana dashboards, generated as code with grafana-foundation-sdk.

    scripts/observability/dashboards.py            write config/grafana/dashboards/*.json
    scripts/observability/dashboards.py --check    fail (exit 1) if the committed JSON differs from what this
                                                   file generates, or a committed file does not load in the SDK

Run it with the observability venv (scripts/observability/requirements.txt, pinned):
    python3 -m venv .stack/obs-tools && .stack/obs-tools/bin/pip install -r scripts/observability/requirements.txt
    .stack/obs-tools/bin/python scripts/observability/dashboards.py

The JSON is committed so that Grafana needs nothing but the files: the compose Grafana loads them through
config/grafana/provisioning/dashboards/fleet.yml, a cluster Grafana through its dashboard sidecar (ConfigMaps
labelled grafana_dashboard: "1"). Every query names its data source by uid (`prometheus`, `fleet-postgres`, both
defined in config/grafana/provisioning/datasources/fleet.yml), never by a data-source variable, so a file works
unchanged wherever data sources with those uids exist.

Rules the panels follow (scripts/observability/check_panels.py proves them against the running suite):
  - every panel has a description: the question it answers (docs/dashboards.md lists them);
  - every PromQL returns data on a healthy running suite: no `or vector(0)`; where a labelled counter family only
    appears after its first event, a panel shows a figure derived from series that always exist (for example the
    rejected rate as total minus accepted);
  - template variables are used only inside regex matchers (`instance=~"$instance"`), so "All" (`.+`) works;
  - SQL panels read only the tables and columns config/grafana/postgres-readonly.sql grants to fleet_grafana, and
    aggregate so that they return a row even when there is nothing to count.
docs/dashboards.md describes every panel.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Optional

from grafana_foundation_sdk.builders import bargauge, dashboard, geomap, prometheus, stat, statetimeline, timeseries
from grafana_foundation_sdk.builders import common as common_builders
from grafana_foundation_sdk.cog import builder as cogbuilder
from grafana_foundation_sdk.cog import runtime as cogruntime
from grafana_foundation_sdk.cog import variants as cogvariants
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import common
from grafana_foundation_sdk.models import dashboard as dm

REPO_ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = REPO_ROOT / "config" / "grafana" / "dashboards"

PROMETHEUS = dm.DataSourceRef(type_val="prometheus", uid="prometheus")
POSTGRES_TYPE = "grafana-postgresql-datasource"
POSTGRES = dm.DataSourceRef(type_val=POSTGRES_TYPE, uid="fleet-postgres")

# The SLOs of the seeds: p95 device→commit latency < 5 s (so at most 5 % of messages may be slower), ingest error
# ratio < 0.5 %. A burn rate is the observed bad share divided by the share the SLO allows.
LATENCY_SLO_SECONDS_LE = '5(\\\\.0)?'   # PromQL string "5(\\.0)?": bucket label: "5.0" from the services' client, "5" once normalised
LATENCY_BUDGET = 0.05
ERROR_BUDGET = 0.005


# --- PostgreSQL queries ----------------------------------------------------------------------------------------
# The SDK has no builder for Grafana's PostgreSQL data source, so this is one: a Dataquery variant serialised the
# way Grafana's SQL query editor saves a query in code mode. Registered with the SDK's runtime so that
# Dashboard.from_json reads such targets back as SQLQuery rather than an opaque bag.
class SQLQuery(cogvariants.Dataquery):
    def __init__(self, raw_sql: str = "", ref_id: str = "A", format_val: str = "table",
                 datasource: Optional[dm.DataSourceRef] = None) -> None:
        self.raw_sql = raw_sql
        self.ref_id = ref_id
        self.format_val = format_val
        self.datasource = datasource or POSTGRES

    def to_json(self) -> dict[str, object]:
        return {
            "datasource": self.datasource.to_json(),
            "editorMode": "code",
            "format": self.format_val,
            "rawQuery": True,
            "rawSql": self.raw_sql,
            "refId": self.ref_id,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "SQLQuery":
        ds = data.get("datasource") or {}
        return cls(raw_sql=data.get("rawSql", ""), ref_id=data.get("refId", "A"),
                   format_val=data.get("format", "table"),
                   datasource=dm.DataSourceRef(type_val=ds.get("type"), uid=ds.get("uid")))


class SQL(cogbuilder.Builder[SQLQuery]):
    def __init__(self, raw_sql: str, ref_id: str = "A") -> None:
        self._internal = SQLQuery(" ".join(raw_sql.split()), ref_id)

    def build(self) -> SQLQuery:
        return self._internal



# Open (not resolved) fleet alerts per severity: on Fleet overview and on Alerts and webhooks.
OPEN_ALERTS_BY_SEVERITY = ("SELECT count(*) FILTER (WHERE severity = 'critical') AS critical, "
                           "count(*) FILTER (WHERE severity = 'warning') AS warning, "
                           "count(*) FILTER (WHERE severity = 'info') AS info "
                           "FROM alerting.alerts WHERE status <> 'resolved'")

def register_sql_variant() -> None:
    for ident in (POSTGRES_TYPE, "postgres"):   # "postgres": the plugin id before Grafana 10.
        cogruntime.register_dataquery_variant(cogruntime.DataqueryConfig(identifier=ident,
                                                                         from_json_hook=SQLQuery.from_json))


# --- small helpers -----------------------------------------------------------------------------------------------
def prom(expr: str, legend: str = "", ref: str = "A", instant: bool = False) -> prometheus.Dataquery:
    q = prometheus.Dataquery().expr(" ".join(expr.split())).ref_id(ref).datasource(PROMETHEUS)
    if legend:
        q = q.legend_format(legend)
    return q.instant() if instant else q.range()


def refs(exprs: list[tuple[str, str]]) -> list[prometheus.Dataquery]:
    return [prom(e, legend, chr(ord("A") + i)) for i, (e, legend) in enumerate(exprs)]


def thresholds(*steps: tuple[Optional[float], str]) -> dashboard.ThresholdsConfig:
    return dashboard.ThresholdsConfig().mode(dm.ThresholdsMode.ABSOLUTE).steps(
        [dm.Threshold(value=v, color=c) for v, c in steps])


def ts(title: str, description: str, targets: list, unit: str = "short", w: int = 12, h: int = 8,
       th: Optional[dashboard.ThresholdsConfig] = None, stack: bool = False,
       draw_style: Optional[common.GraphDrawStyle] = None, min_val: Optional[float] = 0) -> timeseries.Panel:
    p = (timeseries.Panel().title(title).description(description).unit(unit).span(w).height(h)
         .targets(targets).legend(common_builders.VizLegendOptions().display_mode(common.LegendDisplayMode.LIST)
                                  .placement(common.LegendPlacement.BOTTOM).show_legend(True)))
    if min_val is not None:
        p = p.min(min_val)
    if th is not None:
        # Draw the thresholds as dashed lines: they mark an SLO or an alert level on the graph.
        p = p.thresholds(th).thresholds_style(common_builders.GraphThresholdsStyleConfig()
                                             .mode(common.GraphThresholdsStyleMode.DASHED))
    if stack:
        p = p.stacking(common_builders.StackingConfig().mode(common.StackingMode.NORMAL)).fill_opacity(30)
    if draw_style is not None:
        p = p.draw_style(draw_style)
    return p


def st(title: str, description: str, targets: list, unit: str = "short", w: int = 4, h: int = 4,
       th: Optional[dashboard.ThresholdsConfig] = None, decimals: Optional[float] = None) -> stat.Panel:
    p = (stat.Panel().title(title).description(description).unit(unit).span(w).height(h).targets(targets)
         .graph_mode(common.BigValueGraphMode.NONE).color_mode(common.BigValueColorMode.VALUE)
         .reduce_options(common_builders.ReduceDataOptions().calcs(["lastNotNull"]).values(False)))
    p = p.thresholds(th or thresholds((None, "text")))
    if decimals is not None:
        p = p.decimals(decimals)
    return p


def instance_var(job: str) -> dashboard.QueryVariable:
    """`instance` of one job, for services that may run as several replicas."""
    return (dashboard.QueryVariable("instance").label("Instance").datasource(PROMETHEUS)
            .query(f'label_values(up{{job="{job}"}}, instance)').refresh(dm.VariableRefresh.ON_TIME_RANGE_CHANGED)
            .sort(dm.VariableSort.ALPHABETICAL_ASC).multi(True).include_all(True).all_value(".+")
            .current(dm.VariableOption(selected=True, text="All", value="$__all")))


def job_var() -> dashboard.QueryVariable:
    return (dashboard.QueryVariable("job").label("Job").datasource(PROMETHEUS)
            .query('label_values(up{job=~"fleet-.+"}, job)').refresh(dm.VariableRefresh.ON_TIME_RANGE_CHANGED)
            .sort(dm.VariableSort.ALPHABETICAL_ASC).multi(True).include_all(True).all_value("fleet-.+")
            .current(dm.VariableOption(selected=True, text="All", value="$__all")))


def base(uid: str, title: str, description: str, tags: list[str]) -> dashboard.Dashboard:
    return (dashboard.Dashboard(title).uid(uid).description(description).tags(["fleet"] + tags)
            .editable().tooltip(dm.DashboardCursorSync.CROSSHAIR).time("now-1h", "now").refresh("30s")
            .timezone("browser").timepicker(dashboard.TimePicker().refresh_intervals(["10s", "30s", "1m", "5m"]))
            .link(dashboard.DashboardLink("Fleet dashboards").type(dm.DashboardLinkType.DASHBOARDS)
                  .tags(["fleet"]).as_dropdown(True).include_vars(False).keep_time(True)))


def row(title: str) -> dashboard.Row:
    return dashboard.Row(title)


def hq(q: str, metric: str, sel: str, window: str = "$__rate_interval") -> str:
    return f"histogram_quantile({q}, sum by (le) (rate({metric}_bucket{{{sel}}}[{window}])))"


STATUS_COLOURS = {"moving": "green", "idle": "blue", "charging": "purple", "paused": "yellow",
                  "fault": "red", "offline": "#8e8e8e"}

# --- Fleet overview ----------------------------------------------------------------------------------------------
TRACKING = 'job="fleet-tracking",instance=~"$instance"'
ONLINE_LATEST = ("FROM tracking.vehicle_latest l JOIN tracking.vehicle_connectivity c USING (vehicle_id) "
                 "WHERE c.online AND l.status = '{}'")


def overview() -> dashboard.Dashboard:
    d = base("fleet-overview", "Fleet overview",
             "Where the vehicles are and what state they are in, what is open (alerts, incidents) and what was "
             "commanded; the first dashboard to open.", ["overview"]).with_variable(instance_var("fleet-tracking"))
    d = d.with_row(row("Vehicles"))
    d = d.with_panel(st("Vehicles online", "How many vehicles are connected right now (tracking's connectivity "
                        "from the retained state topic and last wills)?",
                        [SQL("SELECT count(*) AS online FROM tracking.vehicle_connectivity WHERE online")],
                        th=thresholds((None, "green"))))
    d = d.with_panel(st("Moving", "How many online vehicles are under way (status of their latest telemetry)?",
                        [SQL("SELECT count(*) AS moving " + ONLINE_LATEST.format("moving"))],
                        th=thresholds((None, "green"))))
    d = d.with_panel(st("Paused", "How many online vehicles are stopped by a pause command?",
                        [SQL("SELECT count(*) AS paused " + ONLINE_LATEST.format("paused"))],
                        th=thresholds((None, "green"), (1, "yellow"))))
    d = d.with_panel(st("In fault", "How many online vehicles report a fault (status fault in their latest "
                        "telemetry)? Any is worth a look.",
                        [SQL("SELECT count(*) AS in_fault " + ONLINE_LATEST.format("fault"))],
                        th=thresholds((None, "green"), (1, "red"))))
    d = d.with_panel(st("Offline", "How many known vehicles are disconnected (last will or state topic says "
                        "offline)?", [SQL("SELECT count(*) AS offline FROM tracking.vehicle_connectivity "
                                          "WHERE NOT online")], th=thresholds((None, "text"))))
    d = d.with_panel(st("Telemetry ingested", "How many telemetry messages per second does fleet-tracking commit "
                        "to the database?",
                        [prom(f'sum(rate(fleet_tracking_messages_total{{{TRACKING},outcome="accepted"}}'
                              f'[$__rate_interval]))', "accepted/s")], unit="reqps", decimals=1))
    d = d.with_panel(
        geomap.Panel().title("Latest positions by status").span(16).height(14)
        .description("Where is every vehicle and in what state? One marker per vehicle at its latest position, "
                     "coloured by status (offline vehicles grey); hover for id, speed and time.")
        .with_target(SQL("SELECT l.vehicle_id, l.lat, l.lon, "
                         "CASE WHEN c.online IS NOT FALSE THEN l.status ELSE 'offline' END AS status, "
                         "round((l.speed_mps * 3.6)::numeric, 1) AS speed_kmh, l.device_time AS time "
                         "FROM tracking.vehicle_latest l LEFT JOIN tracking.vehicle_connectivity c USING (vehicle_id) "
                         "ORDER BY l.vehicle_id LIMIT 10000"))
        .view(geomap.MapViewConfig().id("fit").lat(0).lon(0).zoom(2).all_layers(True))
        .controls(geomap.ControlsOptions().show_zoom(True).mouse_wheel_zoom(True).show_attribution(True))
        .basemap(common_builders.MapLayerOptions().type("default").name("Basemap"))
        .layers([common_builders.MapLayerOptions().type("markers").name("Vehicles")
                 .location(common_builders.FrameGeometrySource().mode(common.FrameGeometrySourceMode.COORDS)
                           .latitude("lat").longitude("lon"))
                 .config({"showLegend": True,
                          "style": {"color": {"field": "status", "fixed": "text"}, "opacity": 0.8,
                                    "size": {"fixed": 6}, "symbol": {"fixed": "img/icons/marker/circle.svg",
                                                                     "mode": "fixed"}}})])
        .tooltip(geomap.TooltipOptions().mode(common.TooltipDisplayMode.SINGLE))
        .mappings([dm.ValueMap(options={s: dm.ValueMappingResult(color=c, index=i)
                                        for i, (s, c) in enumerate(STATUS_COLOURS.items())})]))
    d = d.with_panel(st("Open alerts by severity", "How many fleet alerts are firing or acknowledged but not "
                        "resolved, per severity?",
                        [SQL(OPEN_ALERTS_BY_SEVERITY)], w=8, h=5,
                        th=thresholds((None, "green"), (1, "orange"))))
    d = d.with_panel(st("Open incidents by cause", "How many downtime incidents (fleet-health) are still open, "
                        "per cause?",
                        [SQL("SELECT count(*) FILTER (WHERE cause = 'fault') AS fault, "
                             "count(*) FILTER (WHERE cause = 'silent') AS silent, "
                             "count(*) FILTER (WHERE cause = 'offline') AS offline, "
                             "count(*) FILTER (WHERE cause = 'paused') AS paused "
                             "FROM health.incidents WHERE ended_at IS NULL")], w=8, h=5,
                        th=thresholds((None, "green"), (1, "orange"))))
    d = d.with_panel(st("Commands in the last hour", "How many commands did fleet-control accept in the last "
                        "hour, and where are they now (in flight, answered, failed)?",
                        [SQL("SELECT count(*) AS created, "
                             "count(*) FILTER (WHERE status IN ('pending', 'sent')) AS in_flight, "
                             "count(*) FILTER (WHERE status IN ('acknowledged', 'completed')) AS succeeded, "
                             "count(*) FILTER (WHERE status IN ('rejected', 'failed', 'expired')) AS unsuccessful "
                             "FROM control.commands WHERE created_at > now() - interval '1 hour'")], w=8, h=4))
    d = d.with_row(row("Platform"))
    d = d.with_panel(ts("Scrape targets up", "Is every Fleet process reachable by Prometheus (1 up, 0 down)?",
                        [prom('min by (job) (up{job=~"fleet-.+"})', "{{job}}")], w=8, h=7,
                        draw_style=common.GraphDrawStyle.LINE))
    d = d.with_panel(ts("Services ready", "Does every service answer ready (fleet_service_ready: 1 ready, 0 not)?",
                        [prom('min by (job) (fleet_service_ready{job=~"fleet-.+"})', "{{job}}")], w=8, h=7))
    d = d.with_panel(ts("Readiness checks", "Which dependency check of which service fails "
                        "(fleet_readiness_check_up per check: 1 up, 0 down)?",
                        [prom('min by (job, check) (fleet_readiness_check_up{job=~"fleet-.+"})',
                              "{{job}} {{check}}")], w=8, h=7))
    return d


# --- Ingest pipeline ---------------------------------------------------------------------------------------------
def ingest() -> dashboard.Dashboard:
    t = TRACKING
    # Error SLI as in config/prometheus/rules/slo.yml: rejected / (accepted + duplicate + rejected); a duplicate
    # (a message sent again) is no error. "Not rejected" always has series while telemetry flows, the rejected
    # series only after the first rejection, so rejected is computed as all minus not rejected.
    def total(w: str) -> str:
        return f'sum(rate(fleet_tracking_messages_total{{{t},outcome=~"accepted|duplicate|rejected"}}[{w}]))'

    def accepted(w: str) -> str:   # not rejected
        return f'sum(rate(fleet_tracking_messages_total{{{t},outcome=~"accepted|duplicate"}}[{w}]))'

    lag = "fleet_tracking_device_to_commit_lag_seconds"

    def slow_share(w: str) -> str:   # share of messages slower than the SLO's 5 s
        return (f'(1 - sum(rate({lag}_bucket{{{t},le=~"{LATENCY_SLO_SECONDS_LE}"}}[{w}])) '
                f"/ sum(rate({lag}_count{{{t}}}[{w}])))")

    d = base("fleet-ingest", "Ingest pipeline",
             "Telemetry from the broker to the database (fleet-tracking) and the broker itself: throughput, "
             "rejections, device→commit latency against its SLO, batches, buffers, write failures, MQTT "
             "connections. Start here when ingest slows down.", ["ingest"])
    d = d.with_variable(instance_var("fleet-tracking")).with_variable(job_var())
    d = d.with_row(row("Throughput and rejections"))
    d = d.with_panel(ts("Messages by outcome and reason", "How many telemetry messages per second are accepted, "
                        "and how many are rejected, for which reason?",
                        [prom(f"sum by (outcome, reason) (rate(fleet_tracking_messages_total{{{t}}}"
                              f"[$__rate_interval]))", "{{outcome}} {{reason}}")], unit="reqps", w=8))
    d = d.with_panel(ts("Dead letters (rejected messages)", "How many messages per second end as dead letters "
                        "(rejected, stored in tracking.dead_letters and published on fleet/v1/deadletter/tracking)? "
                        "Zero on a healthy fleet.",
                        [prom(f"{total('$__rate_interval')} - {accepted('$__rate_interval')}",
                              "rejected/s")], unit="reqps", w=8))
    d = d.with_panel(st("Dead letters stored", "How many dead letters did fleet-tracking store in the selected "
                        "time range (all sources)?",
                        [SQL("SELECT count(*) AS dead_letters FROM tracking.dead_letters "
                             "WHERE $__timeFilter(received_at)")], w=4, h=8,
                        th=thresholds((None, "green"), (1, "orange"))))
    d = d.with_panel(st("Commits published", "How many commit notices per second does fleet-tracking publish back "
                        "to vehicles (what lets them drop buffered samples)?",
                        [prom(f"sum(rate(fleet_tracking_commits_published_total{{{t}}}[$__rate_interval]))",
                              "commits/s")], unit="reqps", w=4, h=8, decimals=1))
    d = d.with_row(row("Latency and SLOs"))
    d = d.with_panel(ts("Device→commit latency", "How long from the device's timestamp to the durable commit "
                        "(p50, p95, p99)? SLO: p95 under 5 s.",
                        [prom(hq(q, lag, t), f"p{int(q * 100)}", chr(65 + i)) for i, q in
                         enumerate((0.5, 0.95, 0.99))],
                        unit="s", th=thresholds((None, "green"), (5, "red")), w=8))
    d = d.with_panel(ts("Latency SLO burn rate", "How fast is the latency error budget (5 % of messages may take "
                        "over 5 s) being spent? 1 = budget used up exactly in the SLO period; pages at 14.4 over 1 h "
                        "and 5 min, or 6 over 6 h and 30 min (config/prometheus/rules/slo.yml).",
                        refs([(f"{slow_share(w)} / {LATENCY_BUDGET}", f"over {w}")
                              for w in ("5m", "30m", "1h", "6h")]),
                        th=thresholds((None, "green"), (6, "orange"), (14.4, "red")), w=8))
    d = d.with_panel(ts("Error ratio SLO burn rate", "How fast is the ingest error budget (0.5 % of messages may be "
                        "rejected) being spent? Same multi-window levels as latency.",
                        refs([(f"(1 - {accepted(w)} / {total(w)}) / {ERROR_BUDGET}",
                               f"over {w}") for w in ("5m", "30m", "1h", "6h")]),
                        th=thresholds((None, "green"), (6, "orange"), (14.4, "red")), w=8))
    d = d.with_panel(ts("Ingest error ratio", "What share of telemetry messages is rejected? SLO: under 0.5 %.",
                        [prom(f"1 - {accepted('$__rate_interval')} / {total('$__rate_interval')}",
                              "rejected share")], unit="percentunit",
                        th=thresholds((None, "green"), (ERROR_BUDGET, "red")), w=8))
    d = d.with_panel(ts("Commit duration", "How long does one database commit of a batch take (p50, p95)?",
                        [prom(hq(q, "fleet_tracking_commit_duration_seconds", t), f"p{int(q * 100)}", chr(65 + i))
                         for i, q in enumerate((0.5, 0.95))], unit="s", w=8))
    d = d.with_panel(ts("Stalest online vehicle", "How long ago did the least recently heard online vehicle send "
                        "telemetry? Grows when vehicles go silent or ingest stalls.",
                        [prom(f"max(fleet_tracking_stalest_online_vehicle_seconds{{{t}}})", "stalest")],
                        unit="s", w=8))
    d = d.with_row(row("Pipeline internals"))
    d = d.with_panel(ts("Batch size", "How many messages go into one commit (mean and p95)? Large batches mean the "
                        "consumer is catching up.",
                        [prom(f"sum(rate(fleet_tracking_batch_size_sum{{{t}}}[$__rate_interval])) / "
                              f"sum(rate(fleet_tracking_batch_size_count{{{t}}}[$__rate_interval]))", "mean"),
                         prom(hq(0.95, "fleet_tracking_batch_size", t), "p95", "B")], w=8))
    d = d.with_panel(ts("Consumer buffer and queued batches", "How many received messages wait for a batch, and "
                        "how many batches wait for the database? Growing = the database cannot keep up.",
                        [prom(f"sum(fleet_tracking_consumer_buffer_messages{{{t}}})", "buffered messages"),
                         prom(f"sum(fleet_tracking_queued_batches{{{t}}})", "queued batches", "B")], w=8))
    # Two queries: rate() over several metric names of one job would give series with equal label sets. Each
    # service's own store-failure counter lives in its own job, so B never collides; tracking's always exists.
    d = d.with_panel(ts("Database write failures", "How many database writes per second fail, per service "
                        "(tracking's telemetry writes, health and routing stores, every service's audit log)? Zero "
                        "on a healthy system.",
                        [prom('sum by (job) (rate({__name__=~"fleet_tracking_write_failures_total|'
                              'fleet_health_store_failures_total|fleet_routing_store_failures_total",job=~"$job"}'
                              '[$__rate_interval]))', "{{job}} store"),
                         prom('sum by (job) (rate(fleet_audit_write_failures_total{job=~"$job"}[$__rate_interval]))',
                              "{{job}} audit log", "B")], unit="reqps", w=8))
    d = d.with_panel(ts("Outbox backlog", "How many domain events wait in each service's transactional outbox to "
                        "be published on MQTT, and how old is the oldest?",
                        [prom('sum by (outbox) (fleet_outbox_backlog_messages{job=~"$job"})', "{{outbox}} backlog"),
                         prom('max by (outbox) (fleet_outbox_oldest_message_seconds{job=~"$job"})',
                              "{{outbox}} oldest (s)", "B")], w=8))
    d = d.with_panel(ts("Sequence gaps skipped", "How often does a missing telemetry sequence number hold the "
                        "commit watermark until it is skipped (lost messages)?",
                        [prom(f"sum(rate(fleet_tracking_sequence_gaps_skipped_total{{{t}}}[$__rate_interval]))",
                              "gaps/s")], unit="reqps", w=8))
    d = d.with_row(row("MQTT and broker"))
    d = d.with_panel(statetimeline.Panel().title("MQTT connection state").span(12).height(8)
                     .description("Is every MQTT client of every service connected to the broker (1 connected, "
                                  "0 disconnected)?")
                     .with_target(prom('min by (job, client) (fleet_mqtt_connected{job=~"$job"})',
                                       "{{job}} {{client}}"))
                     .mappings([dm.ValueMap(options={"0": dm.ValueMappingResult(text="disconnected", color="red",
                                                                                 index=0),
                                                     "1": dm.ValueMappingResult(text="connected", color="green",
                                                                                 index=1)})])
                     .show_value(common.VisibilityMode.NEVER))
    d = d.with_panel(ts("MQTT reconnects, drops and publish failures", "How often do clients reconnect, drop "
                        "received messages or fail to publish? All zero on a healthy system.",
                        [prom('sum by (job) (rate(fleet_mqtt_reconnects_total{job=~"$job"}[$__rate_interval]))',
                              "{{job}} reconnects"),
                         prom('sum by (job) (rate(fleet_mqtt_messages_dropped_total{job=~"$job"}'
                              '[$__rate_interval]))', "{{job}} dropped", "B"),
                         prom('sum by (job) (rate(fleet_mqtt_publish_failures_total{job=~"$job"}'
                              '[$__rate_interval]))', "{{job}} publish failures", "C")], unit="reqps"))
    d = d.with_panel(st("Broker up", "Are Mosquitto's $SYS statistics arriving at the broker exporter "
                        "(1 yes, 0 no)?", [prom('min(fleet_broker_up{job="fleet-broker"})', "up")], w=4, h=8,
                        th=thresholds((None, "red"), (1, "green"))))
    d = d.with_panel(ts("Broker backlog", "How many messages does the broker hold (including those queued for "
                        "offline persistent sessions), and how many such sessions are offline? Growing = a consumer "
                        "is behind or gone.",
                        [prom('sum(fleet_broker_messages_stored{job="fleet-broker"})', "stored messages"),
                         prom('sum(fleet_broker_clients_disconnected{job="fleet-broker"})', "offline sessions", "B")],
                        w=10))
    d = d.with_panel(ts("Broker message rates", "How many PUBLISH messages per second does the broker receive, "
                        "send and drop (dropped: queue limits, offline sessions over their limit)?",
                        [prom('sum(rate(fleet_broker_publish_received_total{job="fleet-broker"}[$__rate_interval]))',
                              "received"),
                         prom('sum(rate(fleet_broker_publish_sent_total{job="fleet-broker"}[$__rate_interval]))',
                              "sent", "B"),
                         prom('sum(rate(fleet_broker_publish_dropped_total{job="fleet-broker"}[$__rate_interval]))',
                              "dropped", "C")], unit="reqps", w=10))
    d = d.with_panel(ts("Broker clients and store", "How many clients are connected, and how many subscriptions and "
                        "retained messages does the broker hold?",
                        [prom('sum(fleet_broker_clients_connected{job="fleet-broker"})', "clients connected"),
                         prom('sum(fleet_broker_subscriptions{job="fleet-broker"})', "subscriptions", "B"),
                         prom('sum(fleet_broker_retained_messages{job="fleet-broker"})', "retained messages", "C")],
                        w=8))
    d = d.with_panel(ts("Broker store size", "How many bytes does the broker's message store hold?",
                        [prom('sum(fleet_broker_store_bytes{job="fleet-broker"})', "store")], unit="bytes", w=8))
    d = d.with_panel(ts("Broker uptime", "When did the broker last restart (uptime falls to zero)?",
                        [prom('max(fleet_broker_uptime_seconds{job="fleet-broker"})', "uptime")], unit="s", w=8))
    return d


# --- Health and maintenance --------------------------------------------------------------------------------------
def health() -> dashboard.Dashboard:
    h = 'job="fleet-health",instance=~"$instance"'
    d = base("fleet-health", "Health and maintenance",
             "fleet-health: vehicle conditions, downtime incidents, availability, MTBF/MTTR and the health "
             "pipeline.", ["health"]).with_variable(instance_var("fleet-health"))
    d = d.with_row(row("Fleet health"))
    d = d.with_panel(st("Vehicles tracked", "How many vehicles does fleet-health keep state for?",
                        [prom(f"sum(fleet_health_vehicles{{{h}}})", "vehicles")]))
    d = d.with_panel(st("Availability", "What share of vehicle time was free of downtime incidents over the "
                        "statistics window (FLEET_HEALTH_STATS_WINDOW_DAYS)?",
                        [prom(f"min(fleet_health_availability_ratio{{{h}}})", "availability")], unit="percentunit",
                        decimals=3, th=thresholds((None, "red"), (0.99, "orange"), (0.999, "green"))))
    d = d.with_panel(st("MTBF", "Mean time between failures over the statistics window.",
                        [prom(f"min(fleet_health_mtbf_seconds{{{h}}})", "MTBF")], unit="s"))
    d = d.with_panel(st("MTTR", "Mean time to repair (incident start to end) over the statistics window.",
                        [prom(f"max(fleet_health_mttr_seconds{{{h}}})", "MTTR")], unit="s"))
    d = d.with_panel(st("Failures in window", "How many failures (fault incidents) were recorded in the "
                        "statistics window?", [prom(f"sum(fleet_health_failures_window{{{h}}})", "failures")]))
    d = d.with_panel(st("Incidents in range", "How many downtime incidents started in the selected time range, "
                        "how many are still open, and how long did closed ones last on average?",
                        [SQL("SELECT count(*) AS started, count(*) FILTER (WHERE ended_at IS NULL) AS still_open, "
                             "coalesce(avg(extract(epoch FROM ended_at - started_at)), 0) AS mean_duration_s "
                             "FROM health.incidents WHERE $__timeFilter(started_at)")]))
    d = d.with_panel(ts("Active conditions by kind", "How many vehicles have each condition right now (fault, "
                        "low battery, overheating, maintenance due, offline, …)?",
                        [prom(f"sum by (kind) (fleet_health_active_conditions{{{h}}})", "{{kind}}")]))
    d = d.with_panel(ts("Open incidents by cause", "How many downtime incidents are open, per cause (fault, "
                        "silent, offline, paused)?",
                        [prom(f"sum by (cause) (fleet_health_open_incidents{{{h}}})", "{{cause}}")]))
    d = d.with_panel(ts("Condition transitions", "How often do vehicles enter and leave each condition?",
                        [prom(f"sum by (condition, change) (rate(fleet_health_transitions_total{{{h}}}"
                              f"[$__rate_interval]))", "{{condition}} {{change}}")], unit="reqps"))
    d = d.with_panel(ts("Health events published", "Which health events (fault, anomaly, maintenance due, battery "
                        "health, …) does fleet-health publish, per second?",
                        [prom(f"sum by (type) (rate(fleet_health_events_total{{{h}}}[$__rate_interval]))",
                              "{{type}}")], unit="reqps"))
    d = d.with_panel(st("Maintenance forecast", "How many vehicles have a remaining-useful-life forecast, and how "
                        "many of them are within 50 cycles of maintenance?",
                        [SQL("SELECT count(*) FILTER (WHERE rul_cycles IS NOT NULL) AS forecast, "
                             "count(*) FILTER (WHERE rul_cycles < 50) AS due_within_50_cycles, "
                             "count(*) FILTER (WHERE battery_capacity_ratio < 0.8) AS battery_below_80pct "
                             "FROM health.vehicle_health")], w=8, h=6))
    d = d.with_row(row("Health pipeline"))
    d = d.with_panel(ts("Messages by stream and outcome", "How many telemetry and state messages per second does "
                        "fleet-health accept or reject, and why?",
                        [prom(f"sum by (stream, outcome, reason) (rate(fleet_health_messages_total{{{h}}}"
                              f"[$__rate_interval]))", "{{stream}} {{outcome}} {{reason}}")], unit="reqps", w=8))
    d = d.with_panel(ts("Consumer buffer", "How many received messages wait to be processed?",
                        [prom(f"sum(fleet_health_consumer_buffer_messages{{{h}}})", "buffered")], w=8))
    d = d.with_panel(ts("Vehicles forgotten", "How many vehicles per second does fleet-health drop from its state "
                        "(unseen for longer than the retention)?",
                        [prom(f"sum(rate(fleet_health_vehicles_forgotten_total{{{h}}}[$__rate_interval]))",
                              "forgotten/s")], unit="reqps", w=8))
    return d


# --- Alerts and webhooks -----------------------------------------------------------------------------------------
def alerting() -> dashboard.Dashboard:
    a = 'job="fleet-alerting",instance=~"$instance"'
    dl = "fleet_alerting_webhook_delivery_latency_seconds"
    d = base("fleet-alerting", "Alerts and webhooks",
             "fleet-alerting: alerts fired, escalated and resolved, webhook deliveries to subscribers, and the "
             "platform alerts Alertmanager forwards.", ["alerting"]).with_variable(instance_var("fleet-alerting"))
    d = d.with_row(row("Alerts"))
    d = d.with_panel(st("Open alerts by severity", "How many alerts are not resolved yet, per severity?",
                        [SQL(OPEN_ALERTS_BY_SEVERITY)], w=8, h=5,
                        th=thresholds((None, "green"), (1, "orange"))))
    d = d.with_panel(st("Alerts fired in range", "How many alerts fired in the selected time range, how many were "
                        "acknowledged and resolved, and how long did acknowledgement take on average?",
                        [SQL("SELECT count(*) AS fired, count(acknowledged_at) AS acknowledged, "
                             "count(resolved_at) AS resolved, "
                             "coalesce(avg(extract(epoch FROM acknowledged_at - fired_at)), 0) AS mean_ack_s "
                             "FROM alerting.alerts WHERE $__timeFilter(fired_at)")], w=16, h=5))
    d = d.with_panel(ts("Alert lifecycle", "How many alerts per second are fired, deduplicated, escalated and "
                        "resolved?",
                        [prom(f"sum by (action) (rate(fleet_alerting_alerts_total{{{a}}}[$__rate_interval]))",
                              "{{action}}")], unit="reqps", w=8))
    d = d.with_panel(ts("Events processed", "How many fleet events per second does fleet-alerting evaluate, and "
                        "with what outcome?",
                        [prom(f"sum by (outcome) (rate(fleet_alerting_events_total{{{a}}}[$__rate_interval]))",
                              "{{outcome}}")], unit="reqps", w=8))
    d = d.with_panel(ts("Platform alerts from Alertmanager", "How many Prometheus alerts (firing, resolved) reach "
                        "fleet-alerting's Alertmanager receiver, and are they accepted, duplicates or invalid?",
                        [prom(f"sum by (status, outcome) (rate(fleet_alerting_platform_alerts_total{{{a}}}"
                              f"[$__rate_interval]))", "{{status}} {{outcome}}")], unit="reqps", w=8))
    d = d.with_row(row("Webhooks"))
    d = d.with_panel(ts("Webhook deliveries by outcome", "How many webhook deliveries per second succeed, fail or "
                        "are deferred (circuit open, retry later)?",
                        [prom(f"sum by (outcome) (rate(fleet_alerting_webhook_deliveries_total{{{a}}}"
                              f"[$__rate_interval]))", "{{outcome}}")], unit="reqps", w=8))
    d = d.with_panel(ts("Webhook failure ratio", "What share of delivery attempts is not delivered (failed, "
                        "deferred, dead)? Empty (NaN) while nothing is being delivered.",
                        [prom(f'1 - sum(rate(fleet_alerting_webhook_deliveries_total{{{a},outcome="delivered"}}'
                              f"[$__rate_interval])) / sum(rate(fleet_alerting_webhook_deliveries_total{{{a}}}"
                              f"[$__rate_interval]))", "failed share")], unit="percentunit", w=8))
    d = d.with_panel(ts("Webhook delivery latency", "How long from an alert event to its delivery to a subscriber "
                        "(p50, p95, p99)?",
                        [prom(hq(q, dl, a), f"p{int(q * 100)}", chr(65 + i)) for i, q in
                         enumerate((0.5, 0.95, 0.99))], unit="s", w=8))
    d = d.with_panel(ts("Webhook queue and dead letters", "How many deliveries wait, how many were given up "
                        "(dead letters), and how many subscriber circuits are open?",
                        [prom(f"sum(fleet_alerting_webhook_queue_depth{{{a}}})", "queued"),
                         prom(f"sum(fleet_alerting_webhook_dead_letters{{{a}}})", "dead letters", "B"),
                         prom(f"sum(fleet_alerting_webhook_circuits_open{{{a}}})", "circuits open", "C")], w=8))
    d = d.with_panel(ts("Oldest pending delivery", "How long has the oldest undelivered webhook waited?",
                        [prom(f"max(fleet_alerting_webhook_oldest_pending_seconds{{{a}}})", "oldest")], unit="s",
                        w=8))
    d = d.with_panel(ts("Event batch size", "How many events does fleet-alerting take per batch (mean)?",
                        [prom(f"sum(rate(fleet_alerting_event_batch_size_sum{{{a}}}[$__rate_interval])) / "
                              f"sum(rate(fleet_alerting_event_batch_size_count{{{a}}}[$__rate_interval]))",
                              "mean")], w=8))
    return d


# --- Commands ----------------------------------------------------------------------------------------------------
def commands() -> dashboard.Dashboard:
    c = 'job="fleet-control",instance=~"$instance"'
    d = base("fleet-commands", "Commands",
             "fleet-control: commands created, delivered and answered by vehicles (pause, resume, speed limits, "
             "routes), and what the simulated vehicles did with them.", ["commands"])
    d = d.with_variable(instance_var("fleet-control"))
    d = d.with_panel(st("Commands in range by status", "How many commands were created in the selected time "
                        "range, and in which state are they now?",
                        [SQL("SELECT count(*) AS created, "
                             "count(*) FILTER (WHERE status IN ('pending', 'sent')) AS in_flight, "
                             "count(*) FILTER (WHERE status = 'acknowledged') AS acknowledged, "
                             "count(*) FILTER (WHERE status = 'completed') AS completed, "
                             "count(*) FILTER (WHERE status = 'rejected') AS rejected, "
                             "count(*) FILTER (WHERE status = 'failed') AS failed, "
                             "count(*) FILTER (WHERE status = 'expired') AS expired "
                             "FROM control.commands WHERE $__timeFilter(created_at)")], w=24, h=4))
    d = d.with_panel(ts("Commands created by action", "How many commands per second are created, per action?",
                        [prom(f"sum by (action) (rate(fleet_control_commands_created_total{{{c}}}"
                              f"[$__rate_interval]))", "{{action}}")], unit="reqps", w=8))
    d = d.with_panel(ts("Command status transitions", "How many commands per second move to each status (sent, "
                        "acknowledged, completed, rejected, failed, expired)?",
                        [prom(f"sum by (status) (rate(fleet_control_command_transitions_total{{{c}}}"
                              f"[$__rate_interval]))", "{{status}}")], unit="reqps", w=8))
    d = d.with_panel(ts("Acknowledgement latency", "How long from a command's creation to the vehicle's first "
                        "answer (p50, p95)?",
                        [prom(hq(q, "fleet_control_ack_latency_seconds", c), f"p{int(q * 100)}", chr(65 + i))
                         for i, q in enumerate((0.5, 0.95))], unit="s", w=8))
    d = d.with_panel(ts("Command publishes", "How many command and desired-state publishes per second succeed or "
                        "fail?",
                        [prom(f"sum by (kind, outcome) (rate(fleet_control_publishes_total{{{c}}}"
                              f"[$__rate_interval]))", "{{kind}} {{outcome}}")], unit="reqps", w=8))
    d = d.with_panel(ts("Command resends", "How many commands per second are sent again because the vehicle did "
                        "not answer in time?",
                        [prom(f"sum(rate(fleet_control_command_resends_total{{{c}}}[$__rate_interval]))",
                              "resends/s")], unit="reqps", w=8))
    d = d.with_panel(ts("Requests refused", "How many API requests per second does fleet-control refuse "
                        "(validation, authentication, rate limit)?",
                        [prom('sum(rate({__name__=~"fleet_control_rejected_requests_total|fleet_auth_failures_total|'
                              'fleet_auth_rate_limited_total",job="fleet-control",instance=~"$instance"}'
                              '[$__rate_interval]))', "refused/s")], unit="reqps", w=8))
    d = d.with_panel(ts("Command results at the vehicles (fleet-sim)", "What did the simulated vehicles do with the "
                        "commands they received (accepted, completed, rejected, failed, duplicate)?",
                        [prom('sum by (result) (rate(fleet_sim_commands_total{job="fleet-sim"}[$__rate_interval]))',
                              "{{result}}")], unit="reqps", w=12))
    d = d.with_panel(ts("Invalid messages from vehicles", "How many messages from vehicles (acks, state, "
                        "telemetry) does fleet-control discard as invalid, and why?",
                        [prom(f"sum by (stream, reason) (rate(fleet_control_invalid_messages_total{{{c}}}"
                              f"[$__rate_interval]))", "{{stream}} {{reason}}")], unit="reqps", w=12))
    return d


# --- Routing -----------------------------------------------------------------------------------------------------
def routing() -> dashboard.Dashboard:
    r = 'job="fleet-routing",instance=~"$instance"'
    d = base("fleet-routing", "Routing",
             "fleet-routing: route plans and their dispatch, solver time, and the live traffic model built from "
             "telemetry.", ["routing"]).with_variable(instance_var("fleet-routing"))
    d = d.with_panel(st("Vehicles known", "How many vehicles does fleet-routing know positions for?",
                        [prom(f"sum(fleet_routing_vehicles{{{r}}})", "vehicles")]))
    d = d.with_panel(st("Queued plan jobs", "How many asynchronous planning jobs wait for the solver?",
                        [prom(f"sum(fleet_routing_queued_jobs{{{r}}})", "queued")],
                        th=thresholds((None, "green"), (5, "orange"))))
    d = d.with_panel(st("Jammed segments", "How many road segments are currently considered jammed?",
                        [prom(f"sum(fleet_routing_jammed_segments{{{r}}})", "jammed")]))
    d = d.with_panel(st("Observed segments", "How many road segments have live speed observations?",
                        [prom(f"sum(fleet_routing_observed_segments{{{r}}})", "observed")]))
    d = d.with_panel(st("Plans in range", "How many plans were requested in the selected time range, how many are "
                        "pending, done or failed, and how many were dispatched to vehicles?",
                        [SQL("SELECT count(*) AS requested, "
                             "count(*) FILTER (WHERE status IN ('queued', 'running')) AS pending, "
                             "count(*) FILTER (WHERE status = 'done') AS done, "
                             "count(*) FILTER (WHERE status NOT IN ('queued', 'running', 'done')) AS not_done, "
                             "count(dispatched_at) AS dispatched "
                             "FROM routing.plans WHERE $__timeFilter(created_at)")], w=8))
    d = d.with_panel(ts("Plans by mode and outcome", "How many plans per second are made (sync or async), and "
                        "with what outcome?",
                        [prom(f"sum by (mode, outcome) (rate(fleet_routing_plans_total{{{r}}}[$__rate_interval]))",
                              "{{mode}} {{outcome}}")], unit="reqps", w=8))
    d = d.with_panel(ts("Solve time", "How long does the solver take per plan (p50, p95)?",
                        [prom(hq(q, "fleet_routing_solve_seconds", r), f"p{int(q * 100)}", chr(65 + i))
                         for i, q in enumerate((0.5, 0.95))], unit="s", w=8))
    d = d.with_panel(ts("Stops reached and matrix cells", "How many planned stops per second do vehicles reach, and "
                        "how many travel-time matrix cells does the router compute?",
                        [prom(f"sum(rate(fleet_routing_stops_reached_total{{{r}}}[$__rate_interval]))",
                              "stops reached/s"),
                         prom(f"sum(rate(fleet_routing_matrix_cells_total{{{r}}}[$__rate_interval]))",
                              "matrix cells/s", "B")], unit="reqps", w=8))
    d = d.with_panel(ts("Telemetry for the traffic model", "How many telemetry samples per second are counted "
                        "into segment speeds, and how many are unmatched, parked or not driving?",
                        [prom(f"sum by (disposition) (rate(fleet_routing_traffic_samples_total{{{r}}}"
                              f"[$__rate_interval]))", "{{disposition}}")], unit="reqps", w=8))
    d = d.with_panel(ts("Messages by stream and outcome", "How many telemetry and event messages per second does "
                        "fleet-routing accept or reject, and why?",
                        [prom(f"sum by (stream, outcome, reason) (rate(fleet_routing_messages_total{{{r}}}"
                              f"[$__rate_interval]))", "{{stream}} {{outcome}} {{reason}}")], unit="reqps", w=8))
    d = d.with_panel(ts("Traffic refresh duration", "How long does one refresh of the traffic model (segment "
                        "speeds from the counted samples) take on average?",
                        [prom(f"sum(rate(fleet_routing_traffic_refresh_seconds_sum{{{r}}}[$__rate_interval])) / "
                              f"sum(rate(fleet_routing_traffic_refresh_seconds_count{{{r}}}[$__rate_interval]))",
                              "mean")], unit="s", w=8))
    return d


DASHBOARDS = {"fleet-overview": overview, "fleet-ingest": ingest, "fleet-health": health,
              "fleet-alerting": alerting, "fleet-commands": commands, "fleet-routing": routing}


def finish_panels(model: dict[str, Any]) -> dict[str, Any]:
    """Panel ids 1..n in layout order (Grafana needs them unique per dashboard; stable ids keep links working), and
    each panel's data source set to the one its targets use, so Grafana never falls back to its default one."""
    for i, panel in enumerate(model.get("panels", []), start=1):
        panel["id"] = i
        sources = {json.dumps(t.get("datasource"), sort_keys=True) for t in panel.get("targets", [])}
        if len(sources) == 1:
            panel["datasource"] = json.loads(sources.pop())
    return model


def render(uid: str) -> str:
    model = json.loads(json.dumps(DASHBOARDS[uid]().build(), cls=JSONEncoder))
    model = finish_panels(model)
    return json.dumps(model, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def load_back(text: str) -> dm.Dashboard:
    """Reads committed JSON with the SDK; raises if it is not a dashboard the SDK understands."""
    return dm.Dashboard.from_json(json.loads(text))


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed JSON instead of writing it")
    ap.add_argument("--out", type=Path, default=OUT_DIR, help="dashboard folder (default %(default)s)")
    args = ap.parse_args(argv)
    register_sql_variant()
    failures = 0
    expected = {f"{uid}.json": render(uid) for uid in DASHBOARDS}
    if not args.check:
        args.out.mkdir(parents=True, exist_ok=True)
        for name, text in expected.items():
            (args.out / name).write_text(text)
            print(f"wrote {args.out / name}")
        return 0
    present = {p.name for p in args.out.glob("*.json")}
    for name in sorted(present - set(expected)):
        print(f"FAIL {name}: not generated by dashboards.py (add it to DASHBOARDS or delete it)")
        failures += 1
    for name, text in expected.items():
        path = args.out / name
        if not path.exists():
            print(f"FAIL {name}: missing; run scripts/observability/dashboards.py")
            failures += 1
            continue
        committed = path.read_text()
        if committed != text:
            print(f"FAIL {name}: differs from the generator; run scripts/observability/dashboards.py")
            failures += 1
        try:
            board = load_back(committed)
            # The round trip must keep every panel and target: the SDK ignores keys it does not know.
            again = json.loads(json.dumps(board, cls=JSONEncoder))
            n_in = len(json.loads(committed).get("panels", []))
            n_back = len(again.get("panels", []))
            if n_in != n_back:
                raise ValueError(f"{n_in} panels in the file, {n_back} after loading")
        except Exception as exc:  # noqa: BLE001 - any failure to load is the finding
            print(f"FAIL {name}: does not load in grafana-foundation-sdk: {exc}")
            failures += 1
            continue
        print(f"ok   {name}: {n_in} panels, matches the generator, loads in the SDK")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
