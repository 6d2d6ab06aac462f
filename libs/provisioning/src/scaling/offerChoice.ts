/** One profile's answer when asked what renting from it would cost now. */
export type OfferAnswer = { profile: string; provider: string; gpu: string; pricePerHour: number } | { profile: string; provider: string; refused: string };

export interface OfferChoice {
  /** The cheapest priced answer, or null when every provider refused or had nothing. */
  chosen: Extract<OfferAnswer, { pricePerHour: number }> | null;
  /** Every answer in one line each, cheapest first, the refusals after: what the event and the log say. */
  compared: string[];
}

/** The cheapest offer among the profiles of a group (ties go to the profile listed first), and what was compared. */
export function chooseOffer(answers: readonly OfferAnswer[]): OfferChoice {
  const priced = answers.filter((answer): answer is Extract<OfferAnswer, { pricePerHour: number }> => 'pricePerHour' in answer);
  const ranked = [...priced].sort((a, b) => a.pricePerHour - b.pricePerHour);
  const refused = answers.filter((answer): answer is Extract<OfferAnswer, { refused: string }> => 'refused' in answer);
  return {
    chosen: ranked[0] ?? null,
    compared: [
      ...ranked.map((answer) => `${answer.profile}: ${answer.gpu} on ${answer.provider} at $${answer.pricePerHour.toFixed(3)}/h`),
      ...refused.map((answer) => `${answer.profile}: ${answer.provider} refused (${answer.refused})`),
    ],
  };
}
