import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoFromDirectory, type FixtureHubRepo } from './fixtureHub.js';
import { projectWorkerPython, REPO_ROOT } from './realWorker.js';

/** The repo id SplitSentences' tokenizer comes from. */
export const MPNET_REPO_ID = 'sentence-transformers/all-mpnet-base-v2';
/** The tiny chat model the text-generation suites serve; a name of ours, not a real repo. */
export const TINY_CHAT_REPO_ID = 'nodetool-fixtures/tiny-chat-gpt2';

/** all-mpnet-base-v2's tokenizer files, kept in hub/ (its README says where they came from), served as the repo. */
export function mpnetTokenizerRepo(): FixtureHubRepo {
  return repoFromDirectory(MPNET_REPO_ID, join(REPO_ROOT, 'libs', 'worker-auth-fixtures', 'hub', 'sentence-transformers', 'all-mpnet-base-v2'));
}

/**
 * A tiny GPT-2 chat model made on the spot (apps/worker/scripts/make-tiny-chat-gpt2.py), served as
 * TINY_CHAT_REPO_ID. Its words are nonsense; they stream as a real model's do.
 */
export function tinyChatModelRepo(): FixtureHubRepo {
  return repoFromDirectory(TINY_CHAT_REPO_ID, madeWithMiniLmVocabulary('make-tiny-chat-gpt2.py', 'nt-tiny-chat-'));
}

/**
 * A tiny DistilBertForMaskedLM (apps/worker/scripts/make-tiny-distilbert.py) with the same 30,522-token
 * uncased vocabulary distilbert-base-uncased uses, served under that name: the FillMask graph's model.
 */
export function tinyDistilBertRepo(repoId = 'distilbert-base-uncased'): FixtureHubRepo {
  return repoFromDirectory(repoId, madeWithMiniLmVocabulary('make-tiny-distilbert.py', 'nt-tiny-distilbert-'));
}

/**
 * A model a script of apps/worker/scripts writes, from all-MiniLM-L6-v2's vocab.txt as
 * `nx run worker:setup-hf` installed it, with the HF environment's Python; the folder it wrote.
 */
function madeWithMiniLmVocabulary(script: string, prefix: string): string {
  const snapshots = join(REPO_ROOT, 'apps', 'worker', '.hf-home', 'hub', 'models--sentence-transformers--all-MiniLM-L6-v2', 'snapshots');
  const vocab = join(snapshots, readdirSync(snapshots)[0] as string, 'vocab.txt');
  const dir = mkdtempSync(join(tmpdir(), prefix));
  execFileSync(projectWorkerPython('hf'), [join(REPO_ROOT, 'apps', 'worker', 'scripts', script), vocab, dir], {
    env: { ...process.env, HF_HUB_OFFLINE: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return dir;
}
