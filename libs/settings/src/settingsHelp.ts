import type { Reader, Setting } from './settingKinds.js';
import { SETTINGS } from './settings.js';
import { describeDefault } from './settingsTable.js';

/** The settings `readers` use (of the declared ones, or of those given), one per line, for a --help: name, default, what it does. */
export function settingsHelp(readers: readonly Reader[], settings: Record<string, Setting> = SETTINGS): string {
  const chosen = Object.entries(settings).filter(([, setting]) => setting.readBy.some((reader) => readers.includes(reader)));
  const width = Math.max(...chosen.map(([name]) => name.length));
  return chosen.map(([name, setting]) => `  ${name.padEnd(width)}  ${setting.doc} (default: ${describeDefault(setting).replace(/`/g, '')})`).join('\n');
}
