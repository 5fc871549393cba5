import Link from 'next/link';
import { sessionHref, userHref } from './links';

/** A user id that opens the user's page. */
export function UserLink({ userId, testId = 'user-link' }: { userId: string; testId?: string }) {
  return (
    <Link href={userHref(userId)} className="id-link mono" data-testid={testId} data-user-id={userId} title={`Open user ${userId}`} prefetch={false}>
      {userId}
    </Link>
  );
}

/** A session id that opens the session's page. */
export function SessionLink({ sessionId, testId = 'session-link' }: { sessionId: string; testId?: string }) {
  return (
    <Link href={sessionHref(sessionId)} className="id-link mono" data-testid={testId} data-session-id={sessionId} title={`Open session ${sessionId}`} prefetch={false}>
      {sessionId}
    </Link>
  );
}
