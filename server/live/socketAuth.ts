import type { IncomingMessage } from 'node:http';
import type { Server, Socket } from 'socket.io';
import type { Auth } from '@/server/auth/createAuth';
import { allows, identify, type Principal } from '@/server/http/authorize';
import { HttpError } from '@/server/http/errors';

/** how often every open socket's credential is checked again (expiry, revocation elsewhere) */
const RECHECK_MS = 30_000;

export const SIGNED_OUT_EVENT = 'pulse:signed_out';

interface SocketData {
  principal: Principal;
  /** the request the socket was opened with: its cookie or key is checked again later */
  request: IncomingMessage;
  bearer: string | null;
}

/**
 * The live screens' socket is data like GET /api/metrics/live: only Pulse's own pages (and
 * READ_ALLOWED_ORIGINS) may open it, and only with a credential that may read metrics — a
 * signed-in user, a display token, or a secret key (`auth: { token }` in the handshake, for
 * scripts). Anonymous sockets are refused before they receive anything. A revoked session or
 * display is told and disconnected at once in this process, and within RECHECK_MS elsewhere.
 */
export function guardSockets(io: Server, auth: Auth): () => void {
  io.use((socket, next) => {
    const bearer = typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : null;
    void principalOf(auth, socket.request, bearer)
      .then((principal) => {
        if (principal.kind === 'anonymous') return next(refusal('unauthenticated'));
        if (!allows(principal, 'metrics:read')) return next(refusal('forbidden'));
        (socket.data as SocketData) = { principal, request: socket.request, bearer };
        next();
      })
      .catch((err) => next(refusal(err instanceof HttpError && err.code === 'rate_limited' ? 'rate_limited' : 'unauthenticated')));
  });

  const signOut = (socket: Socket, reason: string) => {
    socket.emit(SIGNED_OUT_EVENT, { reason });
    socket.disconnect(true);
  };
  auth.accounts.onRevoked((sessionIds) => {
    const ended = new Set(sessionIds);
    for (const socket of io.of('/').sockets.values()) {
      const p = (socket.data as SocketData).principal;
      if (p?.kind === 'user' && ended.has(p.sessionId)) signOut(socket, 'signed out or revoked');
    }
  });
  auth.displays.onRevoked((tokenId) => {
    for (const socket of io.of('/').sockets.values()) {
      const p = (socket.data as SocketData).principal;
      if (p?.kind === 'display' && p.tokenId === tokenId) signOut(socket, 'display link revoked');
    }
  });
  const timer = setInterval(() => {
    for (const socket of io.of('/').sockets.values()) {
      const data = socket.data as SocketData;
      if (!data.request || data.principal.kind === 'key') continue;
      void principalOf(auth, data.request, data.bearer)
        .then((now) => {
          if (!allows(now, 'metrics:read')) signOut(socket, 'session ended');
        })
        .catch(() => {});
    }
  }, RECHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}

function principalOf(auth: Auth, request: IncomingMessage, bearer: string | null): Promise<Principal> {
  // identify() reads credentials from a request: a handshake token is a bearer key
  const req = bearer === null ? request : ({ ...request, headers: { ...request.headers, authorization: `Bearer ${bearer}` } } as IncomingMessage);
  return identify(auth.sources, { req, query: new URLSearchParams() }, { beacon: false });
}

function refusal(code: 'unauthenticated' | 'forbidden' | 'rate_limited'): Error & { data: { code: string } } {
  const err = new Error(code) as Error & { data: { code: string } };
  err.data = { code };
  return err;
}
