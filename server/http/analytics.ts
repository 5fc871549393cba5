import type { Authorize } from './authorize';
import type { HttpDeps } from './deps';
import { HttpError } from './errors';
import { sendJson } from './respond';
import type { RequestContext } from './router';

/**
 * `GET /api/users/:id` (per-user analytics) and `GET /api/sessions/:id` (live aggregates of one
 * session): one lookup each, 404 when nothing was seen. The router has decoded and length-checked
 * the id.
 */
export function createAnalyticsHandlers(deps: Pick<HttpDeps, 'userAnalytics' | 'sessionAggregates'>, authorize: Authorize) {
  const lookup = (find: (id: string) => Promise<unknown>, what: string) => async (ctx: RequestContext) => {
    await authorize(ctx, 'analytics:read');
    const found = await find(ctx.params.id);
    if (!found) throw new HttpError('not_found', `no events seen for this ${what}`);
    sendJson(ctx.res, 200, found);
  };
  return { user: lookup((id) => deps.userAnalytics(id), 'user'), session: lookup((id) => deps.sessionAggregates(id), 'session') };
}
