'use client';

import { Sparkline } from '@/components/charts/Sparkline';
import type { Level } from '@/lib/thresholds';
import { useBoxFit } from './useBoxFit';
import { seriesIndexOf, type WallTileModel } from './wallTiles';

/** The word and icon beside each level's colour: colour is never the only signal. */
export const LEVEL_BADGE: Record<Exclude<Level, 'none'>, { icon: string; word: string }> = {
  good: { icon: '✓', word: 'OK' },
  warn: { icon: '!', word: 'Watch' },
  bad: { icon: '✕', word: 'Bad' },
};

/**
 * One big number, filling its tile at any screen size, with its level (green / amber / red
 * and a word), its trend against the previous hour and what it counts.
 */
export function WallTile({ tile }: { tile: WallTileModel }) {
  const { box, text } = useBoxFit<HTMLDivElement, HTMLSpanElement>(tile.display);
  const level = tile.assessment.level;
  const badge = level === 'none' ? null : LEVEL_BADGE[level];
  const extra = Object.fromEntries(Object.entries(tile.data ?? {}).map(([k, v]) => [`data-${k}`, String(v)]));
  const marker = tile.spark ? seriesIndexOf(tile.spark.minutes, tile.countingSinceAt) : null;
  return (
    <section
      className={`wall-tile level-${level} ${tile.wide ? 'wall-tile-wide' : ''} ${tile.spark ? 'wall-tile-spark' : ''}`}
      data-testid="wall-tile"
      data-tile={tile.id}
      data-level={level}
    >
      <div className="wall-tile-head">
        <h2 className="wall-tile-label">{tile.label}</h2>
        {badge && (
          <span className="wall-tile-level" data-testid="tile-level" title={tile.assessment.reason}>
            <span aria-hidden="true">{badge.icon}</span> {badge.word}
          </span>
        )}
      </div>
      <div className="wall-tile-box" ref={box}>
        <span
          ref={text}
          className="wall-tile-value"
          data-testid={tile.id}
          data-value={tile.value === null ? undefined : String(tile.value)}
          {...extra}
        >
          {tile.display}
        </span>
      </div>
      {tile.spark && (
        <Sparkline values={tile.spark.values} color={tile.spark.color} markerIndex={marker} className="wall-spark" />
      )}
      <div className="wall-tile-foot">
        {tile.trend && (
          <div className={`wall-tile-trend trend-${tile.trend.direction}`} data-testid="tile-trend">
            {tile.trend.text}
          </div>
        )}
        {(level === 'warn' || level === 'bad') && (
          <div className="wall-tile-reason" data-testid="tile-reason">
            {tile.assessment.reason}
          </div>
        )}
        {tile.countingSince && (
          <div className="wall-tile-counting" data-testid="counting-since" data-since={tile.countingSinceAt ?? undefined}>
            {tile.countingSince}
          </div>
        )}
        {tile.lines.map((line) => (
          <div key={line.text} className="wall-tile-sub" data-testid={line.testId}>
            {line.text}
          </div>
        ))}
      </div>
    </section>
  );
}
