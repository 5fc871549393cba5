import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import dynalite from 'dynalite';

/**
 * dynalite 4 loses map keys spelled `__proto__`: its request validator rebuilds every map on a
 * plain `{}` (`newVal[key] = …`), where that assignment sets the prototype instead of a key.
 * DynamoDB itself keeps any UTF-8 string as a map key, and the AWS SDK sends and reads such
 * keys intact, so without this the stand-in would hide what the service does. The validator is
 * called through its module's exports, so wrapping that one export puts the dropped keys back
 * (as own properties) after dynalite's checks; the later validations then see them like any
 * other key. Only keys the validator dropped are touched.
 */
function keepProtoKeysInDynalite(): void {
  const validations: { checkTypes: (data: unknown, types: unknown) => unknown; pulsePatched?: true } = createRequire(import.meta.url)('dynalite/validations');
  if (validations.pulsePatched) return;
  const checkTypes = validations.checkTypes;
  validations.checkTypes = (data, types) => {
    const checked = checkTypes(data, types);
    restoreProtoKeys(data, checked);
    return checked;
  };
  validations.pulsePatched = true;
}

function restoreProtoKeys(raw: unknown, checked: unknown): void {
  if (typeof raw !== 'object' || raw === null || typeof checked !== 'object' || checked === null) return;
  for (const [key, value] of Object.entries(raw)) {
    if (key === '__proto__' && !Object.hasOwn(checked, key)) {
      Object.defineProperty(checked, key, { value, enumerable: true, writable: true, configurable: true });
    } else {
      restoreProtoKeys(value, (checked as Record<string, unknown>)[key]);
    }
  }
}

export interface RunningDynalite {
  /** http://127.0.0.1:<port>, for DynamoUserStoreOptions.endpoint */
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts dynalite (a DynamoDB stand-in) in this process, for tests and local runs of the AWS
 * adapters. Port 0 picks a free port. Data lives in memory unless `path` names a folder.
 * Tables are ACTIVE at once (real DynamoDB takes seconds; nobody needs to wait for that here).
 */
export async function startDynalite(opts: { port?: number; path?: string } = {}): Promise<RunningDynalite> {
  keepProtoKeysInDynalite();
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, path: opts.path });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | null = null;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // SDK clients keep idle sockets open; without this close() waits for them to time out
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

// `node --import tsx server/users/dynalite.ts [port] [folder]` runs a stand-in for a local AWS-mode run
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [port, path] = process.argv.slice(2);
  const running = await startDynalite({ port: port ? Number(port) : 4567, path });
  process.stdout.write(`dynalite listening at ${running.endpoint}${path ? ` (data in ${path})` : ' (in memory)'}\n`);
  process.on('SIGINT', () => void running.close().then(() => process.exit(0)));
}
