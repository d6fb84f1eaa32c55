// The live stream: fleet-tracking's WebSocket /v1/live (token as ?access_token=, browsers cannot set headers on a
// WebSocket). Frames are `{"type":"snapshot"|"positions","positions":[…]}`: a snapshot first, then coalesced
// updates about once a second. When the socket drops it reconnects with exponential backoff (0.5 s doubling to
// 15 s, with jitter), reset once a snapshot arrives again. After three failed attempts in a row it asks
// fleet-tracking over HTTP whether the token is still accepted, so a revoked token shows a clear message instead
// of reconnecting forever.

import { liveUrl, api, ApiError } from './api.js';

export class LiveStream {
  /**
   * @param {(frame: {type: string, positions: object[]}, parseMs: number) => void} onFrame
   * @param {(state: 'connecting'|'live'|'reconnecting'|'stopped', detail?: string) => void} onState
   */
  constructor(onFrame, onState) {
    this.onFrame = onFrame;
    this.onState = onState;
    this.socket = null;
    this.stopped = true;
    this.failures = 0;
    this.timer = 0;
  }

  start() {
    this.stopped = false;
    this.failures = 0;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.socket) {
      this.socket.onclose = null;
      this.socket.close(1000, 'logged out');
      this.socket = null;
    }
    this.onState('stopped');
  }

  connect() {
    if (this.stopped) return;
    this.onState('connecting');
    let socket;
    try {
      socket = new WebSocket(liveUrl());
    } catch (error) {
      this.scheduleReconnect(String(error?.message || error));
      return;
    }
    this.socket = socket;
    socket.onmessage = (event) => {
      let frame;
      const start = performance.now();
      try {
        frame = JSON.parse(event.data);
      } catch {
        return; // not JSON: ignore the frame, keep the stream
      }
      if (!frame || !Array.isArray(frame.positions)) return;
      if (frame.type === 'snapshot') {
        this.failures = 0;
        this.onState('live');
      }
      this.onFrame(frame, performance.now() - start);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.scheduleReconnect(event.reason || `closed (${event.code})`);
    };
    // onerror is always followed by onclose; nothing to do here (and no console noise of our own).
    socket.onerror = () => {};
  }

  async scheduleReconnect(reason) {
    if (this.stopped) return;
    this.failures++;
    if (this.failures === 3) {
      try {
        await api('tracking', 'GET', '/v1/fleet/summary');
      } catch (error) {
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
          this.onState('stopped', error.message);
          this.stopped = true;
          return;
        }
      }
    }
    const base = Math.min(15000, 500 * Math.pow(2, Math.min(this.failures - 1, 5)));
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    this.onState('reconnecting', `${reason}; retrying in ${(delay / 1000).toFixed(1)} s`);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
