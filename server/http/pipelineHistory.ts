import type { PipelineHistory } from '@/lib/pipelineHistory';
import type { HttpDeps } from './deps';
import { HttpError } from './errors';
import { sendJson } from './respond';
import type { RequestContext } from './router';

/**
 * `GET /api/pipeline/history`: this web process's samples of the last hour (events/s, backlog
 * per consumer, lag, rejects, dead letters) for the pipeline page's charts, and whether admin
 * actions are on. Open like /api/health, which shows the same kind of figures: no client data,
 * nothing secret (a refused admin call says as much).
 */
export function createPipelineHistoryHandler(deps: Pick<HttpDeps, 'keys' | 'pipelineHistory'>) {
  return ({ res }: RequestContext) => {
    if (!deps.pipelineHistory) throw new HttpError('not_found', 'this process keeps no pipeline history');
    const { intervalMs, since, samples } = deps.pipelineHistory();
    const body: PipelineHistory = { intervalMs, since, adminActions: deps.keys.adminKeysConfigured, samples };
    sendJson(res, 200, body);
  };
}
