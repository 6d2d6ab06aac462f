import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
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
  return repoFromDirectory(MPNET_REPO_ID, join(REPO_ROOT, 'libs', 'test-fixtures', 'hub', 'sentence-transformers', 'all-mpnet-base-v2'));
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
 * A tiny DETR object detector (apps/worker/scripts/make-tiny-detr.py: transformers' own ResNet backbone,
 * a class head that finds a "cat" everywhere) served under `repoId`: what Object Detection's model is.
 */
export function tinyDetrRepo(repoId = 'facebook/detr-resnet-50'): FixtureHubRepo {
  const dir = mkdtempSync(join(tmpdir(), 'nt-tiny-detr-'));
  runScript('make-tiny-detr.py', [dir]);
  return repoFromDirectory(repoId, dir);
}

/** A JPEG photo stand-in of `width`×`height` (apps/worker/scripts/make-example-image.py), for a workflow's image URL. */
export function exampleJpeg(width = 160, height = 120): Uint8Array {
  const file = join(mkdtempSync(join(tmpdir(), 'nt-example-image-')), 'example.jpg');
  runScript('make-example-image.py', [file, String(width), String(height)]);
  return readFileSync(file);
}

/** Runs a script of apps/worker/scripts with the HF environment's Python, offline. */
function runScript(script: string, args: string[]): void {
  execFileSync(projectWorkerPython('hf'), [join(REPO_ROOT, 'apps', 'worker', 'scripts', script), ...args], {
    env: { ...process.env, HF_HUB_OFFLINE: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/**
 * A model a script of apps/worker/scripts writes, from all-MiniLM-L6-v2's vocab.txt as
 * `nx run worker:setup-hf` installed it, with the HF environment's Python; the folder it wrote.
 */
function madeWithMiniLmVocabulary(script: string, prefix: string): string {
  const snapshots = join(REPO_ROOT, 'apps', 'worker', '.hf-home', 'hub', 'models--sentence-transformers--all-MiniLM-L6-v2', 'snapshots');
  const vocab = join(snapshots, readdirSync(snapshots)[0] as string, 'vocab.txt');
  const dir = mkdtempSync(join(tmpdir(), prefix));
  runScript(script, [vocab, dir]);
  return dir;
}
