import { io, type Socket } from 'socket.io-client';
import { BENCH_SOCKET_AUTH } from './common';

/**
 * The screens of `npm run bench:fanout`, in their own process (started by fanout.ts with an IPC
 * channel): C socket.io clients that record, per client, when each `metrics` message arrived and
 * which pipeline total it included, and how many bytes reached them. Latencies are computed
 * here once the sender's batches are known. The sockets authenticate with the bench's secret key
 * (`auth: { token }` in the handshake), as a script does, so 300,000 arrivals never cross the IPC channel.
 *
 * Parent → here: {type:'start'} (recording begins), {type:'sent'} (the sender is done: bytes
 * and messages per second are counted up to here), {type:'finish', batches}.
 * Here → parent: {type:'ready'}, {type:'result', …}.
 */
const [url, clientsText] = process.argv.slice(2);
const clientCount = Number(clientsText);

export interface Batch {
  /** epoch ms (high resolution) at which the 202 arrived */
  acceptedAt: number;
  /** processedTotal a snapshot must reach to include this batch */
  target: number;
}

export interface ScreensResult {
  type: 'result';
  samples: number;
  missed: number;
  p50: number;
  p99: number;
  max: number;
  bytesPerSecondPerClient: number;
  messagesPerSecondPerClient: number;
  bytesPerMessage: number;
  /** CPU time of this process over the window ÷ window: above ~0.9 the screens themselves lag */
  cpuShare: number;
}

interface Screen {
  socket: Socket;
  arrivals: number[];
  totals: number[];
  bytes: number;
  messages: number;
  first: boolean;
}

const wallNow = () => performance.timeOrigin + performance.now();
let recording = false;
/** bytes and messages are counted only while events flow, not during the settling heartbeat */
let counting = false;

function open(): Screen {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: BENCH_SOCKET_AUTH });
  // a refused handshake (a missing or wrong key) would otherwise only show as a timeout below
  socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
    console.error(`a screen's socket was refused: ${err.data?.code ?? err.message}`);
    process.exit(1);
  });
  const s: Screen = { socket, arrivals: [], totals: [], bytes: 0, messages: 0, first: false };
  // wire bytes as received (the engine's text frames), counted before socket.io decodes them
  socket.io.on('open', () => {
    socket.io.engine.on('packet', (packet: { data?: unknown }) => {
      if (!counting) return;
      const d = packet.data;
      s.bytes += typeof d === 'string' ? d.length : d instanceof ArrayBuffer ? d.byteLength : 0;
    });
  });
  socket.on('metrics', (m: { pipeline?: { processedTotal?: number } }) => {
    s.first = true;
    if (!recording) return;
    if (counting) s.messages++;
    s.arrivals.push(wallNow());
    s.totals.push(m.pipeline?.processedTotal ?? -1);
  });
  return s;
}

const screens: Screen[] = [];
// connect in waves: 1,000 handshakes at once would measure the accept queue, not delivery
for (let i = 0; i < clientCount; i += 50) {
  for (let j = i; j < Math.min(clientCount, i + 50); j++) screens.push(open());
  await new Promise((r) => setTimeout(r, 50));
}
const deadline = Date.now() + 60_000;
while (!screens.every((s) => s.first)) {
  if (Date.now() > deadline) throw new Error(`only ${screens.filter((s) => s.first).length} of ${clientCount} screens got a snapshot`);
  await new Promise((r) => setTimeout(r, 50));
}
process.send!({ type: 'ready' });

let cpuAtStart = process.cpuUsage();
let startedAt = 0;
let windowMs = 0;
let cpuMs = 0;
process.on('message', (msg: { type: 'start' } | { type: 'sent' } | { type: 'finish'; batches: Batch[] }) => {
  if (msg.type === 'start') {
    recording = counting = true;
    cpuAtStart = process.cpuUsage();
    startedAt = performance.now();
    return;
  }
  if (msg.type === 'sent') {
    counting = false;
    windowMs = performance.now() - startedAt;
    const cpu = process.cpuUsage(cpuAtStart);
    cpuMs = (cpu.user + cpu.system) / 1000;
    return;
  }
  recording = false;
  process.send!(summarise(msg.batches, windowMs, cpuMs / windowMs));
  for (const s of screens) s.socket.close();
  setTimeout(() => process.exit(0), 100);
});

function summarise(batches: Batch[], windowMs: number, cpuShare: number): ScreensResult {
  const latencies = new Float64Array(batches.length * screens.length);
  let n = 0;
  let missed = 0;
  for (const s of screens) {
    // both lists are in time order: one pass per screen
    let k = 0;
    for (const b of batches) {
      while (k < s.totals.length && (s.totals[k] < b.target || s.arrivals[k] < b.acceptedAt)) k++;
      if (k === s.totals.length) missed++;
      else latencies[n++] = s.arrivals[k] - b.acceptedAt;
    }
  }
  const sorted = latencies.subarray(0, n).sort();
  const at = (p: number) => (n ? sorted[Math.min(n - 1, Math.floor((p / 100) * n))] : NaN);
  const bytes = screens.reduce((sum, s) => sum + s.bytes, 0);
  const messages = screens.reduce((sum, s) => sum + s.messages, 0);
  const seconds = windowMs / 1000;
  return {
    type: 'result',
    samples: n,
    missed,
    p50: at(50),
    p99: at(99),
    max: n ? sorted[n - 1] : NaN,
    bytesPerSecondPerClient: bytes / screens.length / seconds,
    messagesPerSecondPerClient: messages / screens.length / seconds,
    bytesPerMessage: messages ? bytes / messages : 0,
    cpuShare,
  };
}
