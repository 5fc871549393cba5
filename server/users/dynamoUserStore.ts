import {
  type AttributeValue,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { UserAnalytics } from '@/server/ports';
import { assertValidDelta, averagePurchase } from './delta';
import type { UserDelta, UserStore } from './userStore';

export interface DynamoUserStoreOptions {
  tableName: string;
  region: string;
  /** a local stand-in such as dynalite; unset = the real service of the region */
  endpoint?: string;
}

type Item = Record<string, AttributeValue>;

/**
 * An update expression must stay under DynamoDB's 4 KB limit; one event type costs ~45
 * characters, so a delta with more types is written in parts (see `apply`).
 */
const MAX_TYPES_PER_UPDATE = 60;
const MISSING_MAP = 'document path provided in the update expression is invalid';
/** plain attribute names as placeholders: `at` is a reserved word, the rest are kept uniform */
const NAMES = {
  '#e': 'events_by_type',
  '#tok': 'last_token',
  '#last': 'last_activity',
  '#iso': 'last_activity_iso',
  '#total': 'total_events',
  '#pc': 'purchase_count',
  '#ltv': 'lifetime_value_cents',
  '#loc': 'last_location',
  '#at': 'at',
};

/**
 * The per-user store in DynamoDB (AWS mode): the reference pipeline's "user-analytics" item,
 * keyed by `user_id`, with `last_token` recording the last applied delta.
 *
 * Every effect of a delta and its token are written by one conditional UpdateItem, so a crash
 * can never leave a delta half-applied. DynamoDB's SET cannot take a maximum, so the update
 * first assumes the delta is the newest (the usual case: one write) and makes that a condition
 * (`last_activity <= :ts`, `last_location.at <= :at`); when the condition fails, the item read
 * back tells whether the token was already applied or which of the two to leave out, and the
 * update is sent again without them.
 */
export class DynamoUserStore implements UserStore {
  readonly kind = 'dynamodb';
  private readonly client: DynamoDBClient;

  constructor(private readonly opts: DynamoUserStoreOptions) {
    this.client = new DynamoDBClient({
      region: opts.region,
      endpoint: opts.endpoint,
      // a stand-in accepts any key, but the SDK refuses to sign without one; against AWS the
      // default provider chain (environment, profile, instance or Lambda role) is used
      credentials: opts.endpoint
        ? { accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local' }
        : undefined,
    });
  }

  /** creates the table (on-demand capacity) unless it exists, and waits until it is ACTIVE */
  async ensureTable(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const TableName = this.opts.tableName;
    for (;;) {
      let status: string | undefined;
      try {
        const { Table } = await this.client.send(new DescribeTableCommand({ TableName }));
        const key = Table?.KeySchema?.find((k) => k.KeyType === 'HASH')?.AttributeName;
        if (key !== 'user_id') throw new Error(`DynamoDB table ${TableName} exists but is keyed by ${key}, not user_id: choose another table name`);
        status = Table?.TableStatus;
      } catch (err) {
        if (errorName(err) !== 'ResourceNotFoundException') throw err;
        await this.client
          .send(
            new CreateTableCommand({
              TableName,
              BillingMode: 'PAY_PER_REQUEST',
              AttributeDefinitions: [{ AttributeName: 'user_id', AttributeType: 'S' }],
              KeySchema: [{ AttributeName: 'user_id', KeyType: 'HASH' }],
            }),
          )
          // another process created it first: fine, wait for it like for our own
          .catch((e: unknown) => {
            if (errorName(e) !== 'ResourceInUseException') throw e;
          });
      }
      if (status === 'ACTIVE') return;
      if (Date.now() > deadline) throw new Error(`DynamoDB table ${TableName} is not ACTIVE after ${timeoutMs} ms (status ${status ?? 'unknown'})`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /**
   * A delta with more event types than one expression holds is written in parts, each part
   * recording a part token (`<token>/<i>`) and requiring the previous part's, so a retry resumes
   * after the last part written; the counters, maxima and the real token go with the last part.
   */
  async apply(delta: UserDelta, token: string): Promise<'applied' | 'already-applied'> {
    assertValidDelta(delta);
    const types = Object.entries(delta.byType).filter(([, n]) => n > 0);
    const parts: [string, number][][] = [];
    for (let i = 0; i < types.length; i += MAX_TYPES_PER_UPDATE) parts.push(types.slice(i, i + MAX_TYPES_PER_UPDATE));
    if (parts.length === 0) parts.push([]);
    const tokens = parts.map((_, i) => (i === parts.length - 1 ? token : `${token}/${i}`));

    let part = 0;
    let wrote = false;
    const include = { last: true, location: delta.location !== null };
    for (let attempt = 0; attempt < parts.length + 6; attempt++) {
      try {
        await this.client.send(new UpdateItemCommand(this.update(delta, parts, tokens, part, include)));
        wrote = true;
        if (++part === parts.length) return 'applied';
        continue;
      } catch (err) {
        const name = errorName(err);
        if (name === 'ValidationException' && err instanceof Error && err.message.includes(MISSING_MAP)) {
          await this.createTypeMap(delta.userId);
          continue;
        }
        if (name !== 'ConditionalCheckFailedException') throw err;
        const old = conditionItem(err) ?? (await this.getItem(delta.userId));
        const oldToken = old?.last_token?.S;
        if (oldToken === token) return wrote ? 'applied' : 'already-applied';
        const done = oldToken === undefined ? -1 : tokens.indexOf(oldToken);
        if (done >= part) part = done + 1; // an earlier attempt wrote these parts
        else if (done !== part - 1) throw new Error(`user ${delta.userId} was changed by another delta (token ${oldToken}) while part ${part} of ${token} was written`);
        include.last = !old?.last_activity?.N || Number(old.last_activity.N) <= delta.lastActivity;
        const oldAt = old?.last_location?.M?.at?.N;
        include.location = delta.location !== null && (!oldAt || Number(oldAt) <= delta.location.at);
      }
    }
    throw new Error(`user ${delta.userId}: delta ${token} could not be written after repeated conditional failures`);
  }

  private update(delta: UserDelta, parts: [string, number][][], tokens: string[], part: number, include: { last: boolean; location: boolean }) {
    const values: Item = { ':tok': { S: tokens[part] } };
    const names: Record<string, string> = { '#tok': NAMES['#tok'] };
    const set = ['#tok = :tok'];
    const add: string[] = [];
    const conditions: string[] = [];
    if (part > 0) {
      values[':prev'] = { S: tokens[part - 1] };
      conditions.push('#tok = :prev');
    } else if (tokens.length === 1) {
      conditions.push('(attribute_not_exists(#tok) OR #tok <> :tok)');
    } else {
      tokens.forEach((t, i) => (values[`:k${i}`] = { S: t }));
      conditions.push(`(attribute_not_exists(#tok) OR NOT (#tok IN (${tokens.map((_, i) => `:k${i}`).join(', ')})))`);
    }
    if (parts[part].length > 0) {
      names['#e'] = NAMES['#e'];
      values[':zero'] = { N: '0' };
    }
    parts[part].forEach(([type, n], i) => {
      names[`#t${i}`] = type;
      values[`:n${i}`] = { N: String(n) };
      set.push(`#e.#t${i} = if_not_exists(#e.#t${i}, :zero) + :n${i}`);
    });
    if (part === parts.length - 1) {
      Object.assign(names, { '#total': NAMES['#total'], '#pc': NAMES['#pc'], '#ltv': NAMES['#ltv'] });
      Object.assign(values, { ':ev': { N: String(delta.events) }, ':pc': { N: String(delta.purchases) }, ':rev': { N: String(delta.revenueCents) } });
      add.push('#total :ev', '#pc :pc', '#ltv :rev');
      if (include.last) {
        Object.assign(names, { '#last': NAMES['#last'], '#iso': NAMES['#iso'] });
        values[':ts'] = { N: String(delta.lastActivity) };
        values[':iso'] = { S: new Date(delta.lastActivity).toISOString() };
        set.push('#last = :ts', '#iso = :iso');
        conditions.push('(attribute_not_exists(#last) OR #last <= :ts)');
      }
      if (include.location && delta.location) {
        const l = delta.location;
        Object.assign(names, { '#loc': NAMES['#loc'], '#at': NAMES['#at'] });
        values[':at'] = { N: String(l.at) };
        values[':loc'] = { M: { country: l.country === null ? { NULL: true } : { S: l.country }, lat: num(l.lat), lon: num(l.lon), at: { N: String(l.at) } } };
        set.push('#loc = :loc');
        conditions.push('(attribute_not_exists(#loc) OR #loc.#at <= :at)');
      }
    }
    return {
      TableName: this.opts.tableName,
      Key: { user_id: { S: delta.userId } },
      UpdateExpression: `SET ${set.join(', ')}` + (add.length ? ` ADD ${add.join(', ')}` : ''),
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    };
  }

  /** a nested SET needs its map to exist; creating it is harmless when another writer won */
  private async createTypeMap(userId: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.opts.tableName,
          Key: { user_id: { S: userId } },
          UpdateExpression: 'SET #e = :empty',
          ConditionExpression: 'attribute_not_exists(#e)',
          ExpressionAttributeNames: { '#e': NAMES['#e'] },
          ExpressionAttributeValues: { ':empty': { M: {} } },
        }),
      );
    } catch (err) {
      if (errorName(err) !== 'ConditionalCheckFailedException') throw err;
    }
  }

  private async getItem(userId: string): Promise<Item | undefined> {
    const out = await this.client.send(new GetItemCommand({ TableName: this.opts.tableName, Key: { user_id: { S: userId } }, ConsistentRead: true }));
    return out.Item;
  }

  async get(userId: string): Promise<UserAnalytics | null> {
    const item = await this.getItem(userId);
    // an item holding only the type map, or only early parts of a delta, has no totals yet
    if (!item?.total_events?.N) return null;
    const eventsByType: Record<string, number> = {};
    for (const [type, v] of Object.entries(item.events_by_type?.M ?? {})) if (v.N !== undefined) eventsByType[type] = Number(v.N);
    const purchaseCount = Number(item.purchase_count?.N ?? 0);
    const lifetimeValueCents = Number(item.lifetime_value_cents?.N ?? 0);
    const loc = item.last_location?.M;
    return {
      userId,
      lastActivity: Number(item.last_activity?.N ?? 0),
      totalEvents: Number(item.total_events.N),
      eventsByType,
      purchaseCount,
      lifetimeValueCents,
      averagePurchaseCents: averagePurchase(lifetimeValueCents, purchaseCount),
      lastLocation: loc?.at?.N
        ? { country: loc.country?.S ?? null, lat: numOrNull(loc.lat), lon: numOrNull(loc.lon), at: Number(loc.at.N) }
        : null,
    };
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

function num(v: number | null): AttributeValue {
  return v === null ? { NULL: true } : { N: String(v) };
}

function numOrNull(v: AttributeValue | undefined): number | null {
  return v?.N !== undefined ? Number(v.N) : null;
}

function errorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}

/** the item DynamoDB returns with a failed condition (dynalite does not, hence the fallback read) */
function conditionItem(err: unknown): Item | undefined {
  return err !== null && typeof err === 'object' && 'Item' in err ? (err.Item as Item | undefined) : undefined;
}
