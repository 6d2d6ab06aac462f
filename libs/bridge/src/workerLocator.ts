/**
 * Worker URLs whose address is known only at run time: a cloud instance named by its id
 * (`runpod://<pod>`). Another library knows which schemes these are and how to ask where the worker
 * is now (`@nt/providers`); the bridge only asks it, and knows no provider itself.
 */
export interface WorkerLocator {
  /** The schemes it handles, without `://` (for messages: "must start with ws://, wss:// or …"). */
  readonly schemes: readonly string[];
  /** Whether `url` is one of its own. */
  handles(url: string): boolean;
  /** Checks such a URL, throwing a ConfigError naming `setting` for a mistake. */
  check(url: string, setting: string): void;
  /**
   * The resolveUrl() of such a URL: where the worker listens now, as ws:// or wss://. Built at once, so
   * a missing key is a ConfigError before anything connects.
   */
  resolver(url: string, env: NodeJS.ProcessEnv): (purpose?: 'connect' | 'probe') => Promise<string>;
}

/** The schemes a worker URL may have, for messages. */
export function knownSchemes(locator: WorkerLocator | undefined): string {
  const schemes = ['ws', 'wss', ...(locator?.schemes ?? [])].map((scheme) => `${scheme}://`);
  return schemes.length > 2 ? `${schemes.slice(0, -1).join(', ')} or ${schemes.at(-1)}` : schemes.join(' or ');
}
