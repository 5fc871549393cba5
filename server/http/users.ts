import type { Authorize } from './authorize';
import type { HttpDeps } from './deps';
import { HttpError } from './errors';
import { sendJson } from './respond';
import type { RequestContext } from './router';

/** `GET /api/users/:id`: per-user analytics (the router has decoded and length-checked the id). */
export function createUserHandler(deps: Pick<HttpDeps, 'userAnalytics'>, authorize: Authorize) {
  return async (ctx: RequestContext) => {
    authorize(ctx, 'analytics:read');
    const found = await deps.userAnalytics(ctx.params.id);
    if (!found) throw new HttpError('not_found', 'no events seen for this user');
    sendJson(ctx.res, 200, found);
  };
}
