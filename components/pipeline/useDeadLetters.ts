'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { goToSignIn } from '@/components/auth/redirect';
import { ApiError, discardDeadLetter, listDeadLetters, replayDeadLetter, type DeadLetter } from './deadLetterApi';

export type DeadLetterAction = 'replay' | 'discard';

export interface Feedback {
  tone: 'good' | 'critical';
  title: string;
  detail?: string;
  /** which letter it is about; its row is gone after a success */
  letterId: string;
}

const QUERY_ROOT = 'dead-letters';

/** A refusal will not change by asking again; a network blip might. */
function shouldRetry(failures: number, error: Error): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failures < 2;
}

export const isSignedOut = (error: unknown): boolean => error instanceof ApiError && error.status === 401;

export function letterLabel(letter: Pick<DeadLetter, 'eventId'>): string {
  return letter.eventId ?? 'the undecodable log entry';
}

/**
 * The dead letters and the admin actions on them, authorised by the admin's session cookie
 * (same-origin fetches send it; the page holds no key of its own). The list is fetched again
 * after every action and whenever the live count of dead letters moves, so a replayed event that
 * fails again shows up without a manual refresh. A 401 (the session ended) sends the browser to
 * sign in and back here; a 403 stays on screen with the server's reason.
 */
export function useDeadLetters(liveCount: number | undefined) {
  const queryClient = useQueryClient();
  const [feedback, setFeedback] = useState<Feedback | null>(null);

  const list = useQuery({
    queryKey: [QUERY_ROOT],
    queryFn: ({ signal }) => listDeadLetters(signal),
    retry: shouldRetry,
    staleTime: 0,
  });

  // the first count is what the list was just fetched against; only a change means news
  const seenCount = useRef(liveCount);
  useEffect(() => {
    const previous = seenCount.current;
    seenCount.current = liveCount;
    if (liveCount === undefined || previous === undefined || previous === liveCount) return;
    void queryClient.invalidateQueries({ queryKey: [QUERY_ROOT] });
  }, [liveCount, queryClient]);

  // signed out meanwhile: off to sign in, coming back to this page
  useEffect(() => {
    if (isSignedOut(list.error)) goToSignIn();
  }, [list.error]);

  const action = useMutation({
    mutationFn: ({ kind, letter }: { kind: DeadLetterAction; letter: DeadLetter }) =>
      kind === 'replay' ? replayDeadLetter(letter.id) : discardDeadLetter(letter.id),
    onSuccess: (_result, { kind, letter }) => {
      const label = letterLabel(letter);
      setFeedback(
        kind === 'replay'
          ? { tone: 'good', letterId: letter.id, title: `Replayed ${label} — it is back in the pipeline` }
          : { tone: 'good', letterId: letter.id, title: `Discarded ${label}`, detail: 'It will not be processed.' },
      );
    },
    onError: (error, { kind, letter }) => {
      if (isSignedOut(error)) return goToSignIn();
      setFeedback({
        tone: 'critical',
        letterId: letter.id,
        title: `Could not ${kind} ${letterLabel(letter)}`,
        detail: error.message,
      });
    },
    // a refused replay re-files the letter (under a new id), so the list is read again either way
    onSettled: () => queryClient.invalidateQueries({ queryKey: [QUERY_ROOT] }),
  });

  return {
    list,
    feedback,
    dismissFeedback: () => setFeedback(null),
    run: (kind: DeadLetterAction, letter: DeadLetter) => {
      setFeedback(null);
      action.mutate({ kind, letter });
    },
    /** the letter an action is running on, if any */
    busyId: action.isPending ? action.variables?.letter.id ?? null : null,
  };
}
