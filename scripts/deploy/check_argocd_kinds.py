#!/usr/bin/env python3
"""The Argo CD projects allow exactly the kinds their Applications deploy (scripts/validate-deploy.sh, phase argocd).

Argo CD refuses to sync an object whose kind its project does not whitelist, so a kind missing from
argocd/projects.yaml breaks a sync; a kind listed but never rendered is a permission nobody needs.
This script renders the app-of-apps (argocd/apps) for every environment, then every chart an
Application points at, with:
  - the chart's default values,
  - charts/ci-values/<chart>.yaml (every optional path of the chart),
  - the Application's own valuesObject (what Argo CD will really render in that environment),
collects the (group, kind) of every object per project, split into cluster-scoped and namespaced,
and compares them with the project's clusterResourceWhitelist / namespaceResourceWhitelist both
ways: missing = fail, extra = fail. The root project (the one of the root Applications) must
allow exactly Application.

  check_argocd_kinds.py [--projects argocd/projects.yaml] [--env NAME=VALUES_FILE[,k=v...]]... [--suggest]

Default environments: dev (argocd/apps/values-dev.yaml) and prod (values-prod.yaml, plus a database
address and an archive bucket: prod refuses to render without them). Needs the validate-deploy venv (helm-python-sdk, PyYAML).
"""
import argparse
import glob
import os
import sys

import yaml
import helm_python
from helm_python.chart import Chart

# Kubernetes kinds that are not namespaced, for the kinds charts could render. A kind not listed is
# taken as namespaced; Argo CD would then refuse it under namespaceResourceWhitelist, so a new
# cluster-scoped kind has to be added here (names starting with "Cluster" are taken as cluster-scoped).
CLUSTER_SCOPED = {
    ("", "Namespace"), ("", "PersistentVolume"), ("", "Node"),
    ("rbac.authorization.k8s.io", "ClusterRole"), ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"), ("storage.k8s.io", "StorageClass"),
    ("scheduling.k8s.io", "PriorityClass"), ("networking.k8s.io", "IngressClass"),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
    ("external-secrets.io", "ClusterSecretStore"), ("external-secrets.io", "ClusterExternalSecret"),
    ("generators.external-secrets.io", "ClusterGenerator"),
    ("cert-manager.io", "ClusterIssuer"), ("keda.sh", "ClusterTriggerAuthentication"),
    ("argoproj.io", "ClusterAnalysisTemplate"),
}
DEFAULT_ENVS = [
    "dev=argocd/apps/values-dev.yaml",
    # A syntactically real RDS address and archive bucket (prod refuses to render without them): the
# check is about kinds, not about these values.
    "prod=argocd/apps/values-prod.yaml,services.postgres.host=fleet-prod.c0ffee.eu-west-1.rds.amazonaws.com,"
    "apps.fleet-tracking.values.env.FLEET_ARCHIVE_S3_BUCKET=fleet-prod-archive-ci",
]


def deep_merge(a, b):
    for k, v in b.items():
        if isinstance(v, dict) and isinstance(a.get(k), dict):
            deep_merge(a[k], v)
        else:
            a[k] = v
    return a


def render(chart_path, values, name, namespace):
    """Objects of `helm template name chart_path -n namespace` with these values."""
    # Helm's Go logger writes INFO lines ("found symbolic link") to fd 2: silence them; a failed
    # render raises with Helm's message.
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        out = Chart.load(chart_path).render(values or None, name=name, namespace=namespace, is_install=True)
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    docs = []
    for path in sorted(out):
        if path.endswith("NOTES.txt"):
            continue
        docs += [d for d in yaml.safe_load_all(out[path]) if isinstance(d, dict) and d.get("kind")]
    return docs


def group_kind(doc):
    api = doc["apiVersion"]
    return (api.split("/")[0] if "/" in api else "", doc["kind"])


def is_cluster_scoped(gk):
    return gk in CLUSTER_SCOPED or gk[1].startswith("Cluster")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--projects", default="argocd/projects.yaml")
    ap.add_argument("--root", action="append", help="root Application files (default argocd/root-*.yaml)")
    ap.add_argument("--env", action="append", help="NAME=VALUES_FILE[,key=value...] (default: dev and prod)")
    ap.add_argument("--suggest", action="store_true", help="on failure, print the whitelists the charts need")
    ns = ap.parse_args()

    projects = {d["metadata"]["name"]: d["spec"] for d in yaml.safe_load_all(open(ns.projects))
                if d and d.get("kind") == "AppProject"}
    roots = [yaml.safe_load(open(p)) for p in (ns.root or sorted(glob.glob("argocd/root-*.yaml")))]
    if not roots:
        sys.exit("no root Application (argocd/root-*.yaml)")

    # (project, scope) -> {(group, kind): [where it came from]}
    rendered = {}

    def record(project, doc, where):
        gk = group_kind(doc)
        scope = "cluster" if is_cluster_scoped(gk) else "namespace"
        rendered.setdefault((project, scope), {}).setdefault(gk, []).append(where)

    charts_done = set()
    for spec in ns.env or DEFAULT_ENVS:
        env, _, rest = spec.partition("=")
        values_file, *sets = rest.split(",")
        values = yaml.safe_load(open(values_file)) or {}
        for s in sets:
            deep_merge(values, helm_python.parse_set_string(s))
        root = next((r for r in roots if any(f.endswith(os.path.basename(values_file))
                                                for f in r["spec"]["source"].get("helm", {}).get("valueFiles", []))), None)
        if root is None:
            sys.exit(f"{env}: no root Application uses {values_file}")
        root_path = root["spec"]["source"]["path"]
        apps = render(root_path, values, "fleet", root["spec"]["destination"]["namespace"])
        for app in apps:
            record(root["spec"]["project"], app, f"{root_path} ({env})")
        # With every app enabled too, so a kind of an app that is off in both environments still counts.
        all_on = deep_merge(yaml.safe_load(open(values_file)) or {}, {"apps": {}})
        for s in sets:
            deep_merge(all_on, helm_python.parse_set_string(s))
        base = yaml.safe_load(open(os.path.join(root_path, "values.yaml")))
        for name in base["apps"]:
            all_on["apps"].setdefault(name, {})["enabled"] = True
        apps_all = {a["metadata"]["name"]: a for a in render(root_path, all_on, "fleet", root["spec"]["destination"]["namespace"])}
        for name, app in apps_all.items():
            if app["kind"] != "Application":
                continue
            spec_ = app["spec"]
            project, path = spec_["project"], spec_["source"]["path"]
            namespace = spec_["destination"]["namespace"]
            variants = [(f"{env} Application values", spec_["source"].get("helm", {}).get("valuesObject", {}))]
            if path not in charts_done:
                charts_done.add(path)
                variants.append(("default values", {}))
                ci = os.path.join("charts", "ci-values", os.path.basename(path) + ".yaml")
                if os.path.isfile(ci):
                    variants.append((ci, yaml.safe_load(open(ci)) or {}))
            for label, vals in variants:
                try:
                    docs = render(path, vals, spec_["source"].get("helm", {}).get("releaseName", name), namespace)
                except Exception as e:  # a chart that does not render is an error here too
                    sys.exit(f"{path} ({label}): render failed: {e}")
                for doc in docs:
                    record(project, doc, f"{path} ({label})")

    errors = []
    for proj_name, proj in sorted(projects.items()):
        for scope, key in (("cluster", "clusterResourceWhitelist"), ("namespace", "namespaceResourceWhitelist")):
            allowed = {(k["group"], k["kind"]) for k in proj.get(key) or []}
            used = rendered.get((proj_name, scope), {})
            for gk in sorted(set(used) - allowed):
                errors.append(f"{proj_name}: {gk[0] or 'core'}/{gk[1]} is rendered ({used[gk][0]}) but not in {key}")
            for gk in sorted(allowed - set(used)):
                errors.append(f"{proj_name}: {gk[0] or 'core'}/{gk[1]} is in {key} but no chart of the project renders it")
            print(f"{proj_name:16} {key:27} {len(allowed):2} allowed, {len(used):2} rendered")
    for project, _ in rendered:
        if project not in projects:
            errors.append(f"{project}: used by an Application but not in {ns.projects}")
    for e in errors:
        print(f"error: {e}")
    if errors and ns.suggest:
        print("\n# What the charts render, per project (argocd/projects.yaml):")
        for proj_name in sorted(projects):
            print(f"# {proj_name}")
            for scope, key in (("cluster", "clusterResourceWhitelist"), ("namespace", "namespaceResourceWhitelist")):
                used = sorted(rendered.get((proj_name, scope), {}))
                print(f"  {key}:" + ("" if used else " []"))
                for g, k in used:
                    print(f'    - group: "{g}"\n      kind: {k}' if not g else f"    - group: {g}\n      kind: {k}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
