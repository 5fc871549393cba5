import type { OriginPolicy } from '@/server/auth/origins';
import { applyReadCors } from './cors';
import type { HttpDeps } from './deps';
import type { Authorize } from './authorize';
import { sendJson, sendNoContent } from './respond';
import type { RequestContext } from './router';

const METHODS = 'GET, OPTIONS';

/**
 * `GET /api/metrics/live`: the snapshot the sockets get, for scripts (a secret key) and screens
 * without a socket (a signed-in viewer or a display). Pulse's own pages and READ_ALLOWED_ORIGINS
 * only: a page elsewhere opened by an employee must not read the shop's revenue.
 */
export function createLiveMetricsHandlers(deps: Pick<HttpDeps, 'liveSnapshot'>, origins: OriginPolicy, authorize: Authorize) {
  return {
    preflight(ctx: RequestContext) {
      origins.check(ctx.req, 'read metrics');
      applyReadCors(ctx.req, ctx.res, origins, METHODS);
      sendNoContent(ctx.res);
    },
    async read(ctx: RequestContext) {
      await authorize(ctx, 'metrics:read');
      applyReadCors(ctx.req, ctx.res, origins, METHODS);
      sendJson(ctx.res, 200, await deps.liveSnapshot());
    },
  };
}
