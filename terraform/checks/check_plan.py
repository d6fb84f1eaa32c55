#!/usr/bin/env python3
"""Assertions on a Terraform plan or state of terraform/envs/* (run by scripts/validate-deploy.sh).

    check_plan.py ENV PLAN_OR_STATE.json [--applied] [--doctor CASE]

ENV is bootstrap, dev or prod. The JSON is `terraform show -json tfplan` (offline plan: values that
only exist after apply are absent) or `terraform show -json` of an applied state (--applied: adds the
checks that need ids and ARNs, e.g. the IRSA trust conditions). --doctor breaks the loaded values
one way first, for the guard cases that must fail.

    check_plan.py ENV SECOND_PLAN.json --replan

checks a plan made right after an apply against the moto emulator: it must change nothing except
where moto is known not to give back what it was given (EMULATOR_GAPS); any other change is a
perpetual diff of the configuration.
"""
import argparse
import json
import sys


def resources(module, out):
    """Flatten planned_values / values into {address: values}, child modules included."""
    for r in module.get("resources", []):
        out[r["address"]] = r.get("values") or {}
    for child in module.get("child_modules", []):
        resources(child, out)
    return out


# Where the modules are in the plans: envs/dev and envs/prod call modules/fleet-environment as
# module "environment"; s3-archive and state-backend make their bucket with modules/secure-bucket
# (module "bucket").
ENV = "module.environment"
ARCHIVE_BUCKET = f"{ENV}.module.archive.module.bucket"
STATE_BUCKET = "module.state.module.bucket"


def of_type(res, module, rtype):
    """Every instance (count/for_each) of one resource: ADDRESS, ADDRESS[0], ADDRESS["key"]."""
    base = f"{module}.{rtype}"
    return {a: v for a, v in res.items() if a == base or a.startswith(base + "[")}


def one(res, address):
    if address not in res:
        raise KeyError(f"missing resource {address}")
    return res[address]


def bucket_checks(res, module, label):
    """Encrypted with KMS, versioned, public access blocked, TLS-only policy (modules/secure-bucket)."""
    sse = one(res, f"{module}.aws_s3_bucket_server_side_encryption_configuration.this")["rule"][0]
    pab = one(res, f"{module}.aws_s3_bucket_public_access_block.this")
    ver = one(res, f"{module}.aws_s3_bucket_versioning.this")["versioning_configuration"][0]
    policy = json.loads(one(res, f"{module}.aws_s3_bucket_policy.this")["policy"])
    return {
        f"{label}: SSE-KMS": sse["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "aws:kms",
        f"{label}: public access blocked": all(
            pab[k] is True for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")),
        f"{label}: versioned": ver["status"] == "Enabled",
        f"{label}: TLS-only policy": any(
            s["Effect"] == "Deny" and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
            and s["Principal"] == "*" and s["Action"] == "s3:*" and len(s["Resource"]) == 2
            for s in policy["Statement"]),
    }


def env_checks(env, res, applied):
    azs = {"dev": 2, "prod": 3}[env]
    checks = {}

    # --- network
    public = of_type(res, f"{ENV}.module.network", "aws_subnet.public")
    private = of_type(res, f"{ENV}.module.network", "aws_subnet.private")
    nats = of_type(res, f"{ENV}.module.network", "aws_nat_gateway.this")
    checks["subnets: public + private in every zone"] = (
        len(public) == len(private) == azs
        and len({s["availability_zone"] for s in private.values()}) == azs)
    checks["subnets: EKS load balancer tags"] = (
        all(s["tags"].get("kubernetes.io/role/elb") == "1" and not s["map_public_ip_on_launch"] for s in public.values())
        and all(s["tags"].get("kubernetes.io/role/internal-elb") == "1" for s in private.values())
        and all(s["tags"].get(f"kubernetes.io/cluster/fleet-{env}") == "shared" for s in [*public.values(), *private.values()]))
    checks[f"NAT gateways: {'one per zone' if env == 'prod' else 'one'}"] = len(nats) == (azs if env == "prod" else 1)
    checks["VPC flow logs (ALL)"] = one(res, f"{ENV}.module.network.aws_flow_log.this")["traffic_type"] == "ALL"

    # --- EKS
    cluster = one(res, f"{ENV}.module.eks.aws_eks_cluster.this")
    vpc = cluster["vpc_config"][0]
    checks["EKS: private endpoint, no public endpoint by default"] = (
        vpc["endpoint_private_access"] is True and vpc["endpoint_public_access"] is False)
    checks["EKS: Secrets encrypted with KMS"] = cluster["encryption_config"][0]["resources"] == ["secrets"]
    checks["EKS: every control-plane log type"] = sorted(cluster["enabled_cluster_log_types"]) == sorted(
        ["api", "audit", "authenticator", "controllerManager", "scheduler"])
    groups = of_type(res, f"{ENV}.module.eks", "aws_eks_node_group.this")
    ingest = one(res, f'{ENV}.module.eks.aws_eks_node_group.this["ingest"]')
    general = one(res, f'{ENV}.module.eks.aws_eks_node_group.this["general"]')
    checks["ingest pool: label fleet.dev/pool=ingest"] = ingest["labels"] == {"fleet.dev/pool": "ingest"}
    checks["ingest pool: taint fleet.dev/ingest=true:NoSchedule"] = [
        (t["key"], t["value"], t["effect"]) for t in ingest.get("taint") or []] == [("fleet.dev/ingest", "true", "NO_SCHEDULE")]
    checks["general pool: no taint"] = len(groups) == 2 and not general.get("taint")
    sizes = ingest["scaling_config"][0]
    checks[f"ingest pool size ({env})"] = (sizes["min_size"], sizes["max_size"]) == ((3, 8) if env == "prod" else (1, 2))
    templates = of_type(res, f"{ENV}.module.eks", "aws_launch_template.node")
    checks["nodes: IMDSv2 only, hop limit 1, encrypted root volume"] = len(templates) == 2 and all(
        t["metadata_options"][0]["http_tokens"] == "required"
        and t["metadata_options"][0]["http_put_response_hop_limit"] == 1
        and t["block_device_mappings"][0]["ebs"][0]["encrypted"] == "true"
        for t in templates.values())

    # --- RDS
    db = one(res, f"{ENV}.module.postgres.aws_db_instance.this")
    rules = of_type(res, f"{ENV}.module.postgres", "aws_vpc_security_group_ingress_rule.postgres")
    checks["RDS: PostgreSQL 15, encrypted, not public"] = (
        db["engine"] == "postgres" and db["engine_version"].split(".")[0] == "15"
        and db["storage_encrypted"] is True and db["publicly_accessible"] is False)
    checks["RDS: password managed by RDS, not in state"] = db["manage_master_user_password"] is True and not db.get("password")
    checks["RDS: backups kept 7 days or more"] = db["backup_retention_period"] >= 7
    if not applied:  # the emulator run turns protection off so that it can destroy
        checks["RDS: deletion protection"] = db["deletion_protection"] is True
    checks[f"RDS: Multi-AZ {env == 'prod'}"] = db["multi_az"] is (env == "prod")
    checks["RDS: TLS enforced"] = any(
        p["name"] == "rds.force_ssl" and p["value"] == "1" for p in one(res, f"{ENV}.module.postgres.aws_db_parameter_group.this")["parameter"])
    checks["RDS: 5432 from one security group only"] = len(rules) == 1 and all(
        (r["from_port"], r["to_port"], r["ip_protocol"]) == (5432, 5432, "tcp") and not r.get("cidr_ipv4") for r in rules.values())

    # --- archive bucket, secrets, images
    checks.update(bucket_checks(res, ARCHIVE_BUCKET, "archive bucket"))
    # (not `rules`: that name holds the database's ingress rules, read again in the applied-state checks below)
    lifecycle = one(res, f"{ARCHIVE_BUCKET}.aws_s3_bucket_lifecycle_configuration.this")["rule"]
    moving = [r for r in lifecycle if r.get("transition")]
    checks["archive: telemetry (fleet/telemetry/) to GLACIER_IR, still readable with ranged GETs"] = len(moving) == 1 and all(
        r["status"] == "Enabled" and [f.get("prefix") for f in r["filter"]] == ["fleet/telemetry/"]
        and [t["storage_class"] for t in r["transition"]] == ["GLACIER_IR"] for r in moving)
    checks["archive: old versions expire, incomplete uploads aborted (whole bucket)"] = any(
        r["status"] == "Enabled" and not r.get("transition") and not any(f.get("prefix") for f in r.get("filter") or [])
        and r["noncurrent_version_expiration"] and r["abort_incomplete_multipart_upload"] for r in lifecycle)
    secrets = of_type(res, f"{ENV}.module.secrets", "aws_secretsmanager_secret.this")
    checks["app secrets: fleet/<env>/archive, control and mqtt (charts/fleet-secrets)"] = sorted(
        s["name"] for s in secrets.values()) == [f"fleet/{env}/archive", f"fleet/{env}/control", f"fleet/{env}/mqtt"]
    if not applied:
        checks["app secrets: 30-day recovery window"] = all(s["recovery_window_in_days"] == 30 for s in secrets.values())
    checks["ECR: scan on push, immutable tags"] = all(
        r["image_scanning_configuration"][0]["scan_on_push"] and r["image_tag_mutability"] == "IMMUTABLE"
        for r in of_type(res, f"{ENV}.module.images", "aws_ecr_repository.this").values())

    if applied:
        node_sg = one(res, f"{ENV}.module.eks.aws_security_group.node")["id"]
        checks["RDS admits the EKS node security group"] = [r["referenced_security_group_id"] for r in rules.values()] == [node_sg]
        oidc = one(res, f"{ENV}.module.eks.aws_iam_openid_connect_provider.this")
        issuer = oidc["url"].replace("https://", "")
        roles = of_type(res, f"{ENV}.module.iam", "aws_iam_role.this")
        expected = {"fleet-tracking": "fleet:fleet-tracking", "external-secrets": "external-secrets:external-secrets",
                    "ebs-csi": "kube-system:ebs-csi-controller-sa"}
        for key, sa in expected.items():
            stmt = json.loads(roles[f'{ENV}.module.iam.aws_iam_role.this["{key}"]']["assume_role_policy"])["Statement"]
            cond = stmt[0]["Condition"]["StringEquals"]
            checks[f"IRSA {key}: trusts system:serviceaccount:{sa} only"] = (
                len(stmt) == 1 and stmt[0]["Principal"]["Federated"] == oidc["arn"]
                and cond == {f"{issuer}:sub": f"system:serviceaccount:{sa}", f"{issuer}:aud": "sts.amazonaws.com"})
        bucket_arn = one(res, f"{ARCHIVE_BUCKET}.aws_s3_bucket.this")["arn"]
        tracking = json.loads(one(res, f"{ENV}.module.iam.aws_iam_role_policy.tracking")["policy"])["Statement"]
        scoped = [r for s in tracking for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])]
        checks["IRSA fleet-tracking: archive bucket and key only"] = set(scoped) == {
            bucket_arn, f"{bucket_arn}/fleet/*", one(res, f"{ARCHIVE_BUCKET}.aws_kms_key.this")["arn"]}
        actions = {a for st in tracking for a in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])}
        checks["IRSA fleet-tracking: list, get, put, delete objects; the key's data keys"] = {
            "s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "kms:GenerateDataKey", "kms:Decrypt"} <= actions
        readable = json.loads(one(res, f"{ENV}.module.iam.aws_iam_role_policy.external_secrets")["policy"])["Statement"][0]["Resource"]
        checks["IRSA external-secrets: the env's secrets only"] = sorted(readable) == sorted(
            [s["arn"] for s in secrets.values()] + [db["master_user_secret"][0]["secret_arn"]])
    return checks


# resource type -> (attributes moto does not round-trip, or None for "the whole resource"; why)
EMULATOR_GAPS = {
    "aws_vpc_security_group_ingress_rule": ({"referenced_security_group_id", "description"},
                                            "moto returns the group as <account>/sg-... and drops the description"),
    "aws_vpc_security_group_egress_rule": ({"referenced_security_group_id", "description"},
                                           "moto returns the group as <account>/sg-... and drops the description"),
    "aws_eks_node_group": (None, "moto invents remote_access (key eksKeypair) and disk_size for a launch-template node group"),
    "aws_launch_template": ({"tag_specifications", "latest_version", "default_version", "tags", "tags_all"},
                            "moto adds a launch-template tag specification"),
    "aws_db_parameter_group": ({"parameter"}, "moto does not return the parameters"),
    "aws_db_instance": ({"monitoring_interval", "monitoring_role_arn", "performance_insights_enabled",
                         "performance_insights_kms_key_id", "performance_insights_retention_period"},
                        "moto keeps neither Enhanced Monitoring nor Performance Insights"),
}


def replan_checks(doc):
    checks = {}
    for rc in doc.get("resource_changes", []):
        actions = rc["change"]["actions"]
        if actions in (["no-op"], ["read"]):
            continue
        before, after = rc["change"].get("before") or {}, rc["change"].get("after") or {}
        unknown = rc["change"].get("after_unknown") or {}
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)} | {k for k, v in unknown.items() if v is True}
        allowed, why = EMULATOR_GAPS.get(rc["type"], (set(), ""))
        if rc["type"] not in EMULATOR_GAPS:
            ok = False
        elif allowed is None:
            ok = True
        else:
            ok = "delete" not in actions and changed <= allowed
        label = f"second plan: {rc['address']} {'/'.join(actions)} ({', '.join(sorted(changed))})"
        checks[label + (f": emulator gap, {why}" if ok else ": perpetual dif")] = ok
    if not checks:
        checks["second plan: no changes"] = True
    return checks


DOCTOR = {
    "ingest-untainted": (f'{ENV}.module.eks.aws_eks_node_group.this["ingest"]', "taint", []),
    "rds-public": (f"{ENV}.module.postgres.aws_db_instance.this", "publicly_accessible", True),
    "archive-not-blocked": (f"{ARCHIVE_BUCKET}.aws_s3_bucket_public_access_block.this", "block_public_policy", False),
    # A function: the value is the planned one changed.
    "archive-flexible-glacier": (f"{ARCHIVE_BUCKET}.aws_s3_bucket_lifecycle_configuration.this", "rule",
                                 lambda rules: [dict(r, transition=[dict(t, storage_class="GLACIER") for t in r["transition"]])
                                                if r.get("transition") else r for r in rules]),
    "state-unencrypted": (f"{STATE_BUCKET}.aws_s3_bucket_server_side_encryption_configuration.this", "rule",
                          [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "AES256"}]}]),
}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("env", choices=["bootstrap", "dev", "prod"])
    p.add_argument("json")
    p.add_argument("--applied", action="store_true")
    p.add_argument("--doctor", choices=sorted(DOCTOR))
    p.add_argument("--replan", action="store_true")
    a = p.parse_args()
    doc = json.load(open(a.json))
    if a.replan:
        return report(a.env, replan_checks(doc))
    res = resources((doc.get("planned_values") or doc["values"])["root_module"], {})
    if a.doctor:
        address, key, value = DOCTOR[a.doctor]
        one(res, address)[key] = value(one(res, address)[key]) if callable(value) else value
    if a.env == "bootstrap":
        lock = one(res, "module.state.aws_dynamodb_table.lock")
        checks = bucket_checks(res, STATE_BUCKET, "state bucket")
        checks["lock table: LockID, encrypted, point-in-time recovery"] = (
            lock["hash_key"] == "LockID" and lock["server_side_encryption"][0]["enabled"]
            and lock["point_in_time_recovery"][0]["enabled"])
    else:
        checks = env_checks(a.env, res, a.applied)
    return report(a.env, checks)


def report(env, checks):
    for name, ok in checks.items():
        print(("ok      " if ok else "FAILED  ") + name)
    failed = [name for name, ok in checks.items() if not ok]
    if failed:
        more = f"; and {len(failed) - 3} more" if len(failed) > 3 else ""
        print(f"check_plan {env}: {len(failed)} failed: {'; '.join(failed[:3])}{more}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
