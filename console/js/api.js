// Configuration, the operator's token and every HTTP call to the five services.
//
// - `loadConfig()` reads `config.json` next to index.html (served by fleet-tracking at /console/config.json):
//   {"services": {"tracking": "http://…", "control": …, "alerting": …, "health": …, "routing": …}, "tile_url": null}.
// - The token lives in sessionStorage under TOKEN_KEY (gone when the tab closes); `api()` refuses to send anything
//   without one, so nothing loads and no action runs before the operator logs in.
// - `api(service, method, path, {scope, body, query, headers, quiet})` returns the parsed JSON body (or null for
//   204) and throws `ApiError` otherwise. 401 and 403 become messages that say what is wrong: the token was refused
//   by that service, or it lacks the scope the operation needs (`scope`, copied from the operation's `security` in
//   docs/openapi/*.yaml). Every failure is recorded in `state.errors` (window.fleetConsole.errors) unless the caller
//   passes `expect: [404]` for answers it handles itself.

export const TOKEN_KEY = 'fleet.console.token';

/** Page-wide state other modules read; `notify` and `onAuthFailure` are set by main.js. */
export const state = {
  config: null,
  errors: [],
  notify: (_message, _kind) => {},
  onAuthFailure: (_error) => {},
};

export class ApiError extends Error {
  constructor(message, { status = 0, service = '', path = '', scope = '' } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.service = service;
    this.path = path;
    this.scope = scope;
  }
}

export class NotLoggedIn extends Error {
  constructor() {
    super('Log in with a token first: without one the console cannot read or change anything.');
    this.name = 'NotLoggedIn';
  }
}

export function getToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** Records an error for window.fleetConsole.errors (bounded) and logs it for the developer. */
export function recordError(error, context = '') {
  const entry = {
    at: new Date().toISOString(),
    context,
    name: error?.name || 'Error',
    message: String(error?.message ?? error),
    status: error?.status,
  };
  state.errors.push(entry);
  if (state.errors.length > 200) state.errors.splice(0, state.errors.length - 200);
  // console.warn, not console.error: a failed request is reported on the page; "no console errors" is for bugs.
  console.warn(`[fleet console] ${context}: ${entry.message}`);
  return entry;
}

export async function loadConfig() {
  const response = await fetch('config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const config = await response.json();
  const services = config.services || {};
  for (const name of ['tracking', 'control', 'alerting', 'health', 'routing']) {
    if (typeof services[name] !== 'string' || !services[name]) throw new Error(`config.json: services.${name} is missing`);
    services[name] = services[name].replace(/\/+$/, '');
  }
  state.config = { services, tile_url: config.tile_url || null };
  return state.config;
}

const SERVICE_LABEL = {
  tracking: 'fleet-tracking',
  control: 'fleet-control',
  alerting: 'fleet-alerting',
  health: 'fleet-health',
  routing: 'fleet-routing',
};

/** The live WebSocket URL of fleet-tracking, with the token as access_token (browsers cannot set its headers). */
export function liveUrl() {
  const base = state.config.services.tracking.replace(/^http/, 'ws');
  return `${base}/v1/live?access_token=${encodeURIComponent(getToken())}`;
}

/**
 * One request. `query` values that are undefined/null are left out. Throws NotLoggedIn without a token.
 */
export async function api(service, method, path, options = {}) {
  const { scope = 'fleet:read', body, query, headers = {}, expect = [], signal } = options;
  const token = getToken();
  if (!token) throw new NotLoggedIn();
  const base = state.config?.services?.[service];
  if (!base) throw new Error(`unknown service ${service}`);
  let url = base + path;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
    const qs = params.toString();
    if (qs) url += (url.includes('?') ? '&' : '?') + qs;
  }
  const init = { method, headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...headers }, signal };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const label = SERVICE_LABEL[service] || service;
  let response;
  try {
    response = await fetch(url, init);
  } catch (cause) {
    if (cause?.name === 'AbortError') throw cause;
    const error = new ApiError(`${label} cannot be reached (${method} ${path}): ${cause?.message || cause}`, { service, path });
    recordError(error, `${method} ${path}`);
    throw error;
  }
  if (response.status === 204) return null;
  let payload = null;
  const text = await response.text();
  if (text) {
    try {
      payload = JSON.parse(text);
    } catch {
      payload = null;
    }
  }
  if (response.ok) return payload;
  const serverMessage = payload?.error?.message || text.slice(0, 200) || response.statusText;
  let message;
  if (response.status === 401) message = `${label} refused the token (401): ${serverMessage}. Log in again with a valid token.`;
  else if (response.status === 403) message = `The token lacks the scope "${scope}" needed for ${method} ${path} on ${label} (403): ${serverMessage}`;
  else if (response.status === 429) message = `${label} rate-limited this token (429); retry in ${response.headers.get('Retry-After') || 'a few'} s.`;
  else message = `${label} answered ${response.status} to ${method} ${path}: ${serverMessage}`;
  const error = new ApiError(message, { status: response.status, service, path, scope });
  error.payload = payload;
  if (expect.includes(response.status)) throw error;
  recordError(error, `${method} ${path}`);
  if (response.status === 401) state.onAuthFailure(error);
  throw error;
}

/** Shows an error from an action on the page (login refusals and API errors alike). */
export function showFailure(error, context) {
  if (error?.name === 'AbortError') return;
  if (!(error instanceof ApiError) && !(error instanceof NotLoggedIn)) recordError(error, context);
  state.notify(error?.message || String(error), 'error');
}
