#!/usr/bin/env python3
"""Proves every panel of the Fleet Grafana dashboards (config/grafana/dashboards/*.json).

Static checks (always; no server needed):
  - the provisioning files (config/grafana/provisioning/) are what Grafana expects: apiVersion 1, unique data-source
    uids, a file provider for /var/lib/grafana/dashboards;
  - every dashboard loads in grafana-foundation-sdk, has a unique uid, unique panel ids, and every panel has a title,
    a description and targets;
  - every target (and template variable) names a data source by a uid the provisioning defines, of the same type;
  - every PromQL parses: template variables become their "All" value, $__rate_interval etc. become literals, and all
    expressions go through `promtool check rules` as recording rules;
  - every SQL panel uses only the Grafana macros this check can expand ($__timeFilter(column)).
Live checks (when given):
  --prometheus URL   every panel's PromQL runs as an instant query and as a 5-minute range query; an error or an
                     empty result fails the panel (a NaN value is data: e.g. a quantile with no events in the window);
                     every template variable's selector must return series;
  --postgres CONNINFO (libpq key=value string for the read-only role, e.g.
                     "host=127.0.0.1 port=15432 dbname=fleet user=fleet_grafana password=..."; or PGPASSWORD in the
                     environment) every SQL panel runs through psql as that role and must return at least one row (the
                     panels aggregate, so a healthy database always gives one); and the role must be read-only: an
                     INSERT, an INSERT in an explicit READ WRITE transaction, a CREATE TABLE, and reading a credential
                     table (control.api_tokens) must all be refused.
Prints one line per panel (ok/FAIL, dashboard / panel, detail) and a summary; exit status 1 on any failure.

    .stack/obs-tools/bin/python scripts/observability/check_panels.py
    .stack/obs-tools/bin/python scripts/observability/check_panels.py --prometheus http://127.0.0.1:9090 \
        --postgres "host=127.0.0.1 port=15432 dbname=fleet user=fleet_grafana password=$FLEET_GRAFANA_DB_PASSWORD"
Needs: promtool (Debian package prometheus) and psql on PATH; the venv of scripts/observability/requirements.txt.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dashboards as gen  # noqa: E402 - the generator registers the SQL dataquery variant with the SDK

REPO_ROOT = Path(__file__).resolve().parents[2]
GRAFANA_DIR = REPO_ROOT / "config" / "grafana"

# Literals for Grafana's interval variables. 1m: with the 5 s scrape interval a rate needs a few samples; a
# dashboard's $__rate_interval is at least 4 scrape intervals.
INTERVALS = {"__rate_interval": "1m", "__interval": "15s", "__range": "1h", "__range_s": "3600"}
SQL_TIME_FILTER = "{col} BETWEEN now() - interval '6 hours' AND now()"


@dataclass
class Target:
    ref: str
    kind: str            # "prometheus" | "sql"
    text: str            # query as in the dashboard
    resolved: str = ""   # query with variables / macros replaced


@dataclass
class PanelCheck:
    dashboard: str
    title: str
    targets: list[Target] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def load_provisioning() -> tuple[dict[str, str], list[str]]:
    """Data-source uid → type, and problems found in the provisioning files."""
    problems: list[str] = []
    ds_file = GRAFANA_DIR / "provisioning" / "datasources" / "fleet.yml"
    dash_file = GRAFANA_DIR / "provisioning" / "dashboards" / "fleet.yml"
    ds_doc = yaml.safe_load(ds_file.read_text())
    uids: dict[str, str] = {}
    if ds_doc.get("apiVersion") != 1:
        problems.append(f"{ds_file.name}: apiVersion must be 1")
    for ds in ds_doc.get("datasources") or []:
        for key in ("name", "uid", "type", "url"):
            if not ds.get(key):
                problems.append(f"datasources: {ds.get('name', '?')} has no {key}")
        if ds.get("uid") in uids:
            problems.append(f"datasources: uid {ds['uid']} defined twice")
        uids[ds.get("uid")] = ds.get("type")
        if ds.get("type") == "grafana-postgresql-datasource":
            if ds.get("user") != "fleet_grafana":
                problems.append("datasources: the PostgreSQL data source must log in as fleet_grafana (read-only)")
            if "password" not in (ds.get("secureJsonData") or {}):
                problems.append("datasources: the PostgreSQL password belongs in secureJsonData")
    dash_doc = yaml.safe_load(dash_file.read_text())
    if dash_doc.get("apiVersion") != 1:
        problems.append(f"{dash_file.name}: apiVersion must be 1")
    providers = dash_doc.get("providers") or []
    if not any(p.get("type") == "file" and (p.get("options") or {}).get("path") == "/var/lib/grafana/dashboards"
               for p in providers):
        problems.append("dashboards provider: no file provider for /var/lib/grafana/dashboards")
    return uids, problems


def substitute_vars(expr: str, values: dict[str, str]) -> str:
    for name, val in {**values, **INTERVALS}.items():
        expr = expr.replace("${" + name + "}", val)
        expr = re.sub(r"\$" + re.escape(name) + r"(?![A-Za-z0-9_])", val, expr)
    return expr


def resolve_sql(sql: str) -> tuple[str, Optional[str]]:
    out = re.sub(r"\$__timeFilter\(\s*([A-Za-z0-9_.\"]+)\s*\)", lambda m: SQL_TIME_FILTER.format(col=m.group(1)), sql)
    left = re.findall(r"\$__\w+|\$\{?\w+", out)
    return out, (f"macros the check cannot expand: {', '.join(sorted(set(left)))}" if left else None)


def collect(uids: dict[str, str]) -> tuple[list[PanelCheck], list[tuple[str, str]], list[str]]:
    """Panels with their targets, template-variable selectors (dashboard, selector), dashboard-level problems."""
    panels: list[PanelCheck] = []
    var_selectors: list[tuple[str, str]] = []
    problems: list[str] = []
    seen_uids: set[str] = set()
    files = sorted((GRAFANA_DIR / "dashboards").glob("*.json"))
    if not files:
        problems.append("no dashboards in config/grafana/dashboards")
    for path in files:
        text = path.read_text()
        model = json.loads(text)
        title = model.get("title", path.name)
        try:
            gen.load_back(text)
        except Exception as exc:  # noqa: BLE001
            problems.append(f"{path.name}: does not load in grafana-foundation-sdk: {exc}")
        if model.get("uid") in seen_uids or not model.get("uid"):
            problems.append(f"{path.name}: missing or duplicate dashboard uid {model.get('uid')!r}")
        seen_uids.add(model.get("uid"))
        values: dict[str, str] = {}
        for var in (model.get("templating") or {}).get("list", []):
            values[var["name"]] = var.get("allValue") or ".+"
            ds = var.get("datasource") or {}
            if ds.get("uid") not in uids or uids[ds.get("uid")] != ds.get("type"):
                problems.append(f"{title}: variable {var['name']} uses unknown data source {ds}")
            m = re.fullmatch(r"label_values\((.+),\s*(\w+)\)", var.get("query", ""))
            if m:
                var_selectors.append((title, m.group(1)))
            else:
                problems.append(f"{title}: variable {var['name']}: query is not label_values(selector, label)")
        ids = [p.get("id") for p in model.get("panels", [])]
        if len(ids) != len(set(ids)) or None in ids:
            problems.append(f"{title}: panel ids are not unique: {ids}")
        for p in model.get("panels", []):
            if p.get("type") == "row":
                if p.get("panels"):
                    problems.append(f"{title}: row {p.get('title')} nests panels (only collapsed rows may)")
                continue
            pc = PanelCheck(title, p.get("title") or f"panel {p.get('id')}")
            if not p.get("title"):
                pc.problems.append("no title")
            if not (p.get("description") or "").strip():
                pc.problems.append("no description (say what question the panel answers)")
            if not p.get("targets"):
                pc.problems.append("no targets")
            for t in p.get("targets", []):
                ds = t.get("datasource") or {}
                uid, typ = ds.get("uid"), ds.get("type")
                if uid not in uids:
                    pc.problems.append(f"{t.get('refId')}: data source uid {uid!r} is not provisioned")
                    continue
                if uids[uid] != typ:
                    pc.problems.append(f"{t.get('refId')}: data source {uid} is {uids[uid]}, target says {typ}")
                if typ == "prometheus":
                    expr = t.get("expr", "")
                    tg = Target(t.get("refId", "?"), "prometheus", expr, substitute_vars(expr, values))
                    if "$" in tg.resolved:
                        pc.problems.append(f"{tg.ref}: unresolved variable in {tg.resolved}")
                    pc.targets.append(tg)
                else:
                    sql, err = resolve_sql(t.get("rawSql", ""))
                    if err:
                        pc.problems.append(f"{t.get('refId')}: {err}")
                    pc.targets.append(Target(t.get("refId", "?"), "sql", t.get("rawSql", ""), sql))
            panels.append(pc)
    return panels, var_selectors, problems


def promtool_check(exprs: list[str], promtool: str) -> dict[int, str]:
    """Index → parse error, for expressions promtool rejects (all at once; one by one only when something fails)."""
    def run(items: list[tuple[int, str]]) -> tuple[bool, str]:
        doc = {"groups": [{"name": "dashboard_panels", "rules": [
            {"record": f"dashboard:panel_{i}:check", "expr": e} for i, e in items]}]}
        with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as fh:
            yaml.safe_dump(doc, fh, sort_keys=False)
            name = fh.name
        try:
            proc = subprocess.run([promtool, "check", "rules", name], capture_output=True, text=True)
        finally:
            Path(name).unlink()
        return proc.returncode == 0, (proc.stdout + proc.stderr).strip()

    indexed = list(enumerate(exprs))
    ok, _ = run(indexed)
    if ok:
        return {}
    errors = {}
    for i, e in indexed:
        good, out = run([(i, e)])
        if not good:
            errors[i] = " ".join(out.split())[-300:]
    return errors


def prom_get(base: str, path: str, params: dict[str, str]) -> dict[str, Any]:
    url = base.rstrip("/") + path + "?" + urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return json.load(resp)
    except urllib.error.HTTPError as exc:
        try:
            return json.load(exc)
        except Exception:  # noqa: BLE001
            return {"status": "error", "error": f"HTTP {exc.code}"}
    except (urllib.error.URLError, OSError) as exc:
        return {"status": "error", "error": str(exc)}


def live_prometheus(pc: PanelCheck, t: Target, base: str) -> None:
    now = time.time()
    inst = prom_get(base, "/api/v1/query", {"query": t.resolved, "time": f"{now:.3f}"})
    if inst.get("status") != "success":
        pc.problems.append(f"{t.ref}: instant query error: {inst.get('error')}")
        return
    result = inst["data"]["result"]
    if not result:
        pc.problems.append(f"{t.ref}: instant query returned nothing ({short(t.resolved)})")
        return
    rng = prom_get(base, "/api/v1/query_range", {"query": t.resolved, "start": f"{now - 300:.3f}",
                                                 "end": f"{now:.3f}", "step": "15"})
    if rng.get("status") != "success":
        pc.problems.append(f"{t.ref}: range query error: {rng.get('error')}")
        return
    if not rng["data"]["result"]:
        pc.problems.append(f"{t.ref}: range query over the last 5 min returned nothing")
        return
    values = [r["value"][1] for r in result if "value" in r]
    if values and all(v.lower() == "nan" for v in values):
        pc.notes.append(f"{t.ref}: NaN (no events in the window)")
    else:
        pc.notes.append(f"{t.ref}: {len(result)} series")


def psql(conninfo: str, sql: str, stdin: bool = False) -> subprocess.CompletedProcess:
    cmd = ["psql", "-X", "-q", "--csv", "-v", "ON_ERROR_STOP=1", "-d", conninfo]
    if stdin:
        return subprocess.run(cmd, input=sql, capture_output=True, text=True, timeout=60)
    return subprocess.run(cmd + ["-c", sql], capture_output=True, text=True, timeout=60)


def live_sql(pc: PanelCheck, t: Target, conninfo: str) -> None:
    proc = psql(conninfo, t.resolved)
    if proc.returncode != 0:
        pc.problems.append(f"{t.ref}: SQL error: {' '.join(proc.stderr.split())[:300]}")
        return
    rows = max(0, len([line for line in proc.stdout.splitlines()]) - 1)   # --csv: header + one line per row
    if rows == 0:
        pc.problems.append(f"{t.ref}: SQL returned no rows")
    else:
        pc.notes.append(f"{t.ref}: {rows} row(s)")


READ_ONLY_PROBES = [
    # (what, script, error text that proves the refusal)
    ("INSERT refused (read-only default)",
     "INSERT INTO tracking.vehicle_connectivity VALUES ('grafana-probe', true, now(), now());",
     "read-only transaction"),
    ("INSERT refused by privileges (READ WRITE transaction)",
     "BEGIN READ WRITE;\nINSERT INTO tracking.vehicle_connectivity VALUES ('grafana-probe', true, now(), now());\n"
     "ROLLBACK;", "permission denied"),
    ("CREATE TABLE refused by privileges (READ WRITE transaction)",
     "BEGIN READ WRITE;\nCREATE TABLE tracking.grafana_probe (x int);\nROLLBACK;", "permission denied"),
    ("credentials not readable (control.api_tokens)",
     "SELECT count(*) FROM control.api_tokens;", "permission denied"),
    ("webhook secrets not readable (alerting.webhooks)",
     "SELECT count(*) FROM alerting.webhooks;", "permission denied"),
]


def read_only_checks(conninfo: str) -> list[tuple[str, Optional[str]]]:
    out = []
    who = psql(conninfo, "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
    if who.returncode != 0:
        return [("connect as the read-only role", " ".join(who.stderr.split())[:300])]
    user, is_super = who.stdout.splitlines()[1].split(",")
    if is_super == "t":
        out.append((f"role {user} is not a superuser", "it is a superuser"))
    for what, script, expected in READ_ONLY_PROBES:
        proc = psql(conninfo, script, stdin=True)
        if proc.returncode == 0:
            out.append((what, "was ALLOWED (rolled back where possible): the role is not read-only"))
        elif expected not in proc.stderr:
            out.append((what, f"failed for another reason: {' '.join(proc.stderr.split())[:200]}"))
        else:
            out.append((what, None))
    return out


def short(s: str, n: int = 120) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description="Check every panel of the Fleet dashboards (see the module doc).")
    ap.add_argument("--prometheus", help="Prometheus base URL for the live PromQL checks")
    ap.add_argument("--postgres", help="libpq conninfo of the read-only role for the live SQL checks")
    ap.add_argument("--promtool", default=shutil.which("promtool") or "promtool")
    args = ap.parse_args(argv)
    gen.register_sql_variant()

    uids, problems = load_provisioning()
    panels, var_selectors, dash_problems = collect(uids)
    problems += dash_problems

    prom_targets = [(pc, t) for pc in panels for t in pc.targets if t.kind == "prometheus"]
    exprs = [t.resolved for _, t in prom_targets] + [sel for _, sel in var_selectors]
    if not Path(args.promtool).exists() and not shutil.which(args.promtool):
        problems.append(f"promtool not found ({args.promtool}): install Debian's prometheus package")
    else:
        errors = promtool_check(exprs, args.promtool)
        for i, err in errors.items():
            if i < len(prom_targets):
                pc, t = prom_targets[i]
                pc.problems.append(f"{t.ref}: does not parse: {err}")
            else:
                problems.append(f"variable selector {exprs[i]!r} does not parse: {err}")

    if args.prometheus:
        for title, sel in var_selectors:
            res = prom_get(args.prometheus, "/api/v1/query", {"query": substitute_vars(sel, {})})
            if res.get("status") != "success" or not res["data"]["result"]:
                problems.append(f"{title}: variable selector {sel} returns nothing ({res.get('error', 'empty')})")
    for pc in panels:
        if pc.problems:   # a static failure: no point running it
            continue
        for t in pc.targets:
            if t.kind == "prometheus" and args.prometheus:
                live_prometheus(pc, t, args.prometheus)
            elif t.kind == "sql" and args.postgres:
                live_sql(pc, t, args.postgres)

    failed = 0
    for pc in panels:
        status = "FAIL" if pc.problems else "ok  "
        failed += bool(pc.problems)
        kinds = "+".join(sorted({t.kind for t in pc.targets})) or "-"
        detail = "; ".join(pc.problems or pc.notes or ["static checks passed"])
        print(f"{status} {pc.dashboard} / {pc.title} [{kinds}]: {detail}")
    ro_failed = 0
    if args.postgres:
        for what, err in read_only_checks(args.postgres):
            ro_failed += err is not None
            print(f"{'FAIL' if err else 'ok  '} read-only role: {what}{': ' + err if err else ''}")
    for p in problems:
        print(f"FAIL {p}")
    live = [name for name, on in (("PromQL", args.prometheus), ("SQL", args.postgres)) if on]
    print(f"\n{len(panels) - failed}/{len(panels)} panels ok ({len(prom_targets)} PromQL and "
          f"{sum(t.kind == 'sql' for pc in panels for t in pc.targets)} SQL targets; static checks"
          f"{' + live ' + ' and '.join(live) if live else ' only'}), {len(problems)} other problem(s)"
          f"{f', {ro_failed} read-only check(s) failed' if args.postgres else ''}")
    return 1 if failed or problems or ro_failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
