#!/usr/bin/env bash
# Checks the Prometheus and Alertmanager configuration of the stack, offline, in a few seconds:
#   - promtool check config: config/prometheus/prometheus.yml and prometheus.compose.yml (the compose file's rule
#     path /etc/prometheus/rules/*.yml is mapped to a temporary copy of config/prometheus/rules/);
#   - promtool check rules and promtool test rules (config/prometheus/tests/*.yml, run in parallel);
#   - amtool check-config: config/alertmanager/alertmanager.yml and alertmanager.compose.yml;
#   - every alert rule has severity (critical|warning|info), summary, description and a runbook_url whose anchor
#     exists in docs/observability-alerts.md, and at least one promtool test case in which it fires (matched by
#     alertname and severity in exp_alerts).
# Needs only Debian's prometheus and prometheus-alertmanager packages and python3 with PyYAML.
# Prints one line per check; exits non-zero if any check fails.
# Usage: scripts/observability/check-rules.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
prom="$root/config/prometheus"
am="$root/config/alertmanager"
runbook="$root/docs/observability-alerts.md"
failures=0
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# check NAME COMMAND...: runs COMMAND quietly, prints "ok"/"FAIL" and the output on failure.
check() {
    local name="$1"
    shift
    if "$@" >"$tmp/out" 2>&1; then
        echo "ok   $name"
    else
        echo "FAIL $name"
        sed 's/^/     /' "$tmp/out"
        failures=$((failures + 1))
    fi
}

for tool in promtool amtool python3; do
    command -v "$tool" >/dev/null || { echo "FAIL $tool not found (apt-get install prometheus prometheus-alertmanager python3-yaml)"; exit 1; }
done

check "promtool check config prometheus.yml" promtool check config "$prom/prometheus.yml"

# The compose config names its rules by their path in the container; check a copy that points at the repository's.
mkdir -p "$tmp/compose"
cp -r "$prom/rules" "$tmp/compose/rules"
sed "s#/etc/prometheus/rules/#$tmp/compose/rules/#" "$prom/prometheus.compose.yml" >"$tmp/compose/prometheus.yml"
check "promtool check config prometheus.compose.yml (rules mapped from /etc/prometheus/rules)" \
    promtool check config "$tmp/compose/prometheus.yml"

check "promtool check rules rules/*.yml" promtool check rules "$prom"/rules/*.yml

# One promtool per test file, in parallel (the days-long SLO cases take a few seconds each).
pids=()
tests=()
for file in "$prom"/tests/*.yml; do
    name="$(basename "$file")"
    (cd "$prom/tests" && promtool test rules "$name") >"$tmp/test-$name.out" 2>&1 &
    pids+=("$!")
    tests+=("$name")
done
for i in "${!pids[@]}"; do
    if wait "${pids[$i]}"; then
        echo "ok   promtool test rules tests/${tests[$i]}"
    else
        echo "FAIL promtool test rules tests/${tests[$i]}"
        sed 's/^/     /' "$tmp/test-${tests[$i]}.out"
        failures=$((failures + 1))
    fi
done

check "amtool check-config alertmanager.yml" amtool check-config "$am/alertmanager.yml"
check "amtool check-config alertmanager.compose.yml" amtool check-config "$am/alertmanager.compose.yml"

check "every alert: severity, summary, description, runbook anchor, a firing test case" \
    python3 - "$prom" "$runbook" <<'PY'
import glob, os, re, sys
import yaml

prom, runbook = sys.argv[1], sys.argv[2]
problems = []

# Anchors as GitHub renders headings: lower case, punctuation dropped, spaces to hyphens.
anchors = set()
with open(runbook, encoding="utf-8") as f:
    for line in f:
        m = re.match(r"#+\s+(.*?)\s*$", line)
        if m:
            anchors.add(re.sub(r"[^\w\- ]", "", m.group(1).lower()).replace(" ", "-"))

rules = []
for path in sorted(glob.glob(os.path.join(prom, "rules", "*.yml"))):
    with open(path, encoding="utf-8") as f:
        for group in yaml.safe_load(f)["groups"]:
            for rule in group["rules"]:
                if "alert" in rule:
                    rules.append((os.path.basename(path), rule))

for file, rule in rules:
    name, labels, notes = rule["alert"], rule.get("labels", {}), rule.get("annotations", {})
    where = f"{file}: {name} ({labels.get('severity')})"
    if labels.get("severity") not in ("critical", "warning", "info"):
        problems.append(f"{where}: severity must be critical, warning or info")
    for key in ("summary", "description", "runbook_url"):
        if not str(notes.get(key, "")).strip():
            problems.append(f"{where}: annotation {key} missing")
    url = notes.get("runbook_url", "")
    if not url.startswith("docs/observability-alerts.md#") or url.split("#", 1)[1] not in anchors:
        problems.append(f"{where}: runbook_url {url!r} is not an anchor of docs/observability-alerts.md")
    if "vehicle" in " ".join(str(k) for k in labels):
        problems.append(f"{where}: a vehicle label")

# (alertname, severity) pairs that fire in some test case.
fired = set()
for path in sorted(glob.glob(os.path.join(prom, "tests", "*.yml"))):
    with open(path, encoding="utf-8") as f:
        for test in yaml.safe_load(f).get("tests", []):
            for case in test.get("alert_rule_test", []) or []:
                for alert in case.get("exp_alerts", []) or []:
                    fired.add((case["alertname"], alert.get("exp_labels", {}).get("severity")))
for file, rule in rules:
    key = (rule["alert"], rule.get("labels", {}).get("severity"))
    if key not in fired:
        problems.append(f"{file}: {key[0]} ({key[1]}) has no test case in which it fires")

for p in problems:
    print(p)
print(f"{len(rules)} alert rules, {len(fired)} fired in tests, {len(anchors)} runbook headings")
sys.exit(1 if problems else 0)
PY

if [ "$failures" -gt 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
