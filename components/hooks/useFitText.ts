'use client';

import { useEffect, useLayoutEffect, useRef, type RefObject } from 'react';

// useLayoutEffect warns during server rendering in some React builds; it only matters in a browser
const useBrowserLayoutEffect = typeof window === 'undefined' ? useEffect : useLayoutEffect;

/** Never shrink below this share of the stylesheet's size: a smaller number is unreadable anyway. */
const MIN_SCALE = 0.45;

/**
 * Shrinks an element's font until its one-line text fits its box, so a number is never cut off
 * or ellipsed ("€1,234,567.89" in a laptop tile): the stylesheet's size is the most it gets.
 * Runs again when the text (`content`) or the box's width changes.
 */
export function useFitText<T extends HTMLElement>(content: unknown): RefObject<T | null> {
  const ref = useRef<T | null>(null);

  useBrowserLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    let lastWidth = -1;
    const fit = () => {
      const width = el.clientWidth;
      if (width === lastWidth) return;
      lastWidth = width;
      el.style.fontSize = '';
      if (width === 0 || el.scrollWidth <= width) return;
      const base = parseFloat(getComputedStyle(el).fontSize);
      let size = Math.max(base * MIN_SCALE, Math.floor(base * (width / el.scrollWidth) * 10) / 10);
      el.style.fontSize = `${size}px`;
      // glyph widths do not scale exactly linearly (hinting): step down until it fits
      while (el.scrollWidth > el.clientWidth && size > base * MIN_SCALE) {
        size = Math.max(base * MIN_SCALE, size - 0.5);
        el.style.fontSize = `${size}px`;
      }
    };
    fit();
    const observer = new ResizeObserver(() => fit());
    observer.observe(el);
    return () => observer.disconnect();
  }, [content]);

  return ref;
}
