import type { DeadLetter, DeadLetterStore } from '@/server/ports';

const MAX_KEPT = 10_000;

/** Dead letters in process memory (embedded mode), the oldest dropped past 10,000. */
export class MemoryDeadLetters implements DeadLetterStore {
  private letters: DeadLetter[] = [];
  private seq = 0;

  async add(letters: Omit<DeadLetter, 'id'>[]): Promise<void> {
    for (const l of letters) this.letters.push({ ...l, id: `dl-${++this.seq}` });
    if (this.letters.length > MAX_KEPT) this.letters = this.letters.slice(-MAX_KEPT);
  }

  async list(limit: number): Promise<DeadLetter[]> {
    return this.letters.slice(-limit).reverse();
  }

  async count(): Promise<number> {
    return this.letters.length;
  }

  async peek(id: string): Promise<DeadLetter | null> {
    return this.letters.find((l) => l.id === id) ?? null;
  }

  async take(id: string): Promise<DeadLetter | null> {
    const i = this.letters.findIndex((l) => l.id === id);
    return i < 0 ? null : this.letters.splice(i, 1)[0];
  }
}
