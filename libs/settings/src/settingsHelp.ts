import type { Reader, Setting } from './settingKinds.js';
import { SETTINGS } from './settings.js';
import { describeDefault } from './settingsTable.js';

/** The settings `readers` use, one per line, for a --help: name, default, what it does. */
export function settingsHelp(readers: readonly Reader[]): string {
  const chosen = Object.entries(SETTINGS as Record<string, Setting>).filter(([, setting]) => setting.readBy.some((reader) => readers.includes(reader)));
  const width = Math.max(...chosen.map(([name]) => name.length));
  return chosen.map(([name, setting]) => `  ${name.padEnd(width)}  ${setting.doc} (default: ${describeDefault(setting).replace(/`/g, '')})`).join('\n');
}
