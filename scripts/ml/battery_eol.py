#!/usr/bin/env python3
"""Reference implementation of FleetPrognostics' battery end-of-life forecast (BatteryLifeModel.swift) and its
leave-one-cell-out evaluation on the NASA PCoE cells. No training: the model is a rule with the other cells as priors.

  python3 scripts/ml/battery_eol.py --data ../shared/data/vehicle_health/nasa_battery

writes Libraries/FleetPrognostics/Models/battery_references.json (the four cells' capacity curves, the priors of the
bundled model) and Tests/FleetPrognosticsTests/Fixtures/battery_loco.json (the per-cell forecasts the Swift test must
reproduce).

Forecast from the first n capacities of a cell (threshold 1.4 Ah):
  1. if a raw capacity is already below the threshold, EOL is that cycle;
  2. median-filter (5, centred, shortened at the ends) to suppress regeneration spikes;
  3. level = median of the last 5 filtered values; fade = Theil-Sen slope of the filtered values over the last 40 cycles;
  4. each reference cell whose EOL lies more than 5 cycles after n gives an acceleration ratio
     rho = (average fade from n to its EOL) / (its own Theil-Sen fade at n);
  5. EOL = n + (level - 1.4) / (fade * median(rho)) (rho = 1 without references); the interval spans the largest and
     smallest of the ratios and 1 (the current fade rate carried on).
"""
from __future__ import annotations

import argparse
import csv
import json
import os

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
THRESHOLD = 1.4
SMOOTH = 5
LEVEL = 5
TREND = 40
MIN_CYCLES = 20
MIN_AHEAD = 5
STARTS = [60, 80, 100]
HEADLINE = 80


def load(path):
    cells = {}
    with open(path) as f:
        for r in csv.DictReader(f):
            cells.setdefault(r["battery_id"], []).append((int(r["discharge_cycle"]), float(r["capacity_ah"])))
    return {k: [c for _, c in sorted(v)] for k, v in cells.items()}


def eol(c):
    for i, x in enumerate(c):
        if x < THRESHOLD:
            return i + 1
    return None


def median(v):
    return float(np.median(np.asarray(v, float)))


def smooth(c):
    h = SMOOTH // 2
    return [median(c[max(0, i - h):i + h + 1]) for i in range(len(c))]


def trend(c):
    """(level, Theil-Sen slope) of the first len(c) capacities."""
    sm = smooth(c)
    m = min(len(sm), TREND)
    y = sm[-m:]
    x = list(range(len(sm) - m + 1, len(sm) + 1))
    slopes = [(y[j] - y[i]) / (x[j] - x[i]) for i in range(m) for j in range(i + 1, m)]
    return median(sm[-LEVEL:]), median(slopes)


def forecast(c, refs):
    n = len(c)
    if n < MIN_CYCLES:
        return None
    reached = eol(c)
    if reached is not None:
        return dict(eol=float(reached), lower=float(reached), upper=float(reached), reached=True, ratios=[])
    level, slope = trend(c)
    if not slope < 0:
        return None
    ratios = []
    for r in refs:
        e = eol(r)
        if e is None or e <= n + MIN_AHEAD or len(r) < n:
            continue
        rl, rs = trend(r[:n])
        if not (rs < 0 and rl > THRESHOLD):
            continue
        ratios.append(((rl - THRESHOLD) / (e - n)) / (-rs))
    rho = median(ratios) if ratios else 1.0
    hi_rho = max(ratios + [1.0])
    lo_rho = min(ratios + [1.0])
    ahead = max(level - THRESHOLD, 0.0)
    at = lambda p: n + ahead / (-slope * p)
    return dict(eol=at(rho), lower=at(hi_rho), upper=at(lo_rho), reached=False, ratios=ratios)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "vehicle_health", "nasa_battery"))
    args = ap.parse_args()
    cells = load(os.path.join(args.data, "nasa_battery_capacity.csv"))
    results = []
    for start in STARTS:
        errs = []
        for name in sorted(cells):
            c = cells[name]
            refs = [cells[k] for k in sorted(cells) if k != name]
            true = eol(c)
            row = dict(cell=name, start=start, trueEOL=true, observed=len(c))
            if start > len(c) or (true is not None and true <= start):
                row["skipped"] = "end of life reached before the start cycle" if true else "too few cycles"
                results.append(row)
                continue
            f = forecast(c[:start], refs)
            row["forecast"] = f
            if f is not None and true is not None:
                row["error"] = f["eol"] - true
                errs.append(abs(row["error"]))
            results.append(row)
            print(start, name, "true", true if true else f"> {len(c)} (censored)",
                  "pred %.1f [%.1f, %.1f]" % (f["eol"], f["lower"], f["upper"]) if f else None,
                  "err %.1f" % row["error"] if "error" in row else "")
        print(f"start {start}: MAE {np.mean(errs):.2f} cycles over {len(errs)} cells")
    os.makedirs(os.path.join(ROOT, "Tests", "FleetPrognosticsTests", "Fixtures"), exist_ok=True)
    with open(os.path.join(ROOT, "Tests", "FleetPrognosticsTests", "Fixtures", "battery_loco.json"), "w") as f:
        json.dump(dict(threshold=THRESHOLD, starts=STARTS, headline=HEADLINE, results=results), f, indent=1)
    with open(os.path.join(ROOT, "Libraries", "FleetPrognostics", "Models", "battery_references.json"), "w") as f:
        json.dump(dict(source="NASA PCoE battery ageing data (B0005, B0006, B0007, B0018), discharge capacity in Ah",
                       threshold=THRESHOLD, cells=[dict(name=k, capacities=cells[k]) for k in sorted(cells)]), f)


if __name__ == "__main__":
    main()
