import type { Authorize } from './authorize';
import type { HttpDeps } from './deps';
import { HttpError } from './errors';
import { sendJson } from './respond';
import type { RequestContext } from './router';

/** `GET /api/sessions/:id`: live aggregates of one session. */
export function createSessionHandler(deps: Pick<HttpDeps, 'sessionAggregates'>, authorize: Authorize) {
  return async (ctx: RequestContext) => {
    authorize(ctx, 'analytics:read');
    const found = await deps.sessionAggregates(ctx.params.id);
    if (!found) throw new HttpError('not_found', 'no events seen for this session');
    sendJson(ctx.res, 200, found);
  };
}
