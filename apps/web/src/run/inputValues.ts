import type { AssetRef, WorkflowInput } from '@nt/api-contract';

/** What a person has entered for one input: text (numbers and lists too), a tick, a file or a URL for media. */
export interface InputDraft {
  text?: string;
  checked?: boolean;
  file?: File | null;
  url?: string;
}

export const MEDIA_ACCEPT: Record<string, string> = { image: 'image/*', audio: 'audio/*', video: 'video/*', document: '' };

export const isMediaInput = (input: WorkflowInput) => input.type in MEDIA_ACCEPT;

/** The form as it opens: each input's saved value, media empty. */
export function initialDrafts(inputs: readonly WorkflowInput[]): Record<string, InputDraft> {
  const drafts: Record<string, InputDraft> = {};
  for (const input of inputs) {
    if (isMediaInput(input)) drafts[input.name] = { file: null, url: '' };
    else if (input.type === 'bool') drafts[input.name] = { checked: input.default === true };
    else drafts[input.name] = { text: textOf(input.default) };
  }
  return drafts;
}

function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.join('\n');
  if (typeof value === 'object' && typeof (value as { repo_id?: unknown }).repo_id === 'string') return (value as { repo_id: string }).repo_id;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

/**
 * The run's params from the form, each typed as its input takes it, files uploaded first (`upload`);
 * or what is wrong, by input. A media input left empty is left out when it has a saved value, and is a
 * problem when the workflow needs one. The server checks every value again.
 */
export async function paramsOf(
  inputs: readonly WorkflowInput[],
  drafts: Record<string, InputDraft>,
  upload: (file: File) => Promise<AssetRef>,
): Promise<{ params: Record<string, unknown> } | { problems: string[] }> {
  const params: Record<string, unknown> = {};
  const problems: string[] = [];
  const files: Array<[name: string, file: File]> = [];
  for (const input of inputs) {
    const draft = drafts[input.name] ?? {};
    if (isMediaInput(input)) {
      const url = draft.url?.trim() ?? '';
      if (draft.file) files.push([input.name, draft.file]);
      else if (url) {
        if (/^https?:\/\//i.test(url)) params[input.name] = url;
        else problems.push(`${input.name}: a URL starts with http:// or https://`);
      } else if (input.required) problems.push(`${input.name}: choose a file or give a URL`);
      continue;
    }
    if (input.type === 'bool') {
      params[input.name] = draft.checked === true;
      continue;
    }
    const text = draft.text ?? '';
    if (input.type === 'int' || input.type === 'float') {
      const number = Number(text);
      if (text.trim() === '' || !Number.isFinite(number) || (input.type === 'int' && !Number.isInteger(number)))
        problems.push(`${input.name}: ${input.type === 'int' ? 'a whole number' : 'a number'} is needed`);
      else params[input.name] = number;
    } else if (input.type === 'list[str]') params[input.name] = text.split('\n').filter((line) => line.trim() !== '');
    else if (input.type === 'str' || input.type === 'hf.model') params[input.name] = text;
    else {
      try {
        params[input.name] = JSON.parse(text);
      } catch {
        problems.push(`${input.name}: a JSON value is needed`);
      }
    }
  }
  if (problems.length) return { problems };
  for (const [name, file] of files) params[name] = await upload(file);
  return { params };
}
