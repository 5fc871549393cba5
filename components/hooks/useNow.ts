'use client';

import { useSyncExternalStore } from 'react';

/**
 * The current time, re-rendering subscribers once a second. All subscribers share one
 * interval, which stops when the last one unmounts, so a screen running for days never
 * accumulates timers. Returns null during server rendering and hydration, so nothing
 * time-dependent is baked into HTML that the client would then disagree with.
 */

const TICK_MS = 1_000;
const listeners = new Set<() => void>();
let now = 0;
let timer: ReturnType<typeof setInterval> | null = null;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (timer === null) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, TICK_MS);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };
}

function getSnapshot(): number {
  // Before the first tick after subscribing, fall back to a fresh reading.
  return now === 0 ? (now = Date.now()) : now;
}

const getServerSnapshot = (): null => null;

export function useNow(): number | null {
  return useSyncExternalStore<number | null>(subscribe, getSnapshot, getServerSnapshot);
}
