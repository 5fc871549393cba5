import type { ReactNode } from 'react';
import type { LiveSnapshot } from '@/lib/live';
import { CountingSince, countingBeganAfter, windowFrom } from './countingSince';

/** A panel's qualifier: "last 60 minutes", and "· counting since 18:48" when the window is partial. */
export function WindowMeta({ snapshot, minutes, children }: { snapshot: LiveSnapshot; minutes: number; children?: ReactNode }) {
  const from = windowFrom(snapshot, minutes);
  return (
    <>
      last {minutes} minutes{children}
      {countingBeganAfter(snapshot.shop, from) !== null && (
        <>
          {' · '}
          <CountingSince shop={snapshot.shop} from={from} />
        </>
      )}
    </>
  );
}
