#!/usr/bin/env python3
"""Steady load of alert-raising fleet events for scripts/chaos.sh alerting-kill (Python standard library only).

Every tick (1 s) each of --vehicles vehicles publishes one FleetEvent; they alternate per vehicle, `fault` then
`fault_cleared` (a vehicle's first event is a fault), so with the experiment's rule (event type `fault`, the default
dedup key `{rule}:{vehicle}`, resolved by `fault_cleared`) every fault opens a new alert (one `alert.firing` webhook)
and every clear resolves it (one `alert.resolved` webhook). Half the vehicles fault while the other half clear.

Events go out with `fleetctl mqtt pub --lines` at QoS 1 (one process per topic and tick), which exits 0 once the
broker acknowledged every line. A batch that fails is published again with the same event ids, as a producer with
an outbox would (fleet-alerting ignores an event id it already applied). Each event is written to OUT (JSON lines:
id, type, vehicle, sent = when its batch began, t = when the broker had acknowledged it) only once acknowledged. Runs until STOP_FILE disappears.
"""
import argparse
import json
import os
import subprocess
import sys
import time


def publish(fleetctl, topic, lines):
    """Publishes the lines at QoS 1 until the broker acknowledged all of them; returns the attempts made."""
    attempts = 0
    while True:
        attempts += 1
        result = subprocess.run(
            [fleetctl, "mqtt", "pub", "--topic", topic, "--qos", "1", "--lines"],
            input="\n".join(lines) + "\n", text=True, capture_output=True, check=False)
        if result.returncode == 0:
            return attempts
        print(f"alert_load: publishing {len(lines)} events to {topic} failed (attempt {attempts}): "
              f"{result.stderr.strip()[:300]}", file=sys.stderr, flush=True)
        if attempts >= 20:
            raise SystemExit(f"alert_load: giving up on {topic} after {attempts} attempts")
        time.sleep(0.5)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fleetctl", required=True)
    parser.add_argument("--vehicles", type=int, required=True)
    parser.add_argument("--prefix", required=True, help="vehicle ids <prefix>-0001…; event ids <prefix>-e<n>")
    parser.add_argument("--tag", required=True, help="attribute `tag` of every event (the rule's tag filter)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--stop-file", required=True)
    args = parser.parse_args()

    vehicles = [f"{args.prefix}-{i:04d}" for i in range(1, args.vehicles + 1)]
    out = open(args.out, "a", encoding="utf-8")
    sequence = 0
    tick = 0
    started = time.time()
    republished = 0
    while os.path.exists(args.stop_file):
        batches = {"fault": [], "fault_cleared": []}
        for index, vehicle in enumerate(vehicles):
            kind = "fault" if (tick + index) % 2 == 0 else "fault_cleared"
            if kind == "fault_cleared" and tick == 0:
                continue  # nothing to clear yet
            sequence += 1
            event = {
                "v": 1, "id": f"{args.prefix}-e{sequence:07d}", "type": kind, "severity": "warning",
                "vehicle_id": vehicle, "time_ms": int(time.time() * 1000),
                "attributes": {"tag": args.tag, "n": str(sequence)},
            }
            batches[kind].append(event)
        for kind, events in batches.items():
            if not events:
                continue
            begun = time.time()
            attempts = publish(args.fleetctl, f"fleet/v1/events/{kind}", [json.dumps(e, separators=(",", ":")) for e in events])
            republished += (attempts - 1) * len(events)
            acknowledged = time.time()
            for event in events:
                out.write(json.dumps({"id": event["id"], "type": kind, "vehicle": event["vehicle_id"], "sent": begun,
                                      "t": acknowledged}) + "\n")
            out.flush()
        tick += 1
        pause = started + tick - time.time()
        if pause > 0:
            time.sleep(pause)
    print(json.dumps({"events": sequence, "ticks": tick, "republished": republished}), flush=True)


if __name__ == "__main__":
    main()
