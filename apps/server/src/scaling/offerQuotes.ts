import { INSTANCE_PREFIX, type ProviderClient } from '@nt/providers';
import { chooseOffer, rentRequestOf, type OfferAnswer, type OfferChoice, type WorkerProfile } from '@nt/provisioning';

/**
 * Asks the provider of every candidate profile, at once, what renting from it costs now (its own
 * constraints: GPU type, count, CUDA floor, the ceiling for the whole instance), and chooses the cheapest.
 * A provider that refuses, fails or has nothing is one answer among the others, named with its reason.
 */
export async function quoteGroup(candidates: readonly WorkerProfile[], clientFor: (profile: WorkerProfile) => ProviderClient): Promise<OfferChoice> {
  const answers = await Promise.all(
    candidates.map(async (profile): Promise<OfferAnswer> => {
      try {
        // Only the price is asked: no name, no environment, nothing of the worker's secrets leaves.
        const quote = await clientFor(profile).quote(rentRequestOf(profile, `${INSTANCE_PREFIX}quote`, {}));
        return { profile: profile.name, provider: profile.provider, gpu: quote.gpu, pricePerHour: quote.pricePerHour };
      } catch (error) {
        return { profile: profile.name, provider: profile.provider, refused: (error as Error).message };
      }
    }),
  );
  return chooseOffer(answers);
}
