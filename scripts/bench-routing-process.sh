#!/usr/bin/env bash
# Whole-process CPU per telemetry message of fleet-routing, fed by fleet-sim through the local broker:
#   scripts/stack.sh start && swift build -c release --product fleet-routing && swift build -c release --product fleet-sim
#   scripts/bench-routing-process.sh [vehicles, default 3000]
# Starts both (fleet-routing on :18085, schema routing_bench), waits 25 s, then reads fleet-routing's CPU time from
# /proc and its accepted-telemetry counter from /metrics over 60 s, prints CPU per message, and stops both.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
eval "$(scripts/stack.sh env)"
VEH=${1:-3000}
FLEET_MQTT_USERNAME=svc-routing FLEET_MQTT_PASSWORD=$FLEET_MQTT_PASSWORD_SVC_ROUTING FLEET_MQTT_CLIENT_ID=routing-bench-$$ \
  FLEET_HTTP_PORT=18085 FLEET_ROUTING_SCHEMA=routing_bench FLEET_LOG_LEVEL=warning \
  .build/release/fleet-routing serve > /tmp/routing-bench.log 2>&1 &
RPID=$!
sleep 5
FLEET_MQTT_USERNAME=fleet-sim FLEET_MQTT_PASSWORD=$FLEET_MQTT_PASSWORD_FLEET_SIM FLEET_MQTT_CLIENT_ID=sim-bench-$$ \
  FLEET_HTTP_PORT=18089 FLEET_SIM_ID_PREFIX=rb FLEET_LOG_LEVEL=warning FLEET_SIM_DEGRADED_VEHICLES=0 \
  .build/release/fleet-sim run --vehicles "$VEH" > /tmp/sim-bench.log 2>&1 &
SPID=$!
sleep 25
accepted() { curl -s http://127.0.0.1:18085/metrics | grep 'fleet_routing_messages_total' | grep 'outcome="accepted"' | grep 'stream="telemetry"' | awk '{print $2}'; }
cpu() { awk '{print $14 + $15}' /proc/$RPID/stat; }
c0=$(cpu); a0=$(accepted); t0=$(date +%s.%N)
sleep 60
c1=$(cpu); a1=$(accepted); t1=$(date +%s.%N)
tck=$(getconf CLK_TCK)
python3 -c "
c=($c1-$c0)/$tck; a=float($a1)-float($a0); t=$t1-$t0
print(f'vehicles=$VEH seconds={t:.1f} messages={a:.0f} rate={a/t:.0f}/s cpu_seconds={c:.2f} cores={c/t:.3f} cpu_us_per_msg={1e6*c/a:.2f}')
"
grep -h 'counted\|unmatched' <(curl -s http://127.0.0.1:18085/metrics | grep fleet_routing_traffic_samples_total) | head -5
kill $SPID $RPID; wait 2>/dev/null
