import { UNREACHABLE } from './healthBody';

/** GET `url` as JSON, uncached. A network failure becomes UNREACHABLE; an abort stays an abort. */
export async function reach(url: string, signal: AbortSignal): Promise<Response> {
  try {
    return await fetch(url, { signal, cache: 'no-store', headers: { accept: 'application/json' } });
  } catch (err) {
    if (signal.aborted) throw err;
    // the browser's own message ("Failed to fetch") says nothing to a reader
    throw new Error(UNREACHABLE);
  }
}

/** The body of `res` as JSON; `what` ("the health check") names the answer when it is not JSON. */
export async function readJson(res: Response, what: string): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    // a proxy's error page while the server behind it is down
    throw new Error(`${what} answered ${[res.status, res.statusText].filter(Boolean).join(' ')} without JSON`);
  }
}
