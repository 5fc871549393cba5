'use client';

import { useEffect, useLayoutEffect, useRef, type RefObject } from 'react';

const useBrowserLayoutEffect = typeof window === 'undefined' ? useEffect : useLayoutEffect;

/** The size the text is measured at; any size works, text width scales with it. */
const PROBE_PX = 100;
/** Room left for anti-aliasing and glyphs drawn slightly outside their advance. */
const SAFETY = 0.96;
const MIN_PX = 8;

/**
 * Sizes a one-line text to fill its box: as large as the box's width and height allow, never
 * wider (no ellipsis, no clipping), across the room on a 4K TV as on a laptop. Unlike the
 * overview's useFitText, which only shrinks text below the stylesheet's size, this grows it too,
 * so `box` must take its size from the layout, not from its content.
 *
 * Measures the text at a probe size and scales; re-fits when the text changes, when the box is
 * resized and when web fonts finish loading. The stylesheet may cap the size with a `--fit-max`
 * custom property on the box. Returns refs for the box and the text inside it.
 */
export function useBoxFit<B extends HTMLElement, T extends HTMLElement>(content: string): { box: RefObject<B | null>; text: RefObject<T | null> } {
  const box = useRef<B | null>(null);
  const text = useRef<T | null>(null);

  useBrowserLayoutEffect(() => {
    const boxEl = box.current;
    const textEl = text.current;
    if (!boxEl || !textEl) return;
    let last = '';
    const fit = (force: boolean) => {
      const width = boxEl.clientWidth;
      const height = boxEl.clientHeight;
      const key = `${width}x${height}`;
      if (!force && key === last) return;
      last = key;
      if (width === 0 || height === 0) return;
      textEl.style.fontSize = `${PROBE_PX}px`;
      const probe = textEl.getBoundingClientRect();
      if (probe.width === 0 || probe.height === 0) return;
      // the stylesheet may cap the size for a layout (`--fit-max: 60px` on phones)
      const cssMax = parseFloat(getComputedStyle(boxEl).getPropertyValue('--fit-max'));
      const most = Number.isFinite(cssMax) ? cssMax : Infinity;
      let size = Math.max(MIN_PX, Math.min(most, Math.floor(PROBE_PX * Math.min(width / probe.width, height / probe.height) * SAFETY * 10) / 10));
      textEl.style.fontSize = `${size}px`;
      // glyph widths do not scale exactly linearly (hinting): step down until it fits
      for (let i = 0; i < 40 && size > MIN_PX && (textEl.offsetWidth > width || textEl.offsetHeight > height); i++) {
        size = Math.max(MIN_PX, size * 0.97);
        textEl.style.fontSize = `${size}px`;
      }
      boxEl.dataset.fitPx = String(Math.round(size));
    };
    fit(true);
    const observer = new ResizeObserver(() => fit(false));
    observer.observe(boxEl);
    let alive = true;
    document.fonts?.ready.then(() => alive && fit(true)).catch(() => undefined);
    return () => {
      alive = false;
      observer.disconnect();
    };
  }, [content]);

  return { box, text };
}
