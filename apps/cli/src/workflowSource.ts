import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadWorkflow, parseWorkflowJson, WorkflowFormatError, type Workflow } from '@nt/runtime';

/**
 * Reads workflows from a file: a `.json` (saved editor format or bare graph)
 * holds one; a `.ts` DSL module holds every export that looks like a graph.
 */
export async function readWorkflows(file: string): Promise<Array<{ exportName: string; workflow: Workflow }>> {
  const path = resolve(file);
  if (/\.json$/i.test(path)) {
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new WorkflowFormatError(`cannot read ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
    });
    return [{ exportName: 'default', workflow: parseWorkflowJson(text, file) }];
  }
  if (/\.(ts|mts|tsx)$/i.test(path)) return importDslModule(path, file);
  throw new WorkflowFormatError(`${file}: expected a .json workflow or a .ts DSL file`);
}

async function importDslModule(path: string, file: string): Promise<Array<{ exportName: string; workflow: Workflow }>> {
  const { tsImport } = await import('tsx/esm/api');
  let module: Record<string, unknown>;
  try {
    module = (await tsImport(pathToFileURL(path).href, import.meta.url)) as Record<string, unknown>;
  } catch (error) {
    throw new WorkflowFormatError(`cannot load ${file}: ${(error as Error).message}`);
  }
  const found: Array<{ exportName: string; workflow: Workflow }> = [];
  for (const [exportName, value] of Object.entries(module)) {
    if (isGraphLike(value)) found.push({ exportName, workflow: loadWorkflow(value, `${file} (export ${exportName})`) });
  }
  if (found.length === 0) throw new WorkflowFormatError(`${file} exports no workflow (an object with "nodes" and "edges" arrays)`);
  return found;
}

function isGraphLike(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Record<string, unknown>;
  const graph = (candidate['graph'] ?? candidate) as Record<string, unknown>;
  return Array.isArray(graph['nodes']) && Array.isArray(graph['edges']);
}
