/** dynalite ships no types; only the part Pulse uses is declared */
declare module 'dynalite' {
  import type { Server } from 'node:http';

  interface DynaliteOptions {
    /** how long a new table stays CREATING (default 500 ms) */
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    /** LevelDB folder; in memory when unset */
    path?: string;
  }

  export default function dynalite(options?: DynaliteOptions): Server;
}
