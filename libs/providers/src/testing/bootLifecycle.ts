/** An instance the fixture created or started: the test boots a real worker for it and says where it listens. */
export interface FixtureBoot {
  provider: string;
  id: string;
  /** The environment the container would start with, exactly as the provider passes it (the worker token among it). */
  env: Record<string, string>;
  /** The image it was created with. */
  image: string;
}

/** Where a booted instance's worker listens: a real process or container the test started. */
export interface BootedWorker {
  host: string;
  port: number;
  /** The port the worker serves on inside the instance (the private side of the mapping); default 7777. */
  privatePort?: number;
}

export interface FixtureLifecycle {
  /** How long a created or started instance takes to "boot" before onBoot is called. */
  bootDelayMs?: number;
  /** Start the instance's worker (a real process or container); its address becomes the instance's port mapping. */
  onBoot?: (boot: FixtureBoot) => Promise<BootedWorker | 'crash'>;
  /** The instance stopped or was destroyed: stop its worker. */
  onHalt?: (boot: FixtureBoot) => Promise<void>;
}

/** One operation a fixture executed, with its arguments as the provider would have resolved them. */
export interface FixtureCall {
  provider: string;
  operation: string;
  args: Record<string, unknown>;
}

/** Boots and halts fixture instances through the test's hooks, after the boot delay; close() cancels pending boots. */
export class BootLifecycle {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly hooks: FixtureLifecycle) {}

  boot(boot: FixtureBoot, done: (at: Required<BootedWorker> | 'crash') => void): void {
    const timer = setTimeout(async () => {
      this.timers.delete(timer);
      const at = this.hooks.onBoot ? await this.hooks.onBoot(boot).catch(() => 'crash' as const) : 'crash';
      done(at === 'crash' ? at : { privatePort: 7777, ...at });
    }, this.hooks.bootDelayMs ?? 200);
    this.timers.add(timer);
  }

  halt(boot: FixtureBoot): void {
    void this.hooks.onHalt?.(boot);
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
