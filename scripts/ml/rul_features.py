"""C-MAPSS FD001 loading and window features, shared by training and fixture export.

The Swift port is Libraries/FleetPrognostics/RULFeatures.swift; keep the two in step (the parity test checks it).
"""
from __future__ import annotations

import numpy as np

# The 14 informative sensors of FD001 (s1, s5, s6, s10, s16, s18, s19 are constant or two-valued).
SENSORS = ["s2", "s3", "s4", "s7", "s8", "s9", "s11", "s12", "s13", "s14", "s15", "s17", "s20", "s21"]
SENSOR_COLUMNS = [5 + int(s[1:]) - 1 for s in SENSORS]  # file columns: unit cycle op1 op2 op3 s1..s21
WINDOW = 30
TAIL = 10
CAP = 125.0


def load_cmapss(path: str) -> dict[int, np.ndarray]:
    """Unit -> array (cycles, 26) in file order."""
    data = np.loadtxt(path)
    return {int(u): data[data[:, 0] == u] for u in np.unique(data[:, 0])}


def sensor_rows(unit_rows: np.ndarray) -> np.ndarray:
    return unit_rows[:, SENSOR_COLUMNS]


def padded_window(rows: np.ndarray, end: int, window: int = WINDOW) -> np.ndarray:
    """The `window` rows ending at index `end` (exclusive), padded at the front by repeating the first row."""
    start = end - window
    if start >= 0:
        return rows[start:end]
    pad = np.repeat(rows[:1], -start, axis=0)
    return np.concatenate([pad, rows[:end]], axis=0)


def feature_names() -> list[str]:
    names = []
    for kind in ("last", "mean", "std", "slope", f"mean{TAIL}"):
        names += [f"{s}_{kind}" for s in SENSORS]
    return names + ["cycle"]


def window_features(wins: np.ndarray, cycles: np.ndarray) -> np.ndarray:
    """71 features of each (WINDOW, 14) window in `wins` (N, WINDOW, 14): last, mean, std (population),
    least-squares slope per cycle, mean of the last TAIL rows, then the cycle number of the last row.

    Written with explicit sums in a fixed order so the Swift port reproduces it to the last bits."""
    n = wins.shape[1]
    last = wins[:, -1]
    mean = np.zeros((wins.shape[0], wins.shape[2]))
    for i in range(n):
        mean = mean + wins[:, i]
    mean = mean / n
    var = np.zeros_like(mean)
    for i in range(n):
        d = wins[:, i] - mean
        var = var + d * d
    std = np.sqrt(var / n)
    tbar = (n - 1) / 2.0
    sxy = np.zeros_like(mean)
    stt = 0.0
    for i in range(n):
        t = i - tbar
        sxy = sxy + t * (wins[:, i] - mean)
        stt += t * t
    slope = sxy / stt
    tail = np.zeros_like(mean)
    for i in range(n - TAIL, n):
        tail = tail + wins[:, i]
    tail = tail / TAIL
    return np.concatenate([last, mean, std, slope, tail, np.asarray(cycles, float)[:, None]], axis=1)


def unit_windows(rows: np.ndarray, ends) -> np.ndarray:
    """(len(ends), WINDOW, 14): the padded windows of the prefixes rows[:end] of one unit."""
    return np.stack([padded_window(rows, e) for e in ends])


def unit_features(rows: np.ndarray, ends) -> np.ndarray:
    """Features for the prefixes rows[:end] of one unit (sensor rows, cycles numbered from 1)."""
    return window_features(unit_windows(rows, ends), np.asarray(ends, float))


def rul_target(total: int, end: int, cap: float = CAP) -> float:
    return min(float(total - end), cap)


def rmse(pred: np.ndarray, true: np.ndarray) -> float:
    d = np.asarray(pred, float) - np.asarray(true, float)
    return float(np.sqrt(np.mean(d * d)))


def phm08(pred: np.ndarray, true: np.ndarray) -> float:
    d = np.asarray(pred, float) - np.asarray(true, float)
    return float(np.sum(np.where(d < 0, np.exp(-d / 13.0) - 1.0, np.exp(d / 10.0) - 1.0)))
