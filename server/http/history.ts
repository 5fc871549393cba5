import { toCsv, type HistoryResult } from '@/lib/history';
import type { HistoryService } from '@/server/history/service';
import type { Authorize } from './authorize';
import { HttpError } from './errors';
import { sendJson } from './respond';
import type { RequestContext } from './router';

/**
 * `GET /api/history` (the views, shop and limits the /history page needs first) and
 * `GET /api/history/:view?from=…&to=…&granularity=…&limit=…&min_score=…&format=json|csv`.
 *
 * Analysts and admins (or a secret key) only: history holds per-product and per-country money.
 *
 * A client that goes away before the answer cancels its query (DuckDB interrupt, Athena
 * StopQueryExecution). The response's 'close' is what tells: the request's own 'close' fires as
 * soon as its (empty) body has been read, not when the socket goes.
 */
export function createHistoryHandlers(history: HistoryService, authorize: Authorize) {
  return {
    async index(ctx: RequestContext): Promise<void> {
      await authorize(ctx, 'history:read');
      sendJson(ctx.res, 200, history.index());
    },

    async view(ctx: RequestContext): Promise<void> {
      await authorize(ctx, 'history:read');
      const { res } = ctx;
      const controller = new AbortController();
      const onClose = () => {
        if (!res.writableEnded) controller.abort();
      };
      res.on('close', onClose);
      let result: HistoryResult;
      try {
        result = await history.query(ctx.params.view, ctx.query, controller.signal);
      } catch (err) {
        if ((err as Error)?.name === 'AbortError') {
          // nobody is listening any more; if the socket is somehow still there, say so
          if (!res.headersSent && !res.destroyed) throw new HttpError('bad_request', 'the query was cancelled');
          res.destroy();
          return;
        }
        throw err;
      } finally {
        res.off('close', onClose);
      }
      if (res.destroyed) return;
      if (ctx.query.get('format') === 'csv') sendCsv(res, result);
      else sendJson(res, 200, result);
    },
  };
}

/** time columns as ISO 8601 instants (UTC), everything else as the JSON answer has it */
function sendCsv(res: RequestContext['res'], result: HistoryResult): void {
  const times = result.columns.map((c) => c.kind === 'time');
  const rows = result.rows.map((r) => r.map((v, i) => (times[i] && typeof v === 'number' ? new Date(v).toISOString() : v)));
  const body = toCsv(result.columns, rows);
  const name = `pulse-${result.view}-${stamp(result.from)}-${stamp(result.to)}.csv`;
  res.writeHead(200, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${name}"`,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

/** 20261201T0930Z: a file-name-safe UTC instant (the view and range are only ASCII we made) */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\d\d\.\d{3}Z$/, 'Z');
}
