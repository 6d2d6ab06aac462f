import { describe, expect, it } from 'vitest';
import type { AssetRef, WorkflowInput } from '@nt/api-contract';
import { initialDrafts, paramsOf } from './inputValues.js';

const input = (name: string, type: string, extra: Partial<WorkflowInput> = {}): WorkflowInput => ({
  name,
  node_id: name,
  node_type: 'nodetool.input.X',
  type,
  description: '',
  required: false,
  ...extra,
});
const ref: AssetRef = { type: 'asset', id: 'c'.repeat(64), content_type: 'image/png', size: 4, url: `/api/assets/${'c'.repeat(64)}` };

describe('the inputs form', () => {
  const inputs = [
    input('steps', 'int', { default: 4 }),
    input('scale', 'float', { default: 0.5 }),
    input('prompt', 'str', { default: 'a cat' }),
    input('sharp', 'bool', { default: true }),
    input('tags', 'list[str]', { default: ['a', 'b'] }),
    input('photo', 'image', { required: true }),
  ];

  it('opens with the saved values, and sends them typed, a chosen file uploaded first', async () => {
    const drafts = initialDrafts(inputs);
    expect(drafts).toMatchObject({ steps: { text: '4' }, sharp: { checked: true }, tags: { text: 'a\nb' }, photo: { file: null, url: '' } });
    const uploaded: string[] = [];
    const file = new File([new Uint8Array([1, 2, 3, 4])], 'cat.png');
    const outcome = await paramsOf(inputs, { ...drafts, steps: { text: '12' }, photo: { file } }, async (chosen) => {
      uploaded.push(chosen.name);
      return ref;
    });
    expect(uploaded).toEqual(['cat.png']);
    expect(outcome).toEqual({ params: { steps: 12, scale: 0.5, prompt: 'a cat', sharp: true, tags: ['a', 'b'], photo: ref } });
  });

  it('names each input that is wrong or missing, and uploads nothing then', async () => {
    let uploads = 0;
    const outcome = await paramsOf(
      [...inputs, input('backdrop', 'image', { required: true }), input('logo', 'image')],
      {
        ...initialDrafts(inputs),
        steps: { text: '2.5' },
        scale: { text: 'lots' },
        photo: { url: 'ftp://x/y.png' },
        backdrop: { file: null },
        logo: { file: new File([new Uint8Array([1])], 'logo.png') },
      },
      async () => (uploads++, ref),
    );
    expect(outcome).toEqual({
      problems: [
        'steps: a whole number is needed',
        'scale: a number is needed',
        'photo: a URL starts with http:// or https://',
        'backdrop: choose a file or give a URL',
      ],
    });
    expect(uploads).toBe(0);
  });

  it('sends a URL given for a media input as it is: the server fetches it', async () => {
    const outcome = await paramsOf([input('photo', 'image', { required: true })], { photo: { url: ' https://example.com/cat.png ' } }, async () => ref);
    expect(outcome).toEqual({ params: { photo: 'https://example.com/cat.png' } });
  });
});
