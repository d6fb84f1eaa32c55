#!/usr/bin/env python3
"""Validate the custom-resource objects of rendered manifests against deploy/crd-schemas/.

kubernetes-validate knows only the core Kubernetes kinds. Every other kind a chart renders (KEDA,
Argo Rollouts, Prometheus Operator, External Secrets, cert-manager...) is checked here against a
project-owned JSON Schema at deploy/crd-schemas/<group>/<version>/<Kind>.json: reduced to the fields
the charts use, closed (additionalProperties false) where the real CRD is closed, so a misspelt
field fails as the API server's strict field validation would. A non-core kind without a schema
fails. Core objects embedded in custom resources are checked with kubernetes-validate (strict): a
Rollout's pod template (as a Deployment's) and a ScaledObject's HPA behavior.

    validate_crds.py MANIFEST.yaml...                 # exit 1 on any error
    validate_crds.py --upstream DIR MANIFEST.yaml...  # also: every property of our schemas exists in the
                                                      # upstream CRD's openAPIV3Schema at DIR/<group>/<version>/<Kind>.json
"""
import argparse
import json
import os
import sys

import jsonschema
import kubernetes_validate
import yaml
from kubernetes_validate.utils import SchemaNotFoundError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMAS = os.path.join(ROOT, "deploy", "crd-schemas")


def is_core(doc, k8s_version):
    """True when kubernetes-validate has a schema for the kind (validated by phase k8s itself)."""
    probe = {"apiVersion": doc["apiVersion"], "kind": doc["kind"], "metadata": {"name": "probe"}}
    try:
        kubernetes_validate.validate(probe, k8s_version, strict=True)
    except SchemaNotFoundError:
        return False
    except kubernetes_validate.ValidationError:
        pass
    return True


def embedded(doc):
    """Core objects inside a custom resource, as (where, object) to validate strictly."""
    spec = doc.get("spec") or {}
    meta = {"name": doc["metadata"]["name"], "namespace": doc["metadata"].get("namespace", "default")}
    if doc["kind"] == "Rollout" and "template" in spec:
        yield "spec.template", {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
                                "spec": {"selector": spec.get("selector", {}), "template": spec["template"]}}
    behavior = ((spec.get("advanced") or {}).get("horizontalPodAutoscalerConfig") or {}).get("behavior")
    if doc["kind"] == "ScaledObject" and behavior is not None:
        target = spec["scaleTargetRef"]
        yield "spec.advanced.horizontalPodAutoscalerConfig.behavior", {
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": meta,
            "spec": {"scaleTargetRef": {"apiVersion": target.get("apiVersion", "apps/v1"), "kind": target.get("kind", "Deployment"),
                                        "name": target["name"]},
                     "minReplicas": 1, "maxReplicas": 2, "behavior": behavior}}


def schema_paths(schema, defs, path=""):
    """Every property path of a (project) schema, resolving local $refs."""
    if "$ref" in schema:
        schema = defs[schema["$ref"].split("/")[-1]]
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            yield from schema_paths(sub, defs, path)
    for name, sub in (schema.get("properties") or {}).items():
        yield f"{path}.{name}"
        yield from schema_paths(sub, defs, f"{path}.{name}")
    if isinstance(schema.get("items"), dict):
        yield from schema_paths(schema["items"], defs, path + "[]")


def upstream_has(up, path):
    node = up
    for part in [p for p in path.replace("[]", ".[]").split(".") if p]:
        if part == "[]":
            node = node.get("items") or {}
        else:
            props = node.get("properties")
            if props is None:
                # A free-form upstream object (x-kubernetes-preserve-unknown-fields, maps): anything below is its own.
                return node.get("x-kubernetes-preserve-unknown-fields") or "additionalProperties" in node or node.get("type") == "object"
            if part not in props:
                return False
            node = props[part]
    return True


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("manifests", nargs="+")
    ap.add_argument("--k8s-version", default="1.33.0")
    ap.add_argument("--upstream", help="folder of upstream CRD openAPIV3Schemas (<group>/<version>/<Kind>.json)")
    ns = ap.parse_args(argv)
    errors, counts, core_cache = [], {}, {}
    for path in ns.manifests:
        for doc in yaml.safe_load_all(open(path)):
            if not doc:
                continue
            api, kind = doc.get("apiVersion", ""), doc.get("kind", "")
            where = f"{path}: {api} {kind}/{(doc.get('metadata') or {}).get('name')}"
            if (api, kind) not in core_cache:
                core_cache[(api, kind)] = is_core(doc, ns.k8s_version)
            if core_cache[(api, kind)]:
                continue
            group, _, version = api.rpartition("/")
            schema_file = os.path.join(SCHEMAS, group, version, f"{kind}.json")
            if not os.path.isfile(schema_file):
                errors.append(f"{where}: no schema (add {os.path.relpath(schema_file, ROOT)})")
                continue
            schema = json.load(open(schema_file))
            for e in sorted(jsonschema.Draft7Validator(schema).iter_errors(doc), key=lambda e: list(e.absolute_path)):
                errors.append(f"{where}: /{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}")
            for inner, obj in embedded(doc):
                try:
                    kubernetes_validate.validate(obj, ns.k8s_version, strict=True)
                except kubernetes_validate.ValidationError as e:
                    errors.append(f"{where}: {inner}: {'.'.join(map(str, e.path))}: {e.message[:300]}")
            counts[f"{api} {kind}"] = counts.get(f"{api} {kind}", 0) + 1
    if ns.upstream:
        for group in sorted(os.listdir(SCHEMAS)):
            for version in sorted(os.listdir(os.path.join(SCHEMAS, group))):
                for name in sorted(os.listdir(os.path.join(SCHEMAS, group, version))):
                    ours = json.load(open(os.path.join(SCHEMAS, group, version, name)))
                    up_file = os.path.join(ns.upstream, group, version, name)
                    if not os.path.isfile(up_file):
                        errors.append(f"upstream: no {group}/{version}/{name}")
                        continue
                    up = json.load(open(up_file))
                    for p in sorted(set(schema_paths(ours["properties"]["spec"], ours.get("definitions", {}), ".spec"))):
                        if not upstream_has(up, p):
                            errors.append(f"upstream: {group}/{version} {name[:-5]}: {p} is not in the CRD")
    for e in errors:
        print(e)
    print(f"validate_crds: {sum(counts.values())} custom resource(s) checked"
          + (" (" + ", ".join(f"{k} x{v}" for k, v in sorted(counts.items())) + ")" if counts else "")
          + f", {len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
