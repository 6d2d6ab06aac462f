import type { BuiltinNode } from '../nodeExecutor.js';
import { builtinMetadata } from './metadata.js';

/** What every input node has besides its value (nodetool's declarations). */
const NAME = ['name', 'str', ''] as const;
const DESCRIPTION = ['description', 'str', ''] as const;

/**
 * An input node: where a run takes a parameter. A run's `params` bind to it by its `name` (they
 * replace its `value`, checked against its type before the run: runInputs.ts); it emits the value on
 * `output`. Names, fields and outputs are nodetool's, so its workflows load as they are.
 */
function input(
  name: string,
  type: string,
  fallback: unknown,
  description: string,
  extra: Array<[name: string, type: string, defaultValue?: unknown]> = [],
  run: (value: unknown, values: Record<string, unknown>) => unknown = (value) => value,
): BuiltinNode {
  return {
    metadata: builtinMetadata(`nodetool.input.${name}`, description, [[...NAME], ['value', type, fallback], [...DESCRIPTION], ...extra], [['output', type]]),
    async run(values) {
      return { output: run(values['value'] ?? fallback, values) };
    },
  };
}

const emptyRef = (type: string) => ({ type, uri: '', asset_id: null, data: null, metadata: null });

export const inputNodes: BuiltinNode[] = [
  input(
    'StringInput',
    'str',
    '',
    'A text parameter of the workflow.',
    [
      ['max_length', 'int', 0],
      ['line_mode', 'str', 'single_line'],
    ],
    // nodetool cuts the text to max_length (0: no limit).
    (value, values) => {
      const max = Number(values['max_length'] ?? 0);
      const text = String(value);
      return max > 0 && text.length > max ? text.slice(0, max) : text;
    },
  ),
  input('IntegerInput', 'int', 0, 'A whole-number parameter of the workflow.', [
    ['min', 'int', 0],
    ['max', 'int', 99_999],
  ]),
  input('FloatInput', 'float', 0, 'A number parameter of the workflow.', [
    ['min', 'float', 0],
    ['max', 'float', 99_999],
  ]),
  input('BooleanInput', 'bool', false, 'A true/false parameter of the workflow.'),
  input('SelectInput', 'str', '', 'A parameter chosen from a list of options.', [
    ['options', 'list[str]', []],
    ['enum_type_name', 'str', ''],
  ]),
  input('StringListInput', 'list[str]', [], 'A list of texts as a parameter of the workflow.'),
  input('TextListInput', 'list[str]', [], 'A list of texts as a parameter of the workflow.'),
  input('ImageInput', 'image', emptyRef('image'), 'An image the workflow takes: an asset, a URL or a file given at run time.'),
  input('AudioInput', 'audio', emptyRef('audio'), 'A sound the workflow takes: an asset, a URL or a file given at run time.'),
  input('VideoInput', 'video', emptyRef('video'), 'A video the workflow takes: an asset, a URL or a file given at run time.'),
  input('DocumentInput', 'document', emptyRef('document'), 'A document the workflow takes: an asset, a URL or a file given at run time.'),
  input('ImageListInput', 'list[image]', [], 'A list of images the workflow takes.'),
  input('AudioListInput', 'list[audio]', [], 'A list of sounds the workflow takes.'),
  input('VideoListInput', 'list[video]', [], 'A list of videos the workflow takes.'),
  input('HuggingFaceModelInput', 'hf.model', { type: 'hf.model', repo_id: '' }, 'A Hugging Face model as a parameter of the workflow.'),
];
