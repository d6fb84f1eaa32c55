#!/usr/bin/env python3
"""Compare docs/metrics.md with what Fleet processes really export on /metrics.

The metrics reference (docs/metrics.md) has one markdown table row per metric family: name, type, labels, the
Prometheus jobs that export it and whether its series exist from start-up (`always`) or only after their first event.
This script scrapes one or more /metrics endpoints (or reads saved expositions) and fails when

  UNDOCUMENTED  an exported family has no row;
  TYPE          the exported `# TYPE` differs from the documented type;
  NOT-LISTED    a documented family is exported by a job its row does not list;
  LABELS        the exported label names differ from the documented ones;
  VALUE         a label value falls outside a closed set the row enumerates;
  MISSING       a family documented for a scraped job is absent and its row does not say `after first event`;
  UNREACHABLE   a target could not be read;
  DOC           the reference itself is malformed (unknown type or job, duplicate row, ...).

Usage:
  check_metrics.py --local                      # every Fleet process on 127.0.0.1 at its default port
  check_metrics.py fleet-health=http://127.0.0.1:8084/metrics other=/tmp/saved.txt
  check_metrics.py http://127.0.0.1:8081/metrics /tmp/metrics/8085.txt   # job from the default port / file name
  check_metrics.py --doc-only                   # only check that docs/metrics.md is well-formed
  check_metrics.py --self-test                  # the checker's own tests (built-in fixtures)

Without `job=`, the job comes from the URL's port or a file named `<port>.txt` (8081 fleet-tracking ... 8090
fleet-broker); when it cannot be told, only the per-family checks run (no NOT-LISTED, no MISSING).
Exit status: 0 when there is no problem, 1 otherwise, 2 on bad usage. Python standard library only.
"""

import argparse
import os
import re
import sys
import unittest
import urllib.parse
import urllib.request

DEFAULT_DOC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "metrics.md")

SERVICES = ["fleet-tracking", "fleet-control", "fleet-alerting", "fleet-health", "fleet-routing"]
# Default local ports of the processes whose /metrics the reference covers (scripts/run.sh).
DEFAULT_PORTS = {
    8081: "fleet-tracking", 8082: "fleet-control", 8083: "fleet-alerting", 8084: "fleet-health",
    8085: "fleet-routing", 8089: "fleet-sim", 8090: "fleet-broker",
}
KNOWN_JOBS = set(DEFAULT_PORTS.values())
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}
LAZY = "after first event"
SERIES = {"always", LAZY}
METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


# ---------------------------------------------------------------------------------------------------------------
# Prometheus text exposition format 0.0.4

class Family:
    """One exported metric family: its type and the label names and values seen in its samples."""

    def __init__(self, name, type_="untyped"):
        self.name = name
        self.type = type_
        self.samples = 0
        self.labels = {}  # label name -> set of values (without `le` / `quantile`)


def _parse_labels(text, pos, line_no):
    """Parses `{a="x",b="y"}` starting at text[pos] == '{'; returns (dict, index after '}')."""
    labels = {}
    i = pos + 1
    while True:
        while i < len(text) and text[i] in " \t":
            i += 1
        if i < len(text) and text[i] == "}":
            return labels, i + 1
        m = LABEL_NAME.match(text, i)
        if not m:
            raise ValueError(f"line {line_no}: bad label name at column {i + 1}")
        name = m.group(0)
        i = m.end()
        while i < len(text) and text[i] in " \t":
            i += 1
        if text[i:i + 2] != '="':
            raise ValueError(f"line {line_no}: expected =\" after label {name}")
        i += 2
        value = []
        while True:
            if i >= len(text):
                raise ValueError(f"line {line_no}: unterminated value of label {name}")
            c = text[i]
            if c == "\\":
                nxt = text[i + 1:i + 2]
                value.append({"n": "\n", "\\": "\\", '"': '"'}.get(nxt, "\\" + nxt))
                i += 2
            elif c == '"':
                i += 1
                break
            else:
                value.append(c)
                i += 1
        if name in labels:
            raise ValueError(f"line {line_no}: label {name} given twice")
        labels[name] = "".join(value)
        while i < len(text) and text[i] in " \t":
            i += 1
        if i < len(text) and text[i] == ",":
            i += 1
        elif i < len(text) and text[i] == "}":
            continue
        else:
            raise ValueError(f"line {line_no}: expected , or }} after label {name}")


def parse_exposition(text):
    """Returns ({family name: Family}, [parse problems]).

    Samples belong to the family their `# TYPE` names; `<name>_bucket`/`_sum`/`_count` belong to histogram `<name>`
    and `_sum`/`_count` to summary `<name>`. A sample with no TYPE line forms an untyped family of its own name.
    """
    families = {}
    problems = []
    declared = {}  # name -> type from # TYPE
    for line_no, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 2 and parts[1] == "TYPE":
                if len(parts) != 4 or not METRIC_NAME.fullmatch(parts[2]) or parts[3].strip() not in TYPES:
                    problems.append(f"line {line_no}: malformed TYPE line: {line}")
                    continue
                name, type_ = parts[2], parts[3].strip()
                if name in declared:
                    problems.append(f"line {line_no}: TYPE of {name} given twice")
                    continue
                if name in families and families[name].samples:
                    problems.append(f"line {line_no}: TYPE of {name} after its samples")
                declared[name] = type_
                families.setdefault(name, Family(name)).type = type_
            continue
        m = METRIC_NAME.match(line)
        if not m:
            problems.append(f"line {line_no}: not a sample: {line}")
            continue
        sample_name = m.group(0)
        i = m.end()
        labels = {}
        try:
            if i < len(line) and line[i] == "{":
                labels, i = _parse_labels(line, i, line_no)
            rest = line[i:].split()
            if not rest or len(rest) > 2:
                raise ValueError(f"line {line_no}: expected a value (and optional timestamp): {line}")
            float(rest[0])  # accepts NaN, +Inf, -Inf as Prometheus writes them
            if len(rest) == 2:
                int(rest[1])
        except ValueError as error:
            problems.append(str(error) if str(error).startswith("line ") else f"line {line_no}: bad value: {line}")
            continue
        family_name = sample_name
        if sample_name not in declared:
            for suffix, kinds in (("_bucket", {"histogram"}), ("_sum", {"histogram", "summary"}),
                                  ("_count", {"histogram", "summary"})):
                base = sample_name[: -len(suffix)]
                if sample_name.endswith(suffix) and declared.get(base) in kinds:
                    family_name = base
                    break
        family = families.setdefault(family_name, Family(family_name))
        family.samples += 1
        for name, value in labels.items():
            if (name == "le" and family.type == "histogram") or (name == "quantile" and family.type == "summary"):
                continue
            family.labels.setdefault(name, set()).add(value)
    return families, problems


# ---------------------------------------------------------------------------------------------------------------
# docs/metrics.md

class DocMetric:
    def __init__(self, name, type_, labels, jobs, lazy, line_no):
        self.name = name
        self.type = type_
        self.labels = labels  # label name -> set of allowed values, or None for an open set
        self.jobs = jobs      # set of job names
        self.lazy = lazy
        self.line_no = line_no


def _cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _parse_label_cell(cell, where, problems):
    """`` `a`: `x`, `y`; `b`: free text; `c`: as `other_metric` `` -> {"a": {"x", "y"}, "b": None,
    "c": ("as", "other_metric")}; `—` -> {}."""
    labels = {}
    if cell in ("—", "-", ""):
        return labels
    for part in cell.split(";"):
        m = re.fullmatch(r"\s*`([^`]+)`\s*:\s*(.*?)\s*", part)
        if not m or not LABEL_NAME.fullmatch(m.group(1)):
            problems.append(f"DOC {where}: label part not of the form `name`: values: {part.strip()!r}")
            continue
        name, values = m.group(1), m.group(2)
        if name in labels:
            problems.append(f"DOC {where}: label {name} given twice")
        ref = re.fullmatch(r"as `([^`]+)`", values)
        if ref:
            labels[name] = ("as", ref.group(1))  # the same values as that metric's label; resolved in parse_doc
        elif re.fullmatch(r"(`[^`]*`\s*,\s*)*`[^`]*`", values):
            labels[name] = {"" if v == '""' else v for v in re.findall(r"`([^`]*)`", values)}
        else:
            labels[name] = None  # described, not enumerated
    return labels


def parse_doc(text):
    """Returns ({name: DocMetric}, [problems]) from every markdown table whose header has Metric and Type columns."""
    metrics = {}
    problems = []
    columns = None
    for line_no, line in enumerate(text.splitlines(), 1):
        if not line.lstrip().startswith("|"):
            columns = None
            continue
        cells = _cells(line)
        lowered = [c.lower() for c in cells]
        if lowered[:2] == ["metric", "type"]:
            columns = {name: index for index, name in enumerate(lowered)}
            for needed in ("labels", "exported by", "series"):
                if needed not in columns:
                    problems.append(f"DOC line {line_no}: table has no '{needed}' column")
            continue
        if columns is None or set(line.strip()) <= set("|-: "):
            continue
        where = f"line {line_no}"
        m = re.fullmatch(r"`([^`]+)`", cells[0])
        if not m or not METRIC_NAME.fullmatch(m.group(1)):
            problems.append(f"DOC {where}: first cell is not a metric name in backticks: {cells[0]!r}")
            continue
        name = m.group(1)
        if len(cells) != len(columns):
            problems.append(f"DOC {where}: {name}: {len(cells)} cells, the header has {len(columns)}")
            continue
        type_ = cells[1].lower()
        if type_ not in TYPES:
            problems.append(f"DOC {where}: {name}: unknown type {cells[1]!r}")
        jobs = set()
        for token in re.split(r"[,\s]+", cells[columns["exported by"]]) if "exported by" in columns else []:
            if not token:
                continue
            if token == "services":
                jobs.update(SERVICES)
            elif token in KNOWN_JOBS:
                jobs.add(token)
            else:
                problems.append(f"DOC {where}: {name}: unknown job {token!r} in Exported by")
        if not jobs:
            problems.append(f"DOC {where}: {name}: no job in Exported by")
        series = cells[columns["series"]].lower() if "series" in columns else "always"
        if series not in SERIES:
            problems.append(f"DOC {where}: {name}: Series must be 'always' or '{LAZY}', not {series!r}")
        labels = _parse_label_cell(cells[columns["labels"]], f"{where}: {name}", problems) if "labels" in columns else {}
        if name in metrics:
            problems.append(f"DOC {where}: {name} documented twice (first at line {metrics[name].line_no})")
            continue
        metrics[name] = DocMetric(name, type_, labels, jobs, series == LAZY, line_no)
    for entry in metrics.values():
        for label, allowed in list(entry.labels.items()):
            if isinstance(allowed, tuple):
                target = metrics.get(allowed[1])
                if target is None or label not in target.labels or isinstance(target.labels[label], tuple):
                    problems.append(f"DOC line {entry.line_no}: {entry.name}: label {label} refers to "
                                    f"{allowed[1]}, which has no documented {label} of its own")
                    entry.labels[label] = None
                else:
                    entry.labels[label] = target.labels[label]
    if not metrics:
        problems.append("DOC: no metric rows found (a table needs a '| Metric | Type | ...' header)")
    return metrics, problems


# ---------------------------------------------------------------------------------------------------------------
# Comparison

def compare(doc, job, families):
    """Problems of one target's exported families against the reference; job may be None (unknown)."""
    problems = []
    who = job or "?"
    for name in sorted(families):
        family = families[name]
        entry = doc.get(name)
        if entry is None:
            problems.append(("UNDOCUMENTED", f"{who}: {name} ({family.type}) is exported but not in docs/metrics.md"))
            continue
        if family.type != entry.type:
            problems.append(("TYPE", f"{who}: {name} is exported as {family.type}, documented as {entry.type}"))
        if job is not None and job not in entry.jobs:
            problems.append(("NOT-LISTED", f"{who}: {name} is exported by {job}, documented only for "
                                           f"{', '.join(sorted(entry.jobs))}"))
        exported_names, documented_names = set(family.labels), set(entry.labels)
        if family.samples and exported_names != documented_names:
            problems.append(("LABELS", f"{who}: {name} has labels {{{', '.join(sorted(exported_names))}}}, "
                                       f"documented {{{', '.join(sorted(documented_names))}}}"))
        for label, values in sorted(family.labels.items()):
            allowed = entry.labels.get(label)
            if allowed is None:
                continue
            for value in sorted(values - allowed):
                problems.append(("VALUE", f"{who}: {name}{{{label}=\"{value}\"}}: value not in the documented set"))
    if job is not None:
        for name in sorted(doc):
            entry = doc[name]
            if job in entry.jobs and name not in families and not entry.lazy:
                problems.append(("MISSING", f"{who}: {name} is documented for {job} but not exported"))
    return problems


def lazy_absent(doc, job, families):
    return sorted(n for n, e in doc.items() if job in e.jobs and e.lazy and n not in families)


def job_of(target):
    """(job or None, source) for `job=source`, a URL with a default port, or a file named `<port>.txt`."""
    m = re.fullmatch(r"([a-z][a-z0-9_-]*)=(.+)", target)
    if m:
        return m.group(1), m.group(2)
    if re.match(r"https?://", target):
        port = urllib.parse.urlsplit(target).port
        return DEFAULT_PORTS.get(port), target
    stem = os.path.splitext(os.path.basename(target))[0]
    return (DEFAULT_PORTS.get(int(stem)) if stem.isdigit() else None), target


def read_source(source, timeout):
    if re.match(r"https?://", source):
        with urllib.request.urlopen(source, timeout=timeout) as response:
            return response.read().decode("utf-8")
    with open(source, encoding="utf-8") as f:
        return f.read()


def run(doc_path, targets, timeout, verbose):
    with open(doc_path, encoding="utf-8") as f:
        doc, doc_problems = parse_doc(f.read())
    problems = [("DOC", p[4:] if p.startswith("DOC ") else p) for p in doc_problems]
    exported_total = 0
    for target in targets:
        job, source = job_of(target)
        if job is not None and job not in KNOWN_JOBS:
            print(f"note: job {job!r} is not a Fleet job; only per-family checks apply", file=sys.stderr)
        try:
            text = read_source(source, timeout)
        except Exception as error:  # noqa: BLE001 - any read failure is reported the same way
            problems.append(("UNREACHABLE", f"{job or '?'}: {source}: {error}"))
            continue
        families, parse_problems = parse_exposition(text)
        problems += [("PARSE", f"{job or '?'}: {source}: {p}") for p in parse_problems]
        known_job = job if job in KNOWN_JOBS else None
        if job is None:
            print(f"note: {source}: job unknown (use job=...), MISSING and NOT-LISTED not checked", file=sys.stderr)
        problems += compare(doc, known_job, families)
        exported_total += len(families)
        if verbose and known_job:
            absent = lazy_absent(doc, known_job, families)
            print(f"{known_job}: {len(families)} families exported"
                  + (f"; not yet made (after first event): {', '.join(absent)}" if absent else ""))
    for kind, message in problems:
        print(f"FAIL {kind} {message}")
    counts = {}
    for kind, _ in problems:
        counts[kind] = counts.get(kind, 0) + 1
    detail = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    print(f"check_metrics: {len(targets)} target(s), {exported_total} exported families, {len(doc)} documented; "
          f"{len(problems)} problem(s){': ' + detail if detail else ''}")
    return 1 if problems else 0


# ---------------------------------------------------------------------------------------------------------------
# Self-test: proves the parser and the comparison catch what they should, and accept what they should.

FIXTURE_DOC = """
| Metric | Type | Labels | Exported by | Series | Meaning |
|---|---|---|---|---|---|
| `demo_requests_total` | counter | `outcome`: `ok`, `error` | fleet-tracking | always | Requests. |
| `demo_latency_seconds` | histogram | — | fleet-tracking | always | Latency. |
| `demo_queue` | gauge | — | fleet-tracking | always | Queue depth. |
| `demo_failures_total` | counter | `reason`: `a`, `b` | fleet-tracking | after first event | Failures. |
| `demo_route_hits` | counter | `route`: any route template | services | always | Hits. |
| `demo_retries_total` | counter | `outcome`: as `demo_requests_total` | fleet-tracking | after first event | Retries. |
"""

CLEAN_EXPOSITION = """# HELP demo_requests_total Requests.
# TYPE demo_requests_total counter
demo_requests_total{outcome="ok"} 3
demo_requests_total{outcome="error"} 1 1700000000000
# TYPE demo_latency_seconds histogram
demo_latency_seconds_bucket{le="0.5"} 1
demo_latency_seconds_bucket{le="+Inf"} 2
demo_latency_seconds_sum 0.7
demo_latency_seconds_count 2
# TYPE demo_queue gauge
demo_queue NaN
# TYPE demo_route_hits counter
demo_route_hits{route="/v1/a,\\"b\\"/{id}"} 2
"""


class SelfTest(unittest.TestCase):
    def setUp(self):
        self.doc, problems = parse_doc(FIXTURE_DOC)
        self.assertEqual(problems, [])

    def kinds(self, exposition, job="fleet-tracking"):
        families, parse_problems = parse_exposition(exposition)
        self.assertEqual(parse_problems, [])
        return sorted(kind for kind, _ in compare(self.doc, job, families))

    def test_parser_groups_histogram_suffixes_and_reads_escaped_labels(self):
        families, problems = parse_exposition(CLEAN_EXPOSITION)
        self.assertEqual(problems, [])
        self.assertEqual(sorted(families), ["demo_latency_seconds", "demo_queue", "demo_requests_total",
                                            "demo_route_hits"])
        self.assertEqual(families["demo_latency_seconds"].type, "histogram")
        self.assertEqual(families["demo_latency_seconds"].labels, {})  # `le` is the histogram's own
        self.assertEqual(families["demo_route_hits"].labels, {"route": {'/v1/a,"b"/{id}'}})

    def test_clean_exposition_passes_and_lazy_family_may_be_absent(self):
        self.assertEqual(self.kinds(CLEAN_EXPOSITION), [])
        families, _ = parse_exposition(CLEAN_EXPOSITION)
        self.assertEqual(lazy_absent(self.doc, "fleet-tracking", families), ["demo_failures_total", "demo_retries_total"])

    def test_undocumented_family_fails(self):
        self.assertEqual(self.kinds(CLEAN_EXPOSITION + "# TYPE demo_new_total counter\ndemo_new_total 1\n"),
                         ["UNDOCUMENTED"])

    def test_untyped_samples_are_their_own_family(self):
        # `_count` without a histogram TYPE is not folded into anything: it is a new, undocumented family.
        self.assertEqual(self.kinds(CLEAN_EXPOSITION + "demo_queue_count 4\n"), ["UNDOCUMENTED"])

    def test_wrong_type_fails(self):
        self.assertEqual(self.kinds(CLEAN_EXPOSITION.replace("demo_queue gauge", "demo_queue counter")), ["TYPE"])

    def test_missing_documented_family_fails(self):
        without_queue = CLEAN_EXPOSITION.replace("# TYPE demo_queue gauge\ndemo_queue NaN\n", "")
        self.assertEqual(self.kinds(without_queue), ["MISSING"])
        # For another job the row does not apply: nothing is missing, but what it exports is not listed for it.
        self.assertEqual(self.kinds(without_queue, job="fleet-sim"), ["NOT-LISTED"] * 3)
        # Unknown job: only per-family checks.
        self.assertEqual(self.kinds(without_queue, job=None), [])

    def test_labels_and_closed_value_sets_are_checked(self):
        self.assertEqual(self.kinds(CLEAN_EXPOSITION + 'demo_requests_total{outcome="timeout"} 1\n'), ["VALUE"])
        self.assertEqual(self.kinds(CLEAN_EXPOSITION.replace("demo_queue NaN", 'demo_queue{vehicle="v1"} 1')),
                         ["LABELS"])
        # `as other_metric` takes that metric's closed set.
        self.assertEqual(self.doc["demo_retries_total"].labels, {"outcome": {"ok", "error"}})
        self.assertEqual(self.kinds(CLEAN_EXPOSITION + '# TYPE demo_retries_total counter\ndemo_retries_total{outcome="late"} 1\n'), ["VALUE"])
        # An open (described) set accepts any value.
        self.assertEqual(self.kinds(CLEAN_EXPOSITION + 'demo_route_hits{route="/other"} 1\n'), [])

    def test_malformed_exposition_is_reported(self):
        _, problems = parse_exposition('# TYPE x counter\n# TYPE x counter\nx{a="1" 2\ny abc\n')
        self.assertEqual(len(problems), 3)

    def test_malformed_doc_is_reported(self):
        _, problems = parse_doc(FIXTURE_DOC + "| `demo_queue` | gauge | — | fleet-tracking | always | again |\n"
                                "| `bad_type` | meter | — | nowhere | sometimes | x |\n")
        text = "\n".join(problems)
        for expected in ("documented twice", "unknown type", "unknown job", "Series must be"):
            self.assertIn(expected, text)

    def test_job_inference(self):
        self.assertEqual(job_of("http://127.0.0.1:8084/metrics"), ("fleet-health", "http://127.0.0.1:8084/metrics"))
        self.assertEqual(job_of("/tmp/metrics/8089.txt"), ("fleet-sim", "/tmp/metrics/8089.txt"))
        self.assertEqual(job_of("fleet-broker=/tmp/x.txt"), ("fleet-broker", "/tmp/x.txt"))
        self.assertEqual(job_of("/tmp/x.txt"), (None, "/tmp/x.txt"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="*", metavar="[job=]URL|FILE")
    parser.add_argument("--doc", default=DEFAULT_DOC, help="the metrics reference (default: docs/metrics.md)")
    parser.add_argument("--local", action="store_true", help="scrape every default port on 127.0.0.1")
    parser.add_argument("--doc-only", action="store_true", help="only check that the reference is well-formed")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per scrape (default 5)")
    parser.add_argument("--self-test", action="store_true", help="run the checker's own tests")
    parser.add_argument("-q", "--quiet", action="store_true", help="no per-target summary lines")
    args = parser.parse_args()
    if args.self_test:
        result = unittest.TextTestRunner(verbosity=2).run(unittest.defaultTestLoader.loadTestsFromTestCase(SelfTest))
        return 0 if result.wasSuccessful() else 1
    targets = list(args.targets)
    if args.local:
        targets += [f"{job}=http://127.0.0.1:{port}/metrics" for port, job in sorted(DEFAULT_PORTS.items())]
    if not targets and not args.doc_only:
        parser.error("give targets, --local, --doc-only or --self-test")
    return run(args.doc, targets, args.timeout, verbose=not args.quiet)


if __name__ == "__main__":
    sys.exit(main())
