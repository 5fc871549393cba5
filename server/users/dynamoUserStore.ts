import {
  type AttributeValue,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { KnownLocationOut, UserAnalytics, UserRecord, UserStore } from '@/server/ports';
import { toUserAnalytics } from '@/server/pipeline/userRecords';

export interface DynamoUserStoreOptions {
  tableName: string;
  region: string;
  /** a local stand-in such as dynalite; unset = the real service of the region */
  endpoint?: string;
}

type Item = Record<string, AttributeValue>;

/**
 * The per-user store in DynamoDB (AWS mode): the reference pipeline's "user-analytics" item,
 * keyed by `user_id`: `last_activity` (+ `last_activity_iso` for people reading the table),
 * `total_events`, `events_by_type` (a map type → count), `purchase_count`,
 * `lifetime_value_cents`, `average_purchase_cents` (NULL before the first purchase),
 * `last_location`, plus `version` and `recent_purchase_times`, so the item is a complete copy of
 * the live store's UserRecord.
 *
 * Each put replaces the whole item, conditional on the stored version being lower. That one
 * condition makes every write idempotent and order-proof: a retry, a duplicate from a second
 * flusher, or an older copy that arrives late is refused ('stale') and changes nothing.
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

  async put(record: UserRecord): Promise<'written' | 'stale'> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.opts.tableName,
          Item: toItem(record),
          ConditionExpression: 'attribute_not_exists(#k) OR #v < :v',
          ExpressionAttributeNames: { '#k': 'user_id', '#v': 'version' },
          ExpressionAttributeValues: { ':v': { N: String(record.version) } },
        }),
      );
      return 'written';
    } catch (err) {
      if (errorName(err) === 'ConditionalCheckFailedException') return 'stale';
      throw err;
    }
  }

  async get(userId: string): Promise<UserAnalytics | null> {
    const out = await this.client.send(new GetItemCommand({ TableName: this.opts.tableName, Key: { user_id: { S: userId } }, ConsistentRead: true }));
    return out.Item ? toUserAnalytics(fromItem(userId, out.Item)) : null;
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

function toItem(r: UserRecord): Item {
  const valued = r.valuedPurchaseCount ?? r.purchaseCount;
  const average = valued > 0 ? Math.round(r.lifetimeValueMinor / valued) : null;
  return {
    user_id: { S: r.userId },
    version: n(r.version),
    last_activity: n(r.lastActivity),
    last_activity_iso: { S: new Date(r.lastActivity).toISOString() },
    total_events: n(r.totalEvents),
    // fromEntries defines own properties, so a type spelled "__proto__" is a key like any other
    events_by_type: { M: Object.fromEntries(r.eventsByType.map(([type, count]): [string, AttributeValue] => [type, n(count)])) },
    purchase_count: n(r.purchaseCount),
    valued_purchase_count: n(valued),
    // attribute names predate shop currencies: *_cents hold minor units of the shop currency
    lifetime_value_cents: n(r.lifetimeValueMinor),
    average_purchase_cents: average === null ? { NULL: true } : n(average),
    last_location: r.lastLocation ? { M: locationItem(r.lastLocation) } : { NULL: true },
    recent_purchase_times: { L: r.recentPurchaseTimes.map(n) },
  };
}

function locationItem(l: KnownLocationOut): Item {
  return {
    country: l.country === null ? { NULL: true } : { S: l.country },
    lat: l.lat === null ? { NULL: true } : n(l.lat),
    lon: l.lon === null ? { NULL: true } : n(l.lon),
    at: n(l.at),
  };
}

/** the item back as a record; every attribute is read by name, never merged into an object */
function fromItem(userId: string, item: Item): UserRecord {
  const loc = item.last_location?.M;
  return {
    userId,
    version: num(item.version),
    lastActivity: num(item.last_activity),
    totalEvents: num(item.total_events),
    // Object.entries of the map as the SDK returns it; the pairs never pass through a plain object
    eventsByType: Object.entries(item.events_by_type?.M ?? {}).map(([type, v]): [string, number] => [type, num(v)]),
    purchaseCount: num(item.purchase_count),
    valuedPurchaseCount: item.valued_purchase_count ? num(item.valued_purchase_count) : undefined,
    lifetimeValueMinor: num(item.lifetime_value_cents),
    lastLocation: loc
      ? { country: loc.country?.S ?? null, lat: numOrNull(loc.lat), lon: numOrNull(loc.lon), at: num(loc.at) }
      : null,
    recentPurchaseTimes: (item.recent_purchase_times?.L ?? []).map(num),
  };
}


function n(value: number): AttributeValue {
  return { N: String(value) };
}

function num(v: AttributeValue | undefined): number {
  return v?.N !== undefined ? Number(v.N) : 0;
}

function numOrNull(v: AttributeValue | undefined): number | null {
  return v?.N !== undefined ? Number(v.N) : null;
}

function errorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}
