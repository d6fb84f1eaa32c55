// VehicleLayer: every vehicle on one canvas, drawn in one pass per animation frame (an L.Layer of our own, not one
// Leaflet marker per vehicle: 10,000 DOM markers or SVG paths do not stay fluid).
//
// - Positions are interpolated by the store (store.js); the layer redraws while any marker is still gliding, when
//   the map moves, or when something changed; otherwise the frame is skipped (frame stats still count it).
// - Colour = status (STATUS_COLOURS); health (an open alert, an open incident, offline) = a ring around the dot.
// - Level of detail: below zoom 13 small squares without rings (issues drawn as a slightly larger square under the
//   dot); 13–15 dots with rings; 16+ larger dots with a heading tick and, when few are in view, their ids.
// - Dots and rings are written as pixels (cached sprites) into one ImageData per frame; only heading ticks, ids and
//   the selection ring are canvas paths. Rasterising 10,000 anti-aliased paths per frame is what made frames slow.
// - Clicks are hit-tested against the positions of the last drawn frame through a grid of 24 px cells built lazily.
// - The canvas covers exactly the map's view and lives in its own pane; during a zoom animation it is scaled with a
//   CSS transform like Leaflet's own renderers, and redrawn at the new zoom when the animation ends.

export const STATUS_COLOURS = {
  moving: '#34d399',
  idle: '#93a8c9',
  paused: '#fbbf24',
  charging: '#38bdf8',
  fault: '#f43f5e',
  unknown: '#c084fc',
  offline: '#5b6475',
};
export const HEALTH_COLOURS = { alert: '#fb923c', incident: '#e879f9', offline: '#9ca3af' };

const BUCKETS = ['moving', 'idle', 'paused', 'charging', 'fault', 'unknown', 'offline'];
const CELL = 24;

export function createVehicleLayer(L, store, stats) {
  const VehicleLayer = L.Layer.extend({
    initialize(options) {
      L.setOptions(this, options);
      this.selected = new Set();
      this.drawX = new Float32Array(0);
      this.drawY = new Float32Array(0);
      this.drawnCount = 0;
      this.grid = null;
      this.dirty = true;
      this.firstDrawnAt = 0;
      this.onFrame = null; // callback(now) after each drawn frame
      this.buckets = BUCKETS.map(() => new Int32Array(1024));
      this.counts = new Int32Array(BUCKETS.length);
    },

    onAdd(map) {
      this._map = map;
      if (!map.getPane('vehiclesPane')) {
        const pane = map.createPane('vehiclesPane');
        pane.style.zIndex = 450; // above overlays (400) and routes, below tooltips (650) and popups (700)
        pane.style.pointerEvents = 'none';
      }
      this._canvas = L.DomUtil.create('canvas', 'fleet-vehicle-canvas leaflet-zoom-animated');
      map.getPane('vehiclesPane').appendChild(this._canvas);
      this._ctx = this._canvas.getContext('2d', { alpha: true });
      map.on('zoomanim', this._onZoomAnim, this);
      map.on('zoomend moveend resize viewreset', this._invalidate, this);
      map.on('move', this._invalidate, this);
      this._resize();
      this._running = true;
      this._last = 0;
      this._raf = requestAnimationFrame((t) => this._frame(t));
    },

    onRemove(map) {
      this._running = false;
      cancelAnimationFrame(this._raf);
      map.off('zoomanim', this._onZoomAnim, this);
      map.off('zoomend moveend resize viewreset', this._invalidate, this);
      map.off('move', this._invalidate, this);
      this._canvas.remove();
    },

    _invalidate(e) {
      if (e && e.type === 'zoomend') this._zooming = false;
      if (e && e.type === 'resize') this._resize();
      this.dirty = true;
    },

    _resize() {
      const size = this._map.getSize();
      const dpr = Math.min(window.devicePixelRatio || 1, 2);
      this._dpr = dpr;
      this._canvas.width = Math.round(size.x * dpr);
      this._canvas.height = Math.round(size.y * dpr);
      this._canvas.style.width = `${size.x}px`;
      this._canvas.style.height = `${size.y}px`;
      this._size = size;
      this.dirty = true;
    },

    // Same arithmetic as L.Renderer#_updateTransform (padding 0): scale the last drawn frame about the new view.
    _onZoomAnim(e) {
      if (!this._drawnCenter) return;
      this._zooming = true;
      const map = this._map;
      const scale = map.getZoomScale(e.zoom, this._drawnZoom);
      const position = L.DomUtil.getPosition(this._canvas);
      const viewHalf = map.getSize().multiplyBy(0.5);
      const currentCenterPoint = map.project(this._drawnCenter, e.zoom);
      const destCenterPoint = map.project(e.center, e.zoom);
      const centerOffset = destCenterPoint.subtract(currentCenterPoint);
      const topLeftOffset = viewHalf.multiplyBy(-scale).add(position).add(viewHalf).subtract(centerOffset);
      L.DomUtil.setTransform(this._canvas, topLeftOffset, scale);
    },

    _frame(t) {
      if (!this._running) return;
      this._raf = requestAnimationFrame((next) => this._frame(next));
      if (this._last) stats.frameDelta(t - this._last);
      this._last = t;
      const now = performance.now();
      const filtered = store.refilter();
      const needed = this.dirty || filtered || store.changed || now < store.animateUntil + 50;
      if (!needed || this._zooming) return;
      const start = performance.now();
      try {
        this._draw(now);
      } finally {
        stats.drawTime(performance.now() - start);
      }
      this.dirty = false;
      store.changed = false;
      if (this.onFrame) this.onFrame(now);
    },

    _draw(now) {
      const map = this._map;
      const ctx = this._ctx;
      const size = this._size;
      const dpr = this._dpr;
      // Keep the canvas over the view: its top-left corner at container point (0,0).
      const topLeft = map.containerPointToLayerPoint([0, 0]);
      L.DomUtil.setPosition(this._canvas, topLeft);
      this._drawnCenter = map.getCenter();
      this._drawnZoom = map.getZoom();
      const zoom = map.getZoom();
      const world = 256 * Math.pow(2, zoom);
      const origin = map.getPixelOrigin();
      const ox = origin.x + topLeft.x;
      const oy = origin.y + topLeft.y;

      const list = store.list;
      const n = list.length;
      if (this.drawX.length < n) {
        const cap = Math.max(1024, n * 2);
        this.drawX = new Float32Array(cap);
        this.drawY = new Float32Array(cap);
        this.buckets = BUCKETS.map(() => new Int32Array(cap));
      }
      const drawX = this.drawX;
      const drawY = this.drawY;
      const counts = this.counts;
      counts.fill(0);
      const issues = [];
      const margin = 12;
      let drawn = 0;
      for (let i = 0; i < n; i++) {
        const v = list[i];
        store.position(v, now);
        if (!v.visible) {
          drawX[i] = NaN;
          continue;
        }
        drawn++;
        const x = v.curX * world - ox;
        const y = v.curY * world - oy;
        if (x < -margin || y < -margin || x > size.x + margin || y > size.y + margin) {
          drawX[i] = NaN; // off screen: counted as drawn (it is on the layer), not painted
          continue;
        }
        drawX[i] = x;
        drawY[i] = y;
        const b = v.online === false ? 6 : bucketOf(v.status);
        this.buckets[b][counts[b]++] = i;
        if (v.online === false || v.incident || v.alerts > 0) issues.push(i);
      }
      this.drawnCount = drawn;
      this.grid = null;

      const lod = zoom < 13 ? 0 : zoom < 16 ? 1 : 2;
      const radius = lod === 0 ? 1.5 : lod === 1 ? 4 : 6;
      this._radius = radius;

      // Dots and health rings are written as pixels into one ImageData and put in one call: with 10,000 vehicles,
      // 10,000 anti-aliased canvas paths cost far more to rasterise (in software, e.g. headless or without GPU)
      // than the few milliseconds of JavaScript this takes.
      const width = this._canvas.width;
      const height = this._canvas.height;
      if (!this._image || this._image.width !== width || this._image.height !== height) {
        this._image = ctx.createImageData(width, height);
        this._pixels = new Uint32Array(this._image.data.buffer);
      }
      const pixels = this._pixels;
      pixels.fill(0);
      const issueSet = new Set(issues);
      for (let b = 0; b < BUCKETS.length; b++) {
        const count = counts[b];
        if (!count) continue;
        const idx = this.buckets[b];
        for (let k = 0; k < count; k++) {
          const i = idx[k];
          const ring = issueSet.has(i) ? store.health(list[i]) : 'ok';
          const sprite = this._sprite(lod, BUCKETS[b], ring, dpr);
          blit(pixels, width, height, sprite, Math.round(drawX[i] * dpr), Math.round(drawY[i] * dpr));
        }
      }
      ctx.putImageData(this._image, 0, 0);
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      if (lod === 2) {
        // Heading ticks for moving vehicles, ids when few are in view.
        ctx.beginPath();
        ctx.strokeStyle = '#e5edf7';
        ctx.lineWidth = 2;
        let inView = 0;
        const moving = this.buckets[0];
        for (let k = 0; k < counts[0]; k++) {
          const v = list[moving[k]];
          if (!Number.isFinite(v.heading)) continue;
          const a = ((v.heading - 90) * Math.PI) / 180; // 0° = north, clockwise
          const x = drawX[v.index];
          const y = drawY[v.index];
          ctx.moveTo(x + Math.cos(a) * radius, y + Math.sin(a) * radius);
          ctx.lineTo(x + Math.cos(a) * (radius + 7), y + Math.sin(a) * (radius + 7));
        }
        ctx.stroke();
        for (let b = 0; b < BUCKETS.length; b++) inView += counts[b];
        if (inView <= 250) {
          ctx.font = '11px system-ui, sans-serif';
          ctx.fillStyle = '#dbe4f0';
          ctx.strokeStyle = 'rgba(8,12,20,0.9)';
          ctx.lineWidth = 3;
          for (let i = 0; i < n; i++) {
            if (Number.isNaN(drawX[i])) continue;
            ctx.strokeText(list[i].id, drawX[i] + radius + 4, drawY[i] - radius - 2);
            ctx.fillText(list[i].id, drawX[i] + radius + 4, drawY[i] - radius - 2);
          }
        }
      }

      // Selection: a white ring (drawn at every level of detail).
      if (this.selected.size) {
        ctx.beginPath();
        ctx.strokeStyle = '#ffffff';
        ctx.lineWidth = 2.5;
        for (const id of this.selected) {
          const v = store.byId.get(id);
          if (!v || Number.isNaN(drawX[v.index])) continue;
          const r = Math.max(radius, 3) + 6;
          ctx.moveTo(drawX[v.index] + r, drawY[v.index]);
          ctx.arc(drawX[v.index], drawY[v.index], r, 0, Math.PI * 2);
        }
        ctx.stroke();
      }
    },

    /** A dot (status colour, dark outline) with an optional health ring, as pixel offsets and colours; cached. */
    _sprite(lod, bucket, ring, dpr) {
      const key = `${lod}:${bucket}:${ring}:${dpr}`;
      if (!this._sprites) this._sprites = new Map();
      let sprite = this._sprites.get(key);
      if (sprite) return sprite;
      const fill = rgba(STATUS_COLOURS[bucket]);
      const ringColour = ring === 'ok' ? 0 : rgba(HEALTH_COLOURS[ring]);
      const outline = rgba('#0a0e16');
      const dx = [];
      const dy = [];
      const colours = [];
      if (lod === 0) {
        // Small squares, no outline; an issue is a larger square of its health colour behind the dot.
        const half = Math.max(1, Math.round(1.5 * dpr));
        const big = ring === 'ok' ? half : half + Math.max(1, Math.round(1.5 * dpr));
        for (let y = -big; y < big; y++) {
          for (let x = -big; x < big; x++) {
            const inner = x >= -half && x < half && y >= -half && y < half;
            dx.push(x); dy.push(y); colours.push(inner ? fill : ringColour);
          }
        }
      } else {
        const r = (lod === 1 ? 4 : 6) * dpr;
        const ringInner = r + 1.5 * dpr;
        const ringOuter = r + 3.5 * dpr;
        const extent = Math.ceil(ring === 'ok' ? r + 1 : ringOuter + 1);
        for (let y = -extent; y <= extent; y++) {
          for (let x = -extent; x <= extent; x++) {
            const d = Math.hypot(x, y);
            let colour = 0;
            // Thresholds at half pixels keep the discrete circles round (no single-pixel spikes on the axes).
            if (d < r - dpr + 0.5) colour = fill;
            else if (d < r + 0.5) colour = outline;
            else if (ring !== 'ok' && d >= ringInner && d < ringOuter) colour = ringColour;
            if (colour) { dx.push(x); dy.push(y); colours.push(colour); }
          }
        }
      }
      let extent = 0;
      for (let k = 0; k < dx.length; k++) extent = Math.max(extent, Math.abs(dx[k]), Math.abs(dy[k]));
      sprite = { dx: Int32Array.from(dx), dy: Int32Array.from(dy), colours: Uint32Array.from(colours), extent };
      this._sprites.set(key, sprite);
      return sprite;
    },

    /** The vehicle record under a container point, or null (nearest within the marker radius + 5 px). */
    hitTest(point) {
      if (!this.grid) this._buildGrid();
      const cx = Math.floor(point.x / CELL);
      const cy = Math.floor(point.y / CELL);
      const limit = Math.max(this._radius || 4, 3) + 5;
      let best = null;
      let bestD = limit * limit;
      for (let gx = cx - 1; gx <= cx + 1; gx++) {
        for (let gy = cy - 1; gy <= cy + 1; gy++) {
          const cell = this.grid.get(gx * 100003 + gy);
          if (!cell) continue;
          for (const i of cell) {
            const dx = this.drawX[i] - point.x;
            const dy = this.drawY[i] - point.y;
            const d = dx * dx + dy * dy;
            if (d <= bestD) {
              bestD = d;
              best = store.list[i];
            }
          }
        }
      }
      return best;
    },

    _buildGrid() {
      const grid = new Map();
      const n = store.list.length;
      for (let i = 0; i < n; i++) {
        const x = this.drawX[i];
        if (Number.isNaN(x)) continue;
        const key = Math.floor(x / CELL) * 100003 + Math.floor(this.drawY[i] / CELL);
        let cell = grid.get(key);
        if (!cell) grid.set(key, (cell = []));
        cell.push(i);
      }
      this.grid = grid;
    },
  });
  return new VehicleLayer();
}

/** CSS hex colour → a little-endian RGBA pixel (ImageData's byte order on every platform browsers run on). */
function rgba(hex) {
  const n = parseInt(hex.slice(1), 16);
  return ((255 << 24) | ((n & 0xff) << 16) | (n & 0xff00) | ((n >> 16) & 0xff)) >>> 0;
}

function blit(pixels, width, height, sprite, px, py) {
  const { dx, dy, colours, extent } = sprite;
  const n = dx.length;
  if (px - extent >= 0 && py - extent >= 0 && px + extent < width && py + extent < height) {
    for (let k = 0; k < n; k++) pixels[(py + dy[k]) * width + px + dx[k]] = colours[k];
    return;
  }
  for (let k = 0; k < n; k++) {
    const x = px + dx[k];
    const y = py + dy[k];
    if (x >= 0 && y >= 0 && x < width && y < height) pixels[y * width + x] = colours[k];
  }
}

function bucketOf(status) {
  switch (status) {
    case 'moving': return 0;
    case 'idle': return 1;
    case 'paused': return 2;
    case 'charging': return 3;
    case 'fault': return 4;
    default: return 5;
  }
}
