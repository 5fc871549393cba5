import { createAnalyticsHandlers } from './analytics';
import { createAuthorizer } from './authorize';
import { createDeadLetterHandlers } from './deadLetters';
import type { HttpDeps } from './deps';
import { HttpError } from './errors';
import { createEventsHandlers } from './events';
import { createHealthHandler } from './health';
import { createHistoryHandlers } from './history';
import { createInventoryHandler } from './inventory';
import { createLiveMetricsHandlers } from './liveMetrics';
import { createPipelineHistoryHandler } from './pipelineHistory';
import { createPrometheusHandler } from './prometheus';
import { createRouter, type RawHandler, type Route } from './router';
import { createRulesHandlers } from './rules';

/**
 * The request listener of a Pulse process: the route table over the handlers. A worker process
 * (PULSE_ROLE=worker) serves health and metrics only; it has no Next and no ingest.
 */
export function createHttpHandler(deps: HttpDeps): RawHandler {
  const authorize = createAuthorizer(deps.keys);
  const events = createEventsHandlers(deps, authorize);
  const live = createLiveMetricsHandlers(deps, authorize);
  const deadLetters = createDeadLetterHandlers(deps, authorize);
  const rules = createRulesHandlers(deps, authorize);
  const analytics = createAnalyticsHandlers(deps, authorize);

  const always: Route[] = [
    { method: 'GET', path: '/api/health', handler: createHealthHandler(deps) },
    { method: 'GET', path: '/metrics', handler: createPrometheusHandler(deps, authorize) },
  ];
  if (deps.config.PULSE_ROLE === 'worker') {
    return createRouter(always, {
      fallback: () => {
        throw new HttpError('not_found', 'this is a worker process: only /api/health and /metrics are served');
      },
    });
  }
  const web: Route[] = [
    { method: 'POST', path: '/api/events', handler: events.ingest },
    { method: 'OPTIONS', path: '/api/events', handler: events.preflight },
    { method: 'GET', path: '/api/metrics/live', handler: live.read },
    { method: 'OPTIONS', path: '/api/metrics/live', handler: live.preflight },
    { method: 'GET', path: '/api/users/:id', handler: analytics.user },
    { method: 'GET', path: '/api/sessions/:id', handler: analytics.session },
    { method: 'POST', path: '/api/inventory', handler: createInventoryHandler(deps, authorize) },
    { method: 'GET', path: '/api/pipeline/dead-letters', handler: deadLetters.list },
    { method: 'POST', path: '/api/pipeline/dead-letters/:id/replay', handler: deadLetters.replay },
    { method: 'DELETE', path: '/api/pipeline/dead-letters/:id', handler: deadLetters.discard },
    { method: 'GET', path: '/api/pipeline/history', handler: createPipelineHistoryHandler(deps) },
    { method: 'GET', path: '/api/rules', handler: rules.read },
    { method: 'PATCH', path: '/api/rules', handler: rules.change },
  ];
  if (deps.history) {
    // no key needed to read history yet, like /api/metrics/live (sign-in comes with issue 9)
    const history = createHistoryHandlers(deps.history);
    web.push({ method: 'GET', path: '/api/history', handler: history.index }, { method: 'GET', path: '/api/history/:view', handler: history.view });
  }
  return createRouter([...always, ...web], { fallback: deps.next });
}
