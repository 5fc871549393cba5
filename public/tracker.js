/*! Pulse tracker: usage, options and guarantees in docs/tracker.md */
(() => {
  'use strict';
  const w = window;
  if (w.pulse && w.pulse.loaded) return; // the snippet was included twice

  const script = document.currentScript || document.querySelector('script[data-pulse-key]');
  const attr = (name) => (script ? script.getAttribute('data-pulse-' + name) : null);
  const KEY = attr('key');
  const ENDPOINT = (attr('endpoint') || (script && script.src ? new URL(script.src).origin : '')).replace(/\/+$/, '');
  const BATCH = Number(attr('batch-size')) || 20;
  const INTERVAL = Number(attr('flush-interval')) || 2000;
  const MAX_STORED = 1000;
  const SESSION_IDLE_MS = 30 * 60 * 1000;
  // keepalive fetches and beacons share a 64 KiB budget per page
  const KEEPALIVE_BYTES = 60000;
  const BEACON_GRACE_MS = 30000;

  const warn = (...args) => console.warn('[pulse]', ...args);

  // localStorage, falling back to memory when it is unavailable (privacy modes, full quota)
  const memory = {};
  let useMemory = false;
  const store = {
    get(k) {
      if (!useMemory) {
        try {
          return (memory[k] = localStorage.getItem('pulse:' + k));
        } catch {
          useMemory = true;
        }
      }
      return k in memory ? memory[k] : null;
    },
    set(k, v) {
      memory[k] = v;
      if (!useMemory) {
        try {
          localStorage.setItem('pulse:' + k, v);
        } catch {
          useMemory = true;
        }
      }
    },
  };
  const readJson = (k, fallback) => {
    try { return JSON.parse(store.get(k)) || fallback; } catch { return fallback; }
  };

  // time-ordered and random; getRandomValues works where randomUUID (secure contexts only) does not
  const newId = () =>
    Date.now().toString(36) + Array.from(crypto.getRandomValues(new Uint8Array(10)), (b) => (b + 256).toString(16).slice(1)).join('');

  const userId = () => {
    let id = store.get('user') || store.get('anon');
    if (!id) store.set('anon', (id = 'anon_' + newId()));
    return id;
  };
  const sessionId = () => {
    const now = Date.now();
    let s = readJson('session', null);
    if (!s || !s.id || now - s.t > SESSION_IDLE_MS) s = { id: 'sess_' + newId() };
    s.t = now;
    store.set('session', JSON.stringify(s));
    return s.id;
  };

  // The queue lives in storage so events outlive offline periods and reloads. Entries are
  // { e: event, b: time it was beaconed }. Every change is one synchronous read-modify-write.
  const readQueue = () => {
    const q = readJson('queue', []);
    return Array.isArray(q) ? q.filter((x) => x && x.e && x.e.event_id) : [];
  };
  let warnedFull = false;
  const writeQueue = (q) => {
    if (q.length > MAX_STORED && !warnedFull) warnedFull = warn(`over ${MAX_STORED} unsent events: dropping the oldest`) || true;
    store.set('queue', JSON.stringify(q.slice(-MAX_STORED)));
  };
  const sending = new Set();
  const ready = (x, now) => !sending.has(x.e.event_id) && !(x.b && now - x.b < BEACON_GRACE_MS);
  const remove = (ids) => writeQueue(readQueue().filter((x) => !ids.has(x.e.event_id)));

  const MIN_PER_REQUEST = 10;
  let maxPerRequest = 100;
  let attempt = 0;
  let retryAt = 0;
  let retryTimer = 0;
  let disabled = !KEY || !ENDPOINT;
  let running = null;
  if (disabled) warn('data-pulse-key (and an endpoint) are required; events are kept but not sent');

  const backoff = (retryAfterMs) => {
    const exp = Math.min(60000, 1000 * 2 ** attempt++);
    const delay = retryAfterMs != null ? retryAfterMs + Math.random() * 500 : exp / 2 + (Math.random() * exp) / 2;
    retryAt = Date.now() + delay;
    wakeAt(retryAt);
  };
  const wakeAt = (at) => {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, Math.max(0, at - Date.now()) + 10);
  };
  const retryAfter = (res) => {
    const v = res.headers.get('Retry-After');
    if (!v) return null;
    const ms = /^\d+$/.test(v) ? v * 1000 : Date.parse(v) - Date.now();
    return ms >= 0 ? ms : null;
  };

  // One request for a batch. 'done': the server answered for every event in it (the stored
  // copies are removed); 'split': refused as a whole (too large, or one bad event sinking its
  // neighbours), so its halves should be tried; 'later': backing off; 'stop': nothing more now.
  async function post(batch) {
    const ids = new Set(batch.map((e) => e.event_id));
    try {
      const body = JSON.stringify({ events: batch });
      const res = await fetch(ENDPOINT + '/api/events', {
        method: 'POST',
        headers: { Authorization: 'Bearer ' + KEY, 'Content-Type': 'application/json' },
        body,
        credentials: 'omit',
        keepalive: new Blob([body]).size < KEEPALIVE_BYTES,
      });
      const status = res.status;
      const answer = await res.json().catch(() => ({}));
      const reason = (answer.error && answer.error.message) || '';
      if (res.ok || (status === 400 && Array.isArray(answer.rejected))) {
        // individually rejected events will not improve by being sent again
        (answer.rejected || []).forEach((r) => warn('event rejected by the server:', r.error, batch[r.index]));
        remove(ids);
        attempt = 0;
        return 'done';
      }
      if (status === 429 || status === 408 || status >= 500) {
        backoff(status === 429 || status === 503 ? retryAfter(res) : null);
        return 'later';
      }
      if (status === 413 || status === 400 || status === 422) {
        if (batch.length > 1) {
          // later requests start smaller too, so one large page does not pay for this each flush
          if (status === 413) maxPerRequest = Math.max(MIN_PER_REQUEST, Math.min(maxPerRequest, Math.ceil(batch.length / 2)));
          return 'split';
        }
        // this one event is what the server refuses: sending it again would fail forever
        warn(`HTTP ${status}: dropping an event the server refuses.`, reason, batch[0]);
        remove(ids);
        return 'done';
      }
      // 401, 403, 415…: every request would fail the same way
      warn(`HTTP ${status}: dropping ${batch.length} events.`, reason);
      remove(ids);
      if (status === 401 || status === 403) disabled = true;
      return 'stop';
    } catch {
      backoff(null); // offline, DNS, CORS or a reset connection
      return 'later';
    }
  }

  // Sends a batch, halving what the server refuses as a whole down to single events (at most
  // about 2n requests for n events); true when the caller may go on with the next batch.
  async function sendSplitting(batch) {
    const outcome = await post(batch);
    if (outcome !== 'split') return outcome === 'done';
    const half = Math.ceil(batch.length / 2);
    return (await sendSplitting(batch.slice(0, half))) && sendSplitting(batch.slice(half));
  }

  async function send(batch) {
    const ids = batch.map((e) => e.event_id);
    ids.forEach((id) => sending.add(id));
    try {
      return await sendSplitting(batch);
    } finally {
      ids.forEach((id) => sending.delete(id));
    }
  }

  function flush() {
    if (Date.now() < retryAt) wakeAt(retryAt); // still backing off: come back then
    else if (!running) {
      running = (async () => {
        while (!disabled && Date.now() >= retryAt && navigator.onLine !== false) {
          const now = Date.now();
          const batch = readQueue().filter((x) => ready(x, now)).slice(0, maxPerRequest).map((x) => x.e);
          if (!batch.length || !(await send(batch))) break;
        }
      })().finally(() => (running = null));
    }
    return running || Promise.resolve();
  }

  // The page may be gone before a fetch answers: hand the rest to sendBeacon, which cannot
  // set headers, hence ?key= and text/plain. Its outcome is unknown, so beaconed events stay
  // stored and are sent again on the next page load; the server drops the copies by event_id.
  function beacon() {
    if (disabled || !navigator.sendBeacon) return;
    const url = ENDPOINT + '/api/events?key=' + encodeURIComponent(KEY);
    const q = readQueue();
    const now = Date.now();
    let chunk = [];
    let bytes = 0;
    let marked = false;
    const post = () => {
      if (chunk.length && navigator.sendBeacon(url, JSON.stringify({ events: chunk.map((x) => x.e) }))) {
        chunk.forEach((x) => (x.b = now));
        marked = true;
      }
      chunk = [];
      bytes = 0;
    };
    for (const x of q) {
      if (!ready(x, now)) continue;
      const size = new Blob([JSON.stringify(x.e)]).size + 1;
      if (bytes + size > KEEPALIVE_BYTES) post();
      chunk.push(x);
      bytes += size;
    }
    post();
    if (marked) writeQueue(q);
  }

  function track(type, properties) {
    if (typeof type !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(type)) {
      return warn('event type must be 1-64 letters, digits or _ . : -, got', type);
    }
    const event = { event_id: newId(), timestamp: new Date().toISOString(), user_id: userId(), session_id: sessionId(), event_type: type };
    if (properties != null) {
      try {
        event.properties = JSON.parse(JSON.stringify(properties)); // a snapshot, as sent
      } catch (err) {
        return warn('properties must be JSON-serialisable:', err);
      }
    }
    const q = readQueue();
    q.push({ e: event });
    writeQueue(q);
    if (q.length - sending.size >= BATCH) flush();
    return event.event_id;
  }

  const page = (properties) =>
    track('page_view', {
      page: location.pathname,
      page_url: location.href.slice(0, 2048),
      title: document.title,
      referrer: document.referrer || undefined,
      ...properties,
    });

  const identify = (id) => {
    if (typeof id !== 'string' && typeof id !== 'number') return warn('identify() needs a user id');
    store.set('user', String(id).slice(0, 256));
  };

  // logout: forget the user, start a new anonymous visitor and session
  const reset = () => {
    store.set('user', '');
    store.set('anon', '');
    store.set('session', '');
  };

  const api = { track, page, identify, reset, flush, loaded: true };
  const call = (c) => (api[c[0]] ? api[c[0]](...c.slice(1)) : warn('unknown method', c[0]));
  const queued = (w.pulse && w.pulse.q) || [];
  api.q = { push: call }; // late pushes to the stub's queue run at once
  w.pulse = api;

  // what beaconed on the previous page may not have arrived: send it again
  writeQueue(readQueue().map((x) => ({ e: x.e })));
  queued.forEach(call);
  const auto = attr('auto-pageview');
  if (auto !== null && auto !== 'false') page();

  setInterval(flush, INTERVAL);
  setTimeout(flush, 0);
  w.addEventListener('online', () => {
    retryAt = attempt = 0;
    flush();
  });
  document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && beacon());
  w.addEventListener('pagehide', beacon);
})();
