/**
 * A HuggingFace node whose model is not in the worker's cache fails with
 * "Model <repo>/<file> must be downloaded first" and nothing more. Said that way it is a dead end;
 * the run's error says which command or button fetches it.
 */
const MISSING = /Model ([A-Za-z0-9][\w.-]*(?:\/[A-Za-z0-9][\w.-]*)?)\/[^\s/]+ must be downloaded first/;

/** The error's message with the way to fetch the model appended, or null when it is not that error. */
export function missingModelHint(message: string): string | null {
  const match = MISSING.exec(message);
  if (!match) return null;
  const repo = match[1] as string;
  return `${message.trimEnd()}\nFetch it with \`nodetool models download ${repo}\` or the Download button in the web UI's Models panel (runs download the models their nodes name unless told not to).`;
}
