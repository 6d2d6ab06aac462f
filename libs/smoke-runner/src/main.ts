/**
 * nx run smoke-runner:run — the project's main job. The worker environment
 * (with the HF pack and the offline model) is set up by the target's
 * dependency; with no NODETOOL_WORKER_URL a local worker is started.
 */
import { WorkerAuthError, WorkerUnreachableError } from '@nt/bridge';
import { formatSmokeSummary, runSmoke } from './runSmoke.js';

try {
  const report = await runSmoke();
  process.stdout.write(`${formatSmokeSummary(report)}\n`);
  process.exitCode = report.check.ok && report.result.status === 'completed' ? 0 : 1;
} catch (error) {
  process.stderr.write(`smoke-runner: ${(error as Error).message}\n`);
  process.exitCode = error instanceof WorkerAuthError ? 4 : error instanceof WorkerUnreachableError ? 3 : 1;
}
