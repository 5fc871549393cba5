import { applyCors } from './cors';
import type { HttpDeps } from './deps';
import type { Authorize } from './authorize';
import { sendJson, sendNoContent } from './respond';
import type { RequestContext } from './router';

const METHODS = 'GET, OPTIONS';

/** `GET /api/metrics/live`: the snapshot the sockets get, for scripts and screens without one. */
export function createLiveMetricsHandlers(deps: Pick<HttpDeps, 'config' | 'liveSnapshot'>, authorize: Authorize) {
  const origins = deps.config.CORS_ALLOWED_ORIGINS;
  return {
    preflight(ctx: RequestContext) {
      applyCors(ctx.req, ctx.res, origins, METHODS, 'read metrics');
      sendNoContent(ctx.res);
    },
    async read(ctx: RequestContext) {
      applyCors(ctx.req, ctx.res, origins, METHODS, 'read metrics');
      authorize(ctx, 'metrics:read');
      sendJson(ctx.res, 200, await deps.liveSnapshot());
    },
  };
}
