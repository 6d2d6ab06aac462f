export { ConfigError } from './configError.js';
export { SETTINGS, type SettingName, type Settings } from './settings.js';
export { readSetting, readSettingIfSet, parseSetting } from './readSetting.js';
export { settingsTable, describeDefault } from './settingsTable.js';
export type { Reader, Setting, ValueOf } from './settingKinds.js';
export { settingsHelp } from './settingsHelp.js';
export { redactSecrets } from './redactSecrets.js';
export { readToken, tokenSource, tokenFromFile, tokenFromFileAgain, MIN_TOKEN_LENGTH, type TokenSetting, type TokenSource } from './tokens.js';
