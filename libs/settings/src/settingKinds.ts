/** Who reads a setting: the server, the `nodetool` CLI, the bridge (in both), the worker image's scripts, the released Python worker itself. */
export type Reader = 'server' | 'cli' | 'bridge' | 'image' | 'worker';

interface Base {
  /** One line for the README's settings table and --help. */
  doc: string;
  readBy: readonly Reader[];
  /** A value never printed (a token, a key): errors name the setting only. */
  secret?: boolean;
  /** The default as people read it, where it is not a plain value (a path, "none"). */
  defaultText?: string;
}

export interface IntegerSetting extends Base {
  kind: 'integer';
  default?: number;
  min: number;
  max?: number;
  /** "bytes", "milliseconds", "days": said in errors and the table. */
  unit?: string;
  /** What a special value means ("0 turns it off"). */
  note?: string;
}
export interface FlagSetting extends Base {
  kind: 'flag';
  default: boolean;
}
export interface ChoiceSetting<V extends string = string> extends Base {
  kind: 'choice';
  values: readonly V[];
  default?: V;
}
export interface TextSetting extends Base {
  kind: 'text';
  default?: string;
}
export interface ListSetting extends Base {
  /** Comma-separated; blanks dropped. */
  kind: 'list';
  default?: readonly string[];
}

export type Setting = IntegerSetting | FlagSetting | ChoiceSetting | TextSetting | ListSetting;

/** What reading a setting gives: its type, and undefined only when it has no default. */
export type ValueOf<S extends Setting> = S extends IntegerSetting
  ? S['default'] extends number
    ? number
    : number | undefined
  : S extends FlagSetting
    ? boolean
    : S extends ChoiceSetting<infer V>
      ? S['default'] extends string
        ? V
        : V | undefined
      : S extends ListSetting
        ? string[]
        : S extends TextSetting
          ? S['default'] extends string
            ? string
            : string | undefined
          : never;

export const integer = <const S extends Omit<IntegerSetting, 'kind'>>(setting: S) => ({ ...setting, kind: 'integer' as const });
export const flag = <const S extends Omit<FlagSetting, 'kind'>>(setting: S) => ({ ...setting, kind: 'flag' as const });
export const choice = <const V extends string, const S extends Omit<ChoiceSetting<V>, 'kind'>>(setting: S & { values: readonly V[] }) => ({
  ...setting,
  kind: 'choice' as const,
});
export const text = <const S extends Omit<TextSetting, 'kind'>>(setting: S) => ({ ...setting, kind: 'text' as const });
export const list = <const S extends Omit<ListSetting, 'kind'>>(setting: S) => ({ ...setting, kind: 'list' as const });
