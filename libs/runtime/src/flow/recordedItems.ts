/** A text chunk as nodetool's Chunk serializes: `{type: "chunk", content, content_type, done, …}`. */
export interface TextChunk {
  type: 'chunk';
  content: string;
  content_type?: string;
  done?: boolean;
}

export function isTextChunk(value: unknown): value is TextChunk {
  if (value === null || typeof value !== 'object') return false;
  const chunk = value as Record<string, unknown>;
  return chunk['type'] === 'chunk' && typeof chunk['content'] === 'string' && (chunk['content_type'] === undefined || chunk['content_type'] === 'text');
}

/**
 * The items of one output (or one sink) as a run's record keeps them: the last `max` of them, in order,
 * and how many came before those (memory stays flat however long the stream). A stream of text chunks
 * is recorded as their text joined, which is what a reader of the record wants from an LLM's tokens.
 */
export class RecordedItems {
  private readonly kept: unknown[] = [];
  private start = 0;
  private count = 0;
  private allText = true;

  constructor(private readonly max: number) {}

  push(value: unknown): void {
    this.count++;
    if (this.allText && !isTextChunk(value)) this.allText = false;
    if (this.max <= 0) return;
    if (this.kept.length < this.max) this.kept.push(value);
    else {
      // A ring: the oldest is overwritten, nothing is shifted.
      this.kept[this.start] = value;
      this.start = (this.start + 1) % this.max;
    }
  }

  /** Items received. */
  get items(): number {
    return this.count;
  }

  /** Items received before the ones kept, left out of the record. */
  get leftOut(): number {
    return this.count - this.kept.length;
  }

  /** The kept items in order, or the text they make when every item was a text chunk. */
  value(): unknown {
    const ordered = [...this.kept.slice(this.start), ...this.kept.slice(0, this.start)];
    if (this.count > 0 && this.allText) return ordered.map((chunk) => (chunk as TextChunk).content).join('');
    return ordered;
  }
}
