import type { HttpDeps } from './deps';
import { sendJson } from './respond';
import type { RequestContext } from './router';

/**
 * `GET /api/health`: 200 when every dependency answers, 503 (same body shape) when ingest would
 * fail. Unauthenticated on purpose: load balancers and orchestrators probe it without keys.
 */
export function createHealthHandler(deps: Pick<HttpDeps, 'health'>) {
  return async ({ res }: RequestContext) => {
    const { ok, body } = await deps.health();
    sendJson(res, ok ? 200 : 503, body);
  };
}
