import { ConfigError } from './configError.js';
import type { IntegerSetting, Setting, ValueOf } from './settingKinds.js';
import { SETTINGS, type SettingName } from './settings.js';

/**
 * The value of a declared setting, checked against its declaration: unset or empty gives its default; a
 * value that cannot work is a ConfigError with one message that names the setting (and the value, unless
 * it is a secret).
 */
export function readSetting<N extends SettingName>(env: NodeJS.ProcessEnv, name: N): ValueOf<(typeof SETTINGS)[N]> {
  return parseSetting(name, SETTINGS[name] as Setting, env[name]) as ValueOf<(typeof SETTINGS)[N]>;
}

/**
 * The value of a setting the environment sets, or undefined when it is unset or empty: for a choice that
 * depends on whether someone asked (NODETOOL_SERVER_URL makes `workflows run` use a server; its default
 * only says which server the commands that always need one talk to).
 */
export function readSettingIfSet<N extends SettingName>(env: NodeJS.ProcessEnv, name: N): ValueOf<(typeof SETTINGS)[N]> | undefined {
  return env[name]?.trim() ? readSetting(env, name) : undefined;
}

export function parseSetting(name: string, setting: Setting, raw: string | undefined): unknown {
  const value = raw?.trim() ?? '';
  const shown = setting.secret ? '(hidden)' : JSON.stringify(raw);
  if (setting.kind === 'list')
    return value
      ? value
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean)
      : [...(setting.default ?? [])];
  if (!value) return setting.default;
  // A number is read exactly as written: " 5" is refused like "5MB", never quietly taken for 5.
  if (setting.kind === 'integer') return integerOf(name, setting, raw as string, shown);
  switch (setting.kind) {
    case 'text':
      return value;
    case 'flag':
      if (value === '1' || value === 'true') return true;
      if (value === '0' || value === 'false') return false;
      throw new ConfigError(name, `${name} must be 1 or 0, got ${shown}`);
    case 'choice':
      if ((setting.values as readonly string[]).includes(value)) return value;
      throw new ConfigError(name, `${name} must be ${setting.values.map((choice) => JSON.stringify(choice)).join(' or ')}, got ${shown}`);
  }
}

/** Decimal digits only: "10MB", "1e9", "-1" and "0x10" are refused, never half-read (a limit read as NaN turns it off). */
function integerOf(name: string, setting: IntegerSetting, value: string, shown: string): number {
  const unit = setting.unit ? ` of ${setting.unit}` : '';
  if (!/^[0-9]+$/.test(value)) throw new ConfigError(name, `${name} must be a whole number${unit}${setting.note ? ` (${setting.note})` : ''}, got ${shown}`);
  const number = Number(value);
  const max = setting.max ?? Number.MAX_SAFE_INTEGER;
  if (number < setting.min || number > max) {
    throw new ConfigError(name, `${name} must be between ${setting.min} and ${max}${setting.unit ? ` ${setting.unit}` : ''}, got ${number}`);
  }
  return number;
}
