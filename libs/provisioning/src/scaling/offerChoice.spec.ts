import { describe, expect, it } from 'vitest';
import { chooseOffer } from './offerChoice.js';

describe('choosing an offer', () => {
  it('takes the cheapest priced answer and lists every answer, refusals included', () => {
    const choice = chooseOffer([
      { profile: 'rp', provider: 'runpod', gpu: '1× NVIDIA GeForce RTX 4090', pricePerHour: 0.69 },
      { profile: 'vast', provider: 'vast', gpu: '1× RTX 4090', pricePerHour: 0.41 },
      { profile: 'other', provider: 'vast', refused: 'no offer at or under $0.3/h' },
    ]);
    expect(choice.chosen).toMatchObject({ profile: 'vast', pricePerHour: 0.41 });
    expect(choice.compared).toEqual([
      'vast: 1× RTX 4090 on vast at $0.410/h',
      'rp: 1× NVIDIA GeForce RTX 4090 on runpod at $0.690/h',
      'other: vast refused (no offer at or under $0.3/h)',
    ]);
  });

  it('chooses nothing when every provider refused', () => {
    expect(chooseOffer([{ profile: 'a', provider: 'runpod', refused: 'RunPod offers no 1× NVIDIA L4 now' }]).chosen).toBeNull();
  });
});
