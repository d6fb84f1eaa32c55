// The console's model of the fleet: one record per vehicle, fed by the live WebSocket (positions, status) and by
// periodic reads (tags and connectivity from fleet-control, open alerts from fleet-alerting, open incidents from
// fleet-health), plus the filters of the side panel.
//
// Positions are kept in normalised Web Mercator (0…1 on both axes) so the vehicle layer projects 10,000 points per
// frame with two multiplications each. A new position does not jump: the record animates from where it is drawn now
// to the new position over about one update interval (measured), so markers glide between the ~1 s updates.

export const STATUSES = ['moving', 'idle', 'paused', 'charging', 'fault'];
export const HEALTH = ['ok', 'alert', 'incident', 'offline'];

/** Jumps longer than this (normalised Mercator, ≈ 2 km at Monaco) are not animated: GPS jumps and replays snap. */
const SNAP_DISTANCE = 2000 / 40075016;

export function mercX(lon) {
  return (lon + 180) / 360;
}
export function mercY(lat) {
  const clamped = Math.max(-85.05112878, Math.min(85.05112878, lat));
  const s = Math.sin((clamped * Math.PI) / 180);
  return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
}
export function unmercX(x) {
  return x * 360 - 180;
}
export function unmercY(y) {
  return (Math.atan(Math.exp(Math.PI * (1 - 2 * y))) * 360) / Math.PI - 90;
}

export class VehicleStore {
  constructor() {
    this.byId = new Map();
    this.list = []; // every record, in arrival order (the layer iterates this)
    this.filter = { search: '', status: '', tag: '', online: '', health: '' };
    this.filtered = []; // records passing the filter, sorted by id
    this.filterVersion = 0; // bumps whenever `filtered` is recomputed
    this.interval = 1000; // measured ms between live frames
    this.lastFrameAt = 0;
    this.animateUntil = 0; // performance.now() until which some marker is still moving
    this.changed = true; // something visible changed since the last draw
    this.needsFilter = true;
    this.tags = new Set();
  }

  /** Applies one live frame (`snapshot` or `positions`). Returns the number of vehicles touched. */
  applyPositions(positions, now = performance.now()) {
    if (this.lastFrameAt) {
      const gap = now - this.lastFrameAt;
      if (gap > 100 && gap < 5000) this.interval = this.interval * 0.8 + gap * 0.2;
    }
    this.lastFrameAt = now;
    const duration = Math.max(300, Math.min(2500, this.interval));
    let added = false;
    for (const p of positions) {
      if (!p || typeof p.vehicle_id !== 'string' || !Number.isFinite(p.lat) || !Number.isFinite(p.lon)) continue;
      let v = this.byId.get(p.vehicle_id);
      const x = mercX(p.lon);
      const y = mercY(p.lat);
      if (!v) {
        v = {
          id: p.vehicle_id,
          index: this.list.length,
          lat: p.lat, lon: p.lon,
          fromX: x, fromY: y, toX: x, toY: y, curX: x, curY: y, t0: now, dur: 0,
          status: p.status || 'unknown', speed: p.speed_mps, heading: p.heading_deg,
          seq: p.seq, deviceTime: p.device_time_ms, receivedAt: Date.now(),
          tags: [], online: undefined, alerts: 0, incident: false, visible: true,
        };
        this.byId.set(v.id, v);
        this.list.push(v);
        added = true;
        continue;
      }
      if (Number.isFinite(v.seq) && Number.isFinite(p.seq) && p.seq < v.seq && p.device_time_ms < v.deviceTime) continue; // stale replay
      this.position(v, now);
      const far = Math.abs(x - v.curX) + Math.abs(y - v.curY) > SNAP_DISTANCE;
      v.fromX = far ? x : v.curX;
      v.fromY = far ? y : v.curY;
      v.toX = x;
      v.toY = y;
      v.t0 = now;
      v.dur = far ? 0 : duration;
      v.lat = p.lat;
      v.lon = p.lon;
      if (v.status !== p.status) this.needsFilter = true;
      v.status = p.status || v.status;
      v.speed = p.speed_mps;
      v.heading = p.heading_deg;
      v.seq = p.seq;
      v.deviceTime = p.device_time_ms;
      v.receivedAt = Date.now();
      if (v.online === false) { v.online = true; this.needsFilter = true; } // it reports, so it is online now
    }
    if (added) this.needsFilter = true;
    this.animateUntil = Math.max(this.animateUntil, now + duration);
    this.changed = true;
    return positions.length;
  }

  /** Updates `curX/curY` (the drawn position) of one record at time `now`. */
  position(v, now) {
    if (v.dur <= 0 || now >= v.t0 + v.dur) {
      v.curX = v.toX;
      v.curY = v.toY;
    } else {
      const k = Math.max(0, (now - v.t0) / v.dur);
      v.curX = v.fromX + (v.toX - v.fromX) * k;
      v.curY = v.fromY + (v.toY - v.fromY) * k;
    }
  }

  health(v) {
    if (v.online === false) return 'offline';
    if (v.incident) return 'incident';
    if (v.alerts > 0) return 'alert';
    return 'ok';
  }

  /** Tags and connectivity from fleet-control's vehicle list. */
  applyControlVehicles(vehicles) {
    for (const cv of vehicles) {
      const v = this.byId.get(cv.id);
      const tags = Array.isArray(cv.tags) ? cv.tags.filter((t) => typeof t === 'string') : [];
      for (const t of tags) this.tags.add(t);
      if (!v) continue;
      v.tags = tags;
      v.online = cv.connectivity === 'online' ? true : cv.connectivity === 'offline' ? false : undefined;
    }
    this.needsFilter = true;
    this.changed = true;
  }

  /** Sets the vehicles with an open alert (count per id) and with an open incident. */
  setAlertCounts(counts) {
    for (const v of this.list) v.alerts = counts.get(v.id) || 0;
    this.needsFilter = true;
    this.changed = true;
  }

  setIncidents(ids) {
    for (const v of this.list) v.incident = ids.has(v.id);
    this.needsFilter = true;
    this.changed = true;
  }

  setFilter(partial) {
    Object.assign(this.filter, partial);
    this.needsFilter = true;
    this.changed = true;
  }

  filterActive() {
    const f = this.filter;
    return Boolean(f.search || f.status || f.tag || f.online || f.health);
  }

  matches(v) {
    const f = this.filter;
    if (f.search && !v.id.toLowerCase().includes(f.search.toLowerCase())) return false;
    if (f.status && v.status !== f.status) return false;
    if (f.tag && !v.tags.includes(f.tag)) return false;
    if (f.online === 'online' && v.online !== true) return false;
    if (f.online === 'offline' && v.online !== false) return false;
    if (f.health) {
      const health = this.health(v);
      if (f.health === 'issues' ? health === 'ok' : health !== f.health) return false;
    }
    return true;
  }

  /** Recomputes `filtered` and each record's `visible` when something that filters changed. */
  refilter() {
    if (!this.needsFilter) return false;
    this.needsFilter = false;
    const out = [];
    for (const v of this.list) {
      v.visible = this.matches(v);
      if (v.visible) out.push(v);
    }
    out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.filtered = out;
    this.filterVersion++;
    this.changed = true;
    return true;
  }
}
