import type { Setting } from './settingKinds.js';
import { SETTINGS } from './settings.js';

/** The README's settings table, from the declarations (and those the caller adds, the providers'): one row per setting. */
export function settingsTable(settings: Record<string, Setting> = SETTINGS): string {
  const rows = Object.entries(settings).map(
    ([name, setting]) => `| \`${name}\` | ${setting.readBy.join(', ')} | ${describeDefault(setting)} | ${setting.doc} |`,
  );
  return ['| setting | read by | default | what |', '|---|---|---|---|', ...rows].join('\n');
}

export function describeDefault(setting: Setting): string {
  if (setting.defaultText) return setting.defaultText;
  if (setting.default === undefined) return 'unset';
  if (setting.kind === 'flag') return setting.default ? '1' : '0';
  if (setting.kind === 'list') return setting.default?.length ? `\`${setting.default.join(',')}\`` : 'empty';
  if (setting.kind === 'integer') return `${setting.default}${setting.unit ? ` ${setting.unit}` : ''}`;
  return `\`${setting.default}\``;
}
