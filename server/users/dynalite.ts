import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import dynalite from 'dynalite';

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
