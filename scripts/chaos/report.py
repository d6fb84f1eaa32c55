#!/usr/bin/env python3
"""Counts for scripts/chaos.sh alerting-kill and control-kill (Python standard library only).

  report.py alerting ...   what the event load published against what the webhook receiver got
  report.py control ...    what the command client was promised against what fleet-control stored and the vehicles did

Prints the experiment's summary line first, then indented details; exit status 0 when nothing was lost or duplicated,
1 otherwise (2 for unusable input).
"""
import argparse
import base64
import collections
import hashlib
import hmac
import json
import sys


def read_jsonl(path):
    rows = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


def seconds(value):
    return "never" if value is None else f"{value:.1f} s"


def recovery(value):
    """The summary line's column: seconds, or `never` when something never came."""
    return "never" if value is None else f"{value:5.1f}s"


def millis(value):
    return "-" if value is None else f"{value * 1000:.0f} ms"


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def alerting(args):
    events = read_jsonl(args.events)
    requests = read_jsonl(args.received)
    secret = open(args.secret_file, encoding="utf-8").read().strip()
    key = base64.b64decode(secret[len("whsec_"):])
    published = {e["id"]: e for e in events}
    if len(published) != len(events):
        print("alerting: the load published an event id twice", file=sys.stderr)
        return 2

    # Per published event: the webhook ids (delivery keys) it arrived under, and when it first arrived.
    keys_by_event = collections.defaultdict(set)
    first_seen = {}
    requests_by_event = collections.Counter()
    bad_signatures = 0
    unexpected = 0
    types = collections.Counter()
    for request in requests:
        signed = f"{request['id']}.{request['ts']}.".encode() + request["body"].encode("utf-8", errors="surrogateescape")
        expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        if expected not in (request.get("sig") or "").split(" "):
            bad_signatures += 1
        body = json.loads(request["body"])
        event_id = ((body.get("data") or {}).get("event") or {}).get("id")
        if event_id not in published:
            unexpected += 1
            continue
        expected_type = "alert.firing" if published[event_id]["type"] == "fault" else "alert.resolved"
        if body.get("type") != expected_type:
            unexpected += 1
            continue
        if event_id not in keys_by_event:
            types[body["type"]] += 1
        keys_by_event[event_id].add(request["id"])
        requests_by_event[event_id] += 1
        first_seen[event_id] = min(first_seen.get(event_id, request["t"]), request["t"])

    sent = len(published)
    delivered = len(keys_by_event)
    lost_ids = [i for i in published if i not in keys_by_event]
    lost = len(lost_ids)
    # The same alert transition under two delivery keys: a receiver de-duplicating by webhook-id would act twice.
    duplicated = sum(len(keys) - 1 for keys in keys_by_event.values())
    # The same delivery key more than once: a redelivery the receiver drops by its key.
    absorbed = sum(requests_by_event.values()) - sum(len(keys) for keys in keys_by_event.values())

    killed = json.load(open(args.killed, encoding="utf-8"))
    kill, ready, inflight = killed["killed_at"], args.ready, killed["inflight"]
    metrics = killed.get("metrics") or {}
    received_before = metrics.get('fleet_mqtt_messages_received_total{client="alerting"}')
    applied_before = sum(v for k, v in metrics.items()
                         if k.startswith("fleet_alerting_events_total{") and ('"processed"' in k or '"duplicate"' in k))
    lags = [first_seen[i] - e["sent"] for i, e in published.items() if i in first_seen and first_seen[i] < kill]
    waiting = [i for i, e in published.items() if e["t"] <= ready and not (i in first_seen and first_seen[i] <= kill)]
    if any(i not in first_seen for i in waiting):
        recovered = None
    else:
        recovered = max((first_seen[i] for i in waiting), default=kill) - kill
    after = [r["t"] for r in requests if r["t"] > kill]
    flowing = min(after) - kill if after else None
    faults = sum(1 for e in events if e["type"] == "fault")
    line = (
        f"{args.name:<22} sent {sent:7d}  stored {delivered:7d}  lost {lost}  duplicated {duplicated}  "
        f"fault {ready - kill:5.1f}s  recovered {recovery(recovered)} after it began  "
        f"(webhooks: {faults} alert.firing + {sent - faults} alert.resolved expected; {len(requests)} requests, "
        f"{absorbed} redeliveries absorbed by webhook-id, {inflight} in flight at the kill, bad signatures {bad_signatures}, "
        f"unexpected {unexpected})")
    print(line)
    seen = {line.strip() for line in open(args.seen, encoding="utf-8") if line.strip()}
    never_applied = [i for i in published if i not in seen]
    print(f"  events published {sent} (acknowledged by the broker), applied by fleet-alerting "
          f"{sum(1 for i in published if i in seen)} (in seen_events), alerts {args.alerts}, outbox rows by status: "
          f"{args.outbox or 'none'}")
    print(f"  received: {types['alert.firing']} alert.firing, {types['alert.resolved']} alert.resolved "
          f"(events delivered); delivery lag (publish to webhook) before the kill "
          f"p50 {millis(percentile(lags, 0.5))}, p99 {millis(percentile(lags, 0.99))}")
    print(f"  first delivery after the kill: {seconds(flowing)}; recovered = the last event published before the "
          f"restarted fleet-alerting was ready and not yet delivered at the kill arrived ({len(waiting)} such events)")
    if received_before is not None:
        print(f"  read just before the SIGKILL: fleet-alerting had received {received_before:.0f} event messages from the "
              f"broker and applied {applied_before:.0f} (processed + duplicate): {received_before - applied_before:.0f} "
              f"received and not yet applied then (libmosquitto 2.0 acknowledges a QoS 1 message to the broker before "
              f"the application sees it)")
    redelivered = None
    try:
        for line in open(args.metrics_after, encoding="utf-8"):
            if line.startswith('fleet_alerting_events_total{outcome="duplicate"}'):
                redelivered = float(line.split()[-1])
    except OSError:
        pass
    if redelivered is not None:
        print(f"  after the restart fleet-alerting dropped {redelivered:.0f} events as already applied (the broker sent "
              f"them again: their acknowledgement had not reached it)")
    if lost_ids:
        sample = ", ".join(f"{i} ({published[i]['type']} {published[i]['vehicle']}, published {published[i]['sent'] - kill:+.2f}"
                           f"…{published[i]['t'] - kill:+.2f} s)" for i in lost_ids[:6])
        print(f"  lost (published, no webhook; batch start…broker acknowledgement, relative to the kill): {sample}")
        print(f"  of the lost: never applied (not in seen_events) {sum(1 for i in lost_ids if i not in seen)}, applied "
              f"without a webhook {sum(1 for i in lost_ids if i in seen)}; events never applied in all: {len(never_applied)}")
    dup = [i for i, keys in keys_by_event.items() if len(keys) > 1]
    if dup:
        print(f"  duplicated (two delivery keys): {', '.join(dup[:10])}")
    return 0 if lost == 0 and duplicated == 0 and bad_signatures == 0 and unexpected == 0 else 1


def control(args):
    requests = read_jsonl(args.requests)
    # Rows of the service's commands table: id, reason (= the request's Idempotency-Key), status, created, completed.
    stored = []
    with open(args.commands, encoding="utf-8") as handle:
        for line in handle:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 5:
                stored.append({"id": parts[0], "key": parts[1], "status": parts[2], "created": float(parts[3]),
                               "completed": float(parts[4]) if parts[4] else None})
    executions = collections.Counter()
    with open(args.sim_log, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if '"Executing command"' not in line:
                continue
            try:
                executions[json.loads(line)["metadata"]["command.id"]] += 1
            except (ValueError, KeyError):
                pass
    published = collections.Counter()
    acked = collections.defaultdict(collections.Counter)
    prefix = f"fleet/v1/vehicles/{args.prefix}-"
    with open(args.observed, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            try:
                message = json.loads(line)
                payload = json.loads(message.get("payload") or "null")
            except ValueError:
                continue
            topic = message.get("topic", "")
            if not topic.startswith(prefix) or not isinstance(payload, dict):
                continue
            if topic.endswith("/commands"):
                published[payload.get("id")] += 1
            elif topic.endswith("/commands/ack"):
                acked[payload.get("command_id")][payload.get("status")] += 1

    ids_by_key = collections.defaultdict(set)
    unanswered = []
    attempts = retried = replayed = 0
    for request in requests:
        attempts += request["attempts"]
        retried += request["attempts"] > 1
        replayed += request["replayed"]
        ids_by_key[request["key"]].update(request["ids"])
        if not request["ids"]:
            unanswered.append(request["key"])
    accepted = {i for ids in ids_by_key.values() for i in ids}
    by_id = {row["id"]: row for row in stored}
    rows_by_key = collections.defaultdict(list)
    for row in stored:
        rows_by_key[row["key"]].append(row)

    completed = [i for i in accepted if i in by_id and by_id[i]["status"] == "completed"]
    lost_ids = sorted(i for i in accepted if i not in completed)
    # One Idempotency-Key, two commands: told to the client, stored, or executed by the vehicle.
    dup_keys = {k for k, ids in ids_by_key.items() if len(ids) > 1}
    dup_keys |= {k for k, rows in rows_by_key.items() if len(rows) > 1}
    dup_keys |= {k for k, rows in rows_by_key.items() if sum(1 for r in rows if executions[r["id"]]) > 1}
    executed_twice = [i for i, n in executions.items() if i in by_id and n > 1]
    duplicated = len(dup_keys) + len(executed_twice)
    # Commands stored that the client was never told about (a key retried into a second command would show here too).
    orphans = [row["id"] for row in stored if row["id"] not in accepted]
    resends_absorbed = sum(n - 1 for i, n in published.items() if i in by_id and n > 1)

    killed = json.load(open(args.killed, encoding="utf-8"))
    kill, ready = killed["killed_at"], args.ready
    statuses = collections.Counter(by_id[i]["status"] if i in by_id else "not stored" for i in accepted)
    waiting = [r for r in requests if r["scheduled"] <= ready and r["ids"]]
    waiting_ids = [i for r in waiting for i in r["ids"]
                   if not (i in by_id and by_id[i]["completed"] is not None and by_id[i]["completed"] <= kill)]
    if any(i not in by_id or by_id[i]["completed"] is None for i in waiting_ids):
        recovered = None
    else:
        recovered = max((by_id[i]["completed"] for i in waiting_ids), default=kill) - kill
    # The first answer to a request that had gone unanswered after the kill.
    answers_after = [r["accepted_at"] for r in requests if r["accepted_at"] and (r.get("failed_at") or 0) >= kill]
    api_back = min(answers_after) - kill if answers_after else None
    executed = sum(1 for i in accepted if executions[i])
    line = (
        f"{args.name:<22} sent {len(accepted):7d}  stored {len(completed):7d}  lost {len(lost_ids)}  duplicated {duplicated}  "
        f"fault {ready - kill:5.1f}s  recovered {recovery(recovered)} after it began  "
        f"(requests {len(requests)}, {attempts} attempts, {retried} retried with their key, {replayed} answered as replays, "
        f"executed by the vehicles {executed}, resends absorbed by the vehicles {resends_absorbed}, unanswered {len(unanswered)})")
    print(line)
    print(f"  sent = distinct command ids the API returned, stored = those completed (the vehicle's answer recorded); "
          f"final statuses: {dict(statuses)}")
    print(f"  killed with {killed['inflight']} request(s) in flight, the last answer seen on the broker "
          f"{killed.get('answer_age_ms')} ms before")
    print(f"  API answering again {seconds(api_back)} after the kill; recovered = the last command requested before the "
          f"restarted fleet-control was ready and not completed at the kill completed ({len(waiting_ids)} such commands)")
    print(f"  stored commands {len(stored)} (never returned to the client: {len(orphans)}), keys with two commands "
          f"{len(dup_keys)}, commands executed twice {len(executed_twice)}, publishes seen on the commands topic "
          f"{sum(published.values())} for {len(published)} commands")
    for i in lost_ids[:10]:
        row = by_id.get(i)
        if row is None:
            print(f"  lost {i}: returned by the API but not stored")
            continue
        print(f"  lost {i}: status {row['status']}, created {row['created'] - kill:+.2f} s from the kill, executed by the "
              f"vehicle {executions[i]} time(s), publishes seen {published[i]}, answers seen on the ack topic {dict(acked.get(i, {}))}")
    for key in sorted(dup_keys)[:10]:
        print(f"  duplicated key {key}: ids told {sorted(ids_by_key[key])}, stored {[r['id'] for r in rows_by_key[key]]}")
    for i in executed_twice[:10]:
        print(f"  executed twice: {i} ({executions[i]} times)")
    ok = not lost_ids and duplicated == 0 and not unanswered and not orphans
    return 0 if ok else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="experiment", required=True)
    a = sub.add_parser("alerting")
    a.add_argument("--name", default="alerting-kill")
    a.add_argument("--events", required=True)
    a.add_argument("--received", required=True)
    a.add_argument("--secret-file", required=True)
    a.add_argument("--killed", required=True, help="the receiver's answer to /_kill (JSON)")
    a.add_argument("--ready", type=float, required=True)
    a.add_argument("--seen", required=True, help="event ids in fleet-alerting's seen_events, one a line")
    a.add_argument("--alerts", type=int, required=True)
    a.add_argument("--metrics-after", default="", help="the restarted fleet-alerting's metrics page at the end")
    a.add_argument("--outbox", default="")
    c = sub.add_parser("control")
    c.add_argument("--name", default="control-kill")
    c.add_argument("--requests", required=True)
    c.add_argument("--commands", required=True)
    c.add_argument("--sim-log", required=True)
    c.add_argument("--observed", required=True)
    c.add_argument("--prefix", required=True)
    c.add_argument("--killed", required=True, help="the client's kill record (JSON)")
    c.add_argument("--ready", type=float, required=True)
    args = parser.parse_args()
    try:
        return alerting(args) if args.experiment == "alerting" else control(args)
    except (OSError, ValueError, KeyError) as error:
        print(f"report: cannot count: {error!r}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
