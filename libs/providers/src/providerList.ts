import type { Provider } from './provider.js';
import { runpod } from './runpod/runpodProvider.js';
import { vast } from './vast/vastProvider.js';

/**
 * Every provider; its name is also its URL scheme. Adding a provider is one line here: the registry,
 * its settings (the key a secret), redaction and what is never sent to a worker all follow from it.
 */
export const PROVIDERS: readonly Provider[] = [runpod, vast];
