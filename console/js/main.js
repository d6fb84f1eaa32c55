// Entry point of the Fleet operator console: builds the map and the panel, handles logging in and out, runs the
// live stream and the periodic reads, and defines the test and benchmark hooks.
//
// window.fleetConsole (stable API for the browser tests and the benchmark; keep it in step with the tests):
//   ready                  boolean: logged in, and the first live snapshot has been drawn on the map
//   markerCount()          vehicles on the vehicle layer in the last drawn frame (those passing the panel's filters,
//                          whether or not they are inside the current view)
//   vehicle(id)            {lat, lon, status, drawnLat, drawnLon, health, online, tags, visible} or null; lat/lon are
//                          the latest reported position, drawnLat/drawnLon where the marker is drawn now (it glides
//                          between updates); health is "ok" | "alert" | "incident" | "offline"
//   vehicleIds()           ids of every vehicle known (array)
//   frameStats()           {frames, p50, p95, max, drawP50, drawP95, drawMax, drawn}: requestAnimationFrame deltas
//                          (ms) since resetFrameStats(), and the time spent drawing the vehicle layer (ms) over the
//                          `drawn` frames that needed a redraw
//   resetFrameStats()       also resets liveStats()
//   liveStats()            {frames, p50, p95, max}: ms spent parsing and applying each live WebSocket frame
//   timing                 {pageStart, firstSnapshotMs, allMarkersDrawnMs, snapshotSize}, ms since navigation start
//   memory()               {usedJSHeapSize, totalJSHeapSize} where the browser exposes performance.memory, else null
//   errors                 [] of {at, context, name, message, status}: uncaught errors, unhandled rejections and
//                          failed API calls the page caught
//   select(id, additive?)  selects a vehicle as a click would (additive = Ctrl-click); select(null) clears
//   selected()             selected ids
//   addPoint(lat, lon)     while the geofence-draw or route mode is on: adds a vertex / a stop (the map-click path);
//                          returns false when no mode is on
//   mode()                 'geofence' | 'route' | null
// Element ids used by the tests are listed in index.html's markup (#token, #login, #logout, #login-error, #summary
// [data-count], #search, #filter-*, #vehicle-list [data-vehicle-id], #vehicle-details, #pause, #resume,
// #command-status[data-status], #alert-feed [data-alert-id] .ack, #geofence-*, #route-*, #overlay-*).

import { state, loadConfig, api, ApiError, NotLoggedIn, getToken, setToken, recordError, showFailure } from './api.js';
import { VehicleStore, unmercX, unmercY } from './store.js';
import { createVehicleLayer } from './vehicle-layer.js';
import { LiveStream } from './live.js';
import { VehicleList, renderSummary } from './panel.js';
import { AlertFeed } from './alerts.js';
import { Details } from './details.js';
import { Commands } from './commands.js';
import { Geofences } from './geofences.js';
import { Routes } from './routes.js';
import { Jams, loadRoads, addTiles } from './overlays.js';
import { h } from './util.js';

const L = window.L;
const timing = { pageStart: performance.now(), firstSnapshotMs: null, allMarkersDrawnMs: null, snapshotSize: null };

// ---- frame statistics -------------------------------------------------------------------------------------------
const MAX_SAMPLES = 100000;
const frameSamples = [];
const drawSamples = [];
const liveSamples = []; // ms spent parsing and applying each live frame
const stats = {
  frameDelta(ms) {
    if (frameSamples.length < MAX_SAMPLES) frameSamples.push(ms);
  },
  drawTime(ms) {
    if (drawSamples.length < MAX_SAMPLES) drawSamples.push(ms);
  },
};
function percentile(sorted, p) {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

// ---- errors the page did not expect ------------------------------------------------------------------------------
window.addEventListener('error', (event) => recordError(event.error || event.message, 'uncaught'));
window.addEventListener('unhandledrejection', (event) => recordError(event.reason, 'unhandled rejection'));

// ---- messages ----------------------------------------------------------------------------------------------------
const messageEl = document.getElementById('message');
let messageTimer = 0;
state.notify = (text, kind = 'info') => {
  messageEl.hidden = false;
  messageEl.dataset.kind = kind;
  messageEl.textContent = text;
  clearTimeout(messageTimer);
  messageTimer = setTimeout(() => (messageEl.hidden = true), kind === 'error' ? 10000 : 5000);
};
const loginError = document.getElementById('login-error');
state.onAuthFailure = (error) => {
  loginError.textContent = error.message;
};

// ---- map and layers ----------------------------------------------------------------------------------------------
const store = new VehicleStore();
const map = L.map('map', { preferCanvas: true, zoomControl: true, attributionControl: true, minZoom: 3, maxZoom: 19 }).setView([43.7384, 7.4246], 14);
map.attributionControl.setPrefix('Leaflet');
const vehicleLayer = createVehicleLayer(L, store, stats);
vehicleLayer.addTo(map);
const trackLayer = L.layerGroup().addTo(map);

let mode = null;
let selected = [];
let roadsLayer = null;
let loggedIn = false;
let pendingAllDrawn = false;

function setMode(next) {
  mode = next;
  geofences.setActive(mode === 'geofence');
  routes.setActive(mode === 'route');
  document.getElementById('map').classList.toggle('drawing', Boolean(mode));
  if (mode) map.doubleClickZoom.disable();
  else map.doubleClickZoom.enable();
}

function addPoint(lat, lon) {
  if (!loggedIn) return false;
  if (mode === 'geofence') geofences.addPoint(lat, lon);
  else if (mode === 'route') routes.addPoint(lat, lon);
  else return false;
  return true;
}

const list = new VehicleList(store, { onSelect: (id, additive) => select(id, additive) });
const details = new Details({ store, onTrack: drawTrack });
const commands = new Commands({ getTargets });
const geofences = new Geofences(L, map, { setMode });
const routes = new Routes(L, map, { setMode, getSelected: () => selected.slice() });
const jams = new Jams(L, map);
const alertFeed = new AlertFeed({
  onVehicleAlerts: (perVehicle, open) => {
    store.setAlertCounts(perVehicle);
    openAlerts = open;
    renderSummary(lastSummary, openAlerts);
  },
  onSelectVehicle: (id) => select(id, false, true),
});
let openAlerts = undefined;
let lastSummary = null;

function getTargets() {
  if (document.getElementById('action-scope').value === 'filtered') {
    store.refilter();
    if (!store.filterActive()) return { ids: [], all: true, count: store.list.length, label: 'the whole fleet' };
    return { ids: store.filtered.map((v) => v.id), all: false, label: `${store.filtered.length} filtered`, emptyMessage: 'No vehicle matches the filters.' };
  }
  return { ids: selected.slice(), all: false, label: selected.length === 1 ? selected[0] : `${selected.length} selected` };
}

function select(id, additive = false, pan = false) {
  if (!loggedIn) {
    showFailure(new NotLoggedIn(), 'select');
    return;
  }
  if (id === null || id === undefined) selected = [];
  else if (additive) selected = selected.includes(id) ? selected.filter((s) => s !== id) : [...selected, id];
  else selected = [id];
  vehicleLayer.selected = new Set(selected);
  vehicleLayer.dirty = true;
  list.setSelected(selected);
  details.show(selected);
  routes.updateHint();
  const v = id ? store.byId.get(id) : null;
  if (pan && v) map.panTo([v.lat, v.lon]);
}

function drawTrack(id, collection) {
  trackLayer.clearLayers();
  if (!id || !collection) return;
  const lines = (collection.features || []).filter((f) => f?.geometry?.type === 'LineString');
  const line = lines.find((f) => f.properties?.kind === 'track') || lines[0];
  if (!line) return;
  const coords = line.geometry.coordinates.filter((p) => Array.isArray(p) && p.length >= 2).map(([lon, lat]) => [lat, lon]);
  if (coords.length < 2) return;
  L.polyline(coords, { color: '#ffffff', weight: 3, opacity: 0.75, dashArray: '2 6', interactive: false }).addTo(trackLayer);
  L.circleMarker(coords[0], { radius: 4, color: '#ffffff', weight: 2, fillOpacity: 0, interactive: false }).addTo(trackLayer);
}

// Map clicks: a vertex/stop in a drawing mode, otherwise the vehicle under the pointer.
map.on('click', (event) => {
  if (mode) {
    addPoint(event.latlng.lat, event.latlng.lng);
    return;
  }
  if (!loggedIn) return;
  const v = vehicleLayer.hitTest(event.containerPoint);
  const additive = event.originalEvent && (event.originalEvent.ctrlKey || event.originalEvent.metaKey || event.originalEvent.shiftKey);
  if (v) select(v.id, additive);
  else if (!additive && selected.length) select(null);
});
map.on('dblclick', () => {
  if (mode === 'geofence') geofences.finish();
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && mode) setMode(null);
});

// Hover: pointer cursor and a small label for the vehicle under the mouse.
const hoverEl = h('div', { class: 'leaflet-tooltip', style: { position: 'absolute', display: 'none', zIndex: 900, pointerEvents: 'none' } });
document.querySelector('.map-wrap').appendChild(hoverEl);
let hoverFrame = 0;
map.on('mousemove', (event) => {
  if (hoverFrame) return;
  hoverFrame = requestAnimationFrame(() => {
    hoverFrame = 0;
    const v = loggedIn && !mode ? vehicleLayer.hitTest(event.containerPoint) : null;
    map.getContainer().style.cursor = v ? 'pointer' : '';
    if (!v) {
      hoverEl.style.display = 'none';
      return;
    }
    hoverEl.textContent = `${v.id} · ${v.status}${store.health(v) === 'ok' ? '' : ` · ${store.health(v)}`}`;
    hoverEl.style.left = `${event.containerPoint.x + 14}px`;
    hoverEl.style.top = `${event.containerPoint.y - 10}px`;
    hoverEl.style.display = 'block';
  });
});
map.on('mouseout', () => (hoverEl.style.display = 'none'));

vehicleLayer.onFrame = (now) => {
  if (pendingAllDrawn && vehicleLayer.drawnCount >= store.filtered.length && store.list.length >= timing.snapshotSize) {
    pendingAllDrawn = false;
    timing.allMarkersDrawnMs = now;
    fleetConsole.ready = true;
    document.body.dataset.ready = 'true';
  }
};

// ---- live stream -------------------------------------------------------------------------------------------------
const liveStatus = document.getElementById('live-status');
let liveState = 'stopped';
const live = new LiveStream(
  (frame, parseMs) => {
    const start = performance.now();
    store.applyPositions(frame.positions);
    if (liveSamples.length < MAX_SAMPLES) liveSamples.push(parseMs + performance.now() - start);
    if (frame.type === 'snapshot' && timing.firstSnapshotMs === null) {
      timing.firstSnapshotMs = performance.now();
      timing.snapshotSize = frame.positions.length;
      pendingAllDrawn = true;
      store.refilter();
      list.render(true);
    }
  },
  (next, detail) => {
    liveState = next;
    liveStatus.dataset.state = next;
    if (next === 'stopped' && detail) {
      loginError.textContent = detail;
      state.notify(detail, 'error');
    }
    updateLiveLabel(detail);
  },
);
function updateLiveLabel(detail) {
  const labels = { live: 'live', connecting: 'connecting…', reconnecting: 'reconnecting', stopped: 'offline' };
  let text = labels[liveState] || liveState;
  if (liveState === 'live') text += ` · ${store.list.length} vehicles · update ${store.lastFrameAt ? `${((performance.now() - store.lastFrameAt) / 1000).toFixed(0)} s ago` : '—'}`;
  if (detail && liveState !== 'live') text += ` · ${detail}`;
  liveStatus.textContent = text;
  liveStatus.title = text;
}

// ---- periodic reads ----------------------------------------------------------------------------------------------
const timers = [];
function every(ms, fn) {
  const run = async () => {
    if (!loggedIn) return;
    try {
      await fn();
    } catch {
      // api() recorded the failure and the next run retries
    }
  };
  run();
  timers.push(setInterval(run, ms));
}

async function refreshSummary() {
  lastSummary = await api('tracking', 'GET', '/v1/fleet/summary');
  renderSummary(lastSummary, openAlerts);
}

async function refreshControlVehicles() {
  let after;
  for (let page = 0; page < 50; page++) {
    const answer = await api('control', 'GET', '/v1/vehicles', { query: { limit: 1000, after } });
    store.applyControlVehicles(answer?.vehicles || []);
    after = answer?.next_after;
    if (!after || !answer?.vehicles?.length) break;
  }
  list.setTags(store.tags);
  try {
    const tags = await api('control', 'GET', '/v1/tags');
    for (const t of tags?.tags || []) if (typeof t.tag === 'string') store.tags.add(t.tag);
    list.setTags(store.tags);
  } catch {
    // the tags seen on vehicles are enough for the filter
  }
}

async function refreshIncidents() {
  const ids = new Set();
  let after;
  const from = Date.now();
  for (let page = 0; page < 20; page++) {
    const answer = await api('health', 'GET', '/v1/incidents', { query: { from, limit: 1000, after } });
    for (const incident of answer?.items || []) if (incident.open && typeof incident.vehicle_id === 'string') ids.add(incident.vehicle_id);
    after = answer?.next_after;
    if (!after || !answer?.items?.length) break;
  }
  store.setIncidents(ids);
}

// ---- login / logout ----------------------------------------------------------------------------------------------
const tokenInput = document.getElementById('token');
const loginButton = document.getElementById('login');
const logoutButton = document.getElementById('logout');
const whoEl = document.getElementById('who');

document.getElementById('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const token = tokenInput.value.trim();
  if (!token) {
    loginError.textContent = 'Enter a token (fleetctl tokens create …, or the admin token of scripts/run.sh).';
    return;
  }
  await login(token);
});
logoutButton.addEventListener('click', () => logout());

async function login(token) {
  loginError.textContent = '';
  loginButton.disabled = true;
  setToken(token);
  try {
    await api('tracking', 'GET', '/v1/fleet/summary', { expect: [401, 403] });
  } catch (error) {
    setToken('');
    tokenInput.value = ''; // a refused secret is not left in the field
    loginButton.disabled = false;
    if (error instanceof ApiError && error.status === 401) loginError.textContent = `Token refused: ${error.payload?.error?.message || 'unknown, revoked, expired or malformed'}.`;
    else if (error instanceof ApiError && error.status === 403) loginError.textContent = 'This token lacks the scope "fleet:read" the console needs to show the fleet.';
    else loginError.textContent = `Cannot log in: ${error.message}`;
    return false;
  }
  loginButton.disabled = false;
  tokenInput.value = '';
  await start();
  return true;
}

async function start() {
  loggedIn = true;
  document.getElementById('login-form').classList.add('logged-in');
  tokenInput.hidden = true;
  loginButton.hidden = true;
  logoutButton.hidden = false;
  document.getElementById('map-empty').hidden = true;
  // Who is this token? (fleet-control's introspection; only for the label.)
  fetch(`${state.config.services.control}/auth/introspect`, { headers: { Authorization: `Bearer ${getToken()}` } })
    .then((r) => (r.ok ? r.json() : null))
    .then((info) => {
      if (!info?.active) return;
      whoEl.hidden = false;
      whoEl.textContent = info.username || info.sub || 'token';
      whoEl.title = `token ${info.sub || ''}; scopes: ${info.scope || 'none'}`;
    })
    .catch(() => {});
  live.start();
  loadRoads(L, map)
    .then(({ layer, bounds }) => {
      roadsLayer = layer;
      if (bounds && store.list.length === 0) map.fitBounds(bounds, { maxZoom: 15 });
    })
    .catch((error) => state.notify(`Road network unavailable: ${error.message}`, 'error'));
  every(5000, refreshSummary);
  every(30000, refreshControlVehicles);
  every(20000, refreshIncidents);
  timers.push(setInterval(() => {
    list.tick();
    updateLiveLabel();
  }, 1000));
  alertFeed.start();
  geofences.load();
  routes.start();
  jams.start();
}

function logout() {
  loggedIn = false;
  setToken('');
  setMode(null);
  live.stop();
  for (const t of timers.splice(0)) clearInterval(t);
  alertFeed.stop();
  details.stop();
  details.show([]);
  commands.reset();
  geofences.clear();
  routes.stop();
  jams.stop();
  trackLayer.clearLayers();
  if (roadsLayer) roadsLayer.remove();
  roadsLayer = null;
  selected = [];
  vehicleLayer.selected = new Set();
  store.byId.clear();
  store.list.length = 0;
  store.needsFilter = true;
  store.changed = true;
  store.tags.clear();
  list.setSelected([]);
  list.setTags([]);
  lastSummary = null;
  openAlerts = undefined;
  renderSummary(null, undefined);
  fleetConsole.ready = false;
  delete document.body.dataset.ready;
  pendingAllDrawn = false;
  timing.firstSnapshotMs = null;
  timing.allMarkersDrawnMs = null;
  timing.snapshotSize = null;
  tokenInput.hidden = false;
  loginButton.hidden = false;
  logoutButton.hidden = true;
  whoEl.hidden = true;
  document.getElementById('map-empty').hidden = false;
}

// ---- hooks -------------------------------------------------------------------------------------------------------
const fleetConsole = {
  ready: false,
  markerCount: () => vehicleLayer.drawnCount,
  vehicle(id) {
    const v = store.byId.get(id);
    if (!v) return null;
    store.position(v, performance.now());
    return {
      lat: v.lat, lon: v.lon, status: v.status,
      drawnLat: unmercY(v.curY), drawnLon: unmercX(v.curX),
      health: store.health(v), online: v.online ?? null, tags: v.tags.slice(), visible: v.visible,
    };
  },
  vehicleIds: () => store.list.map((v) => v.id),
  frameStats() {
    const frames = Float64Array.from(frameSamples).sort();
    const draws = Float64Array.from(drawSamples).sort();
    return {
      frames: frames.length,
      p50: percentile(frames, 50), p95: percentile(frames, 95), max: frames.length ? frames[frames.length - 1] : 0,
      drawn: draws.length,
      drawP50: percentile(draws, 50), drawP95: percentile(draws, 95), drawMax: draws.length ? draws[draws.length - 1] : 0,
    };
  },
  resetFrameStats() {
    frameSamples.length = 0;
    drawSamples.length = 0;
    liveSamples.length = 0;
  },
  liveStats() {
    const samples = Float64Array.from(liveSamples).sort();
    return { frames: samples.length, p50: percentile(samples, 50), p95: percentile(samples, 95), max: samples.length ? samples[samples.length - 1] : 0 };
  },
  timing,
  memory: () => (performance.memory ? { usedJSHeapSize: performance.memory.usedJSHeapSize, totalJSHeapSize: performance.memory.totalJSHeapSize } : null),
  errors: state.errors,
  select: (id, additive = false) => select(id, additive, true),
  selected: () => selected.slice(),
  addPoint,
  mode: () => mode,
};
window.fleetConsole = fleetConsole;

// ---- boot --------------------------------------------------------------------------------------------------------
(async () => {
  try {
    const config = await loadConfig();
    addTiles(L, map, config.tile_url);
  } catch (error) {
    recordError(error, 'config');
    loginError.textContent = `The console cannot start: ${error.message}`;
    return;
  }
  const token = getToken();
  if (token) await login(token);
})();

