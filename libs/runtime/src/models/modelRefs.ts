/**
 * The models a node names in its fields. Every HuggingFace node carries its model as an object
 * with a `repo_id` (`{type: "hf.sentence_similarity", repo_id, path?, allow_patterns?, ...}`),
 * which is what the keep-alive and the pre-run download key on. A node that loads a model it does
 * not name this way is invisible to both: its models are released at run end, as before.
 */

export interface ModelRef {
  repo_id: string;
  /** One file of the repo, for single-file models. */
  path?: string;
  allow_patterns?: string[];
  ignore_patterns?: string[];
  type?: string;
}

// The Hub's repo id grammar (owner/name of letters, digits, "-", "_", "."), which also keeps the
// keys safe inside job and node ids.
const REPO_ID = /^[A-Za-z0-9][\w.-]{0,95}(\/[A-Za-z0-9][\w.-]{0,95})?$/;

/** `repo_id`, or `repo_id:path` for one file: the worker's own model id format. */
export function modelKey(ref: ModelRef): string {
  return ref.path ? `${ref.repo_id}:${ref.path}` : ref.repo_id;
}

/** Model references among a node's field values (also inside lists), deduplicated by key. */
export function modelRefsIn(fields: Record<string, unknown>): ModelRef[] {
  const found = new Map<string, ModelRef>();
  const visit = (value: unknown) => {
    const ref = asModelRef(value);
    if (ref) found.set(modelKey(ref), ref);
  };
  for (const value of Object.values(fields)) {
    if (Array.isArray(value)) value.forEach(visit);
    else visit(value);
  }
  return [...found.values()];
}

function asModelRef(value: unknown): ModelRef | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  const repoId = record['repo_id'];
  if (typeof repoId !== 'string' || !REPO_ID.test(repoId)) return null;
  const ref: ModelRef = { repo_id: repoId };
  if (typeof record['path'] === 'string' && record['path']) ref.path = record['path'];
  if (typeof record['type'] === 'string') ref.type = record['type'];
  const allow = stringList(record['allow_patterns']);
  const ignore = stringList(record['ignore_patterns']);
  if (allow) ref.allow_patterns = allow;
  if (ignore) ref.ignore_patterns = ignore;
  return ref;
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string') ? (value as string[]) : undefined;
}
