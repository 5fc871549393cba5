import { z } from 'zod';
import { actorOf, type Authorize } from './authorize';
import { readJsonBody } from './jsonBody';
import type { HttpDeps } from './deps';
import { HttpError } from './errors';
import { sendJson } from './respond';
import type { RequestContext } from './router';

const MAX_BODY_BYTES = 1024 * 1024;

const stockSchema = z.object({
  items: z
    .array(
      z.object({
        product_id: z.string().min(1).max(128),
        stock: z.number().int({ error: 'must be a whole number' }).min(0).max(1_000_000_000),
      }),
    )
    .min(1)
    .max(5000),
});

/**
 * `POST /api/inventory` — the shop's back end sets stock levels: {"items":[{"product_id","stock"}]}.
 * Needs a secret key or a signed-in admin: the publishable key ships in shop pages, and anyone holding it could otherwise
 * zero every product's stock and fire low-stock alerts.
 */
export function createInventoryHandler(deps: Pick<HttpDeps, 'setStock' | 'onStateChanged' | 'audit'>, authorize: Authorize) {
  return async (ctx: RequestContext) => {
    const principal = await authorize(ctx, 'inventory:write');
    const parsed = stockSchema.safeParse(await readJsonBody(ctx.req, MAX_BODY_BYTES));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HttpError('invalid_inventory', `${issue.path.join('.')}: ${issue.message}`);
    }
    for (const item of parsed.data.items) await deps.setStock(item.product_id, item.stock);
    deps.onStateChanged();
    const items = parsed.data.items;
    await deps.audit({ actor: actorOf(principal), action: 'inventory.set', target: { kind: 'inventory', id: items.length === 1 ? items[0].product_id : `${items.length} products` }, after: { items: items.slice(0, 50) } });
    sendJson(ctx.res, 200, { updated: items.length });
  };
}
