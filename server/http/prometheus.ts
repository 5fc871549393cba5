import type { LiveSnapshot } from '@/lib/live';
import type { Authorize } from './authorize';
import type { HttpDeps } from './deps';
import { sendText } from './respond';
import type { RequestContext } from './router';

/** The pipeline's counters and latencies in Prometheus text exposition format. */
export function prometheusText(snap: LiveSnapshot, extra: { role: string; mode: string; uptimeSeconds: number }): string {
  const p = snap.pipeline;
  const lines: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, value: number | null) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value === null ? 'NaN' : value}`);
  };
  lines.push(`# HELP pulse_info Pulse process information`, `# TYPE pulse_info gauge`, `pulse_info{mode="${extra.mode}",role="${extra.role}"} 1`);
  metric('pulse_uptime_seconds', 'gauge', 'Seconds since this process started', extra.uptimeSeconds);
  metric('pulse_events_accepted_total', 'counter', 'Events accepted by ingest', p.acceptedTotal);
  metric('pulse_events_rejected_total', 'counter', 'Events rejected by validation', p.rejectedTotal);
  metric('pulse_events_duplicate_total', 'counter', 'Events recognised as retries of an accepted event_id', p.duplicatesTotal);
  metric('pulse_events_processed_total', 'counter', 'Events applied to live state', p.processedTotal);
  metric('pulse_dead_letters', 'gauge', 'Records waiting in the dead letters', p.deadLetters);
  metric('pulse_backlog_events', 'gauge', 'Accepted events not yet processed', p.backlog);
  metric('pulse_events_per_second', 'gauge', 'Processed events per second over the last 5 s', p.eventsPerSecond);
  lines.push(
    '# HELP pulse_processing_lag_ms Time from ingest to applied, recent sample',
    '# TYPE pulse_processing_lag_ms summary',
    `pulse_processing_lag_ms{quantile="0.5"} ${p.lagMsP50 ?? 'NaN'}`,
    `pulse_processing_lag_ms{quantile="0.99"} ${p.lagMsP99 ?? 'NaN'}`,
  );
  metric('pulse_freshness_seconds', 'gauge', 'Age of the newest processed event (receive time)', snap.newestReceivedAt === null ? null : (snap.computedAt - snap.newestReceivedAt) / 1000);
  return lines.join('\n') + '\n';
}

/** `GET /metrics`, for scrapers (open like the live snapshot: the same figures, no client data). */
export function createPrometheusHandler(deps: Pick<HttpDeps, 'prometheus'>, authorize: Authorize) {
  return async (ctx: RequestContext) => {
    await authorize(ctx, 'metrics:read');
    sendText(ctx.res, 200, 'text/plain; version=0.0.4; charset=utf-8', await deps.prometheus());
  };
}
