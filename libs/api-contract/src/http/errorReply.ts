import { z } from 'zod';

/** Every error the server answers, whatever the route: a message for people, and details for some. */
export const ErrorReply = z.object({
  error: z.string(),
  /** What a client can act on: the validation issues of a graph, the setting at fault, the limit hit. */
  details: z.unknown().optional(),
});
export type ErrorReply = z.infer<typeof ErrorReply>;

/** A call the server answered with an error status (or could not answer). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}
