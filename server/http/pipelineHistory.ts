import type { PipelineHistory } from '@/lib/pipelineHistory';
import type { Authorize } from './authorize';
import type { HttpDeps } from './deps';
import { HttpError } from './errors';
import { sendJson } from './respond';
import type { RequestContext } from './router';

/**
 * `GET /api/pipeline/history`: this web process's samples of the last hour (events/s, backlog
 * per consumer, lag, rejects, dead letters) for the pipeline page's charts (admins and secret keys).
 */
export function createPipelineHistoryHandler(deps: Pick<HttpDeps, 'pipelineHistory'>, authorize: Authorize) {
  return async (ctx: RequestContext) => {
    await authorize(ctx, 'pipeline:read');
    const { res } = ctx;
    if (!deps.pipelineHistory) throw new HttpError('not_found', 'this process keeps no pipeline history');
    const { intervalMs, since, samples } = deps.pipelineHistory();
    const body: PipelineHistory = { intervalMs, since, samples };
    sendJson(res, 200, body);
  };
}
