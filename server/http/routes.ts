import { createAdminHandlers } from './admin';
import { createAnalyticsHandlers } from './analytics';
import { createAuthHandlers } from './auth';
import { createDeadLetterHandlers } from './deadLetters';
import type { HttpDeps } from './deps';
import { HttpError } from './errors';
import { createEventsHandlers } from './events';
import { createHealthHandler } from './health';
import { createHistoryHandlers } from './history';
import { createInventoryHandler } from './inventory';
import { createLiveMetricsHandlers } from './liveMetrics';
import { createPageGate } from './pages';
import { createPipelineHistoryHandler } from './pipelineHistory';
import { createPrometheusHandler } from './prometheus';
import { createRouter, type RawHandler, type Route } from './router';
import { createRulesHandlers } from './rules';

/**
 * The request listener of a Pulse process: the route table over the handlers, every one of which
 * names its permission to deps.auth.authorize. A worker process (PULSE_ROLE=worker) serves health
 * and metrics only; it has no Next, no ingest and no database.
 */
export function createHttpHandler(deps: HttpDeps): RawHandler {
  const authorize = deps.authorize;
  const always: Route[] = [{ method: 'GET', path: '/api/health', handler: createHealthHandler(deps) }];
  if (deps.config.PULSE_ROLE === 'worker') {
    return createRouter([...always, { method: 'GET', path: '/metrics', handler: createPrometheusHandler(deps, authorize) }], {
      securityHeaders: headerOptions(deps),
      fallback: () => {
        throw new HttpError('not_found', 'this is a worker process: only /api/health and /metrics are served');
      },
    });
  }
  if (!deps.auth) throw new Error('a web process needs the database (deps.auth)');
  const events = createEventsHandlers(deps, authorize);
  const live = createLiveMetricsHandlers(deps, deps.auth.origins, authorize);
  const deadLetters = createDeadLetterHandlers(deps, authorize);
  const rules = createRulesHandlers(deps, authorize);
  const analytics = createAnalyticsHandlers(deps, authorize);
  const auth = createAuthHandlers(deps.auth, { trustProxy: deps.config.TRUST_PROXY });
  const admin = createAdminHandlers(deps.auth);

  const web: Route[] = [
    { method: 'GET', path: '/metrics', handler: createPrometheusHandler(deps, authorize) },
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
    { method: 'GET', path: '/api/pipeline/history', handler: createPipelineHistoryHandler(deps, authorize) },
    { method: 'GET', path: '/api/rules', handler: rules.read },
    { method: 'PATCH', path: '/api/rules', handler: rules.change },
    { method: 'POST', path: '/api/auth/login', handler: auth.login },
    { method: 'POST', path: '/api/auth/logout', handler: auth.logout },
    { method: 'GET', path: '/api/auth/me', handler: auth.me },
    { method: 'POST', path: '/api/auth/setup', handler: auth.setup },
    { method: 'GET', path: '/api/auth/sessions', handler: auth.sessions },
    { method: 'DELETE', path: '/api/auth/sessions/:id', handler: auth.revokeSession },
    { method: 'GET', path: '/api/admin/users', handler: admin.listUsers },
    { method: 'POST', path: '/api/admin/users', handler: admin.createUser },
    { method: 'PATCH', path: '/api/admin/users/:id', handler: admin.changeUser },
    { method: 'DELETE', path: '/api/admin/users/:id/sessions', handler: admin.revokeUserSessions },
    { method: 'GET', path: '/api/admin/keys', handler: admin.listKeys },
    { method: 'POST', path: '/api/admin/keys', handler: admin.createKey },
    { method: 'DELETE', path: '/api/admin/keys/:id', handler: admin.revokeKey },
    { method: 'GET', path: '/api/admin/display-tokens', handler: admin.listDisplays },
    { method: 'POST', path: '/api/admin/display-tokens', handler: admin.createDisplay },
    { method: 'DELETE', path: '/api/admin/display-tokens/:id', handler: admin.revokeDisplay },
    { method: 'GET', path: '/api/admin/audit', handler: admin.auditLog },
  ];
  if (deps.history) {
    const history = createHistoryHandlers(deps.history, authorize);
    web.push({ method: 'GET', path: '/api/history', handler: history.index }, { method: 'GET', path: '/api/history/:view', handler: history.view });
  }
  return createRouter([...always, ...web], { fallback: deps.next ? createPageGate(deps.auth, deps.next) : undefined, securityHeaders: headerOptions(deps) });
}

function headerOptions(deps: HttpDeps) {
  return { trustProxy: deps.config.TRUST_PROXY, dev: deps.config.NODE_ENV !== 'production' };
}
