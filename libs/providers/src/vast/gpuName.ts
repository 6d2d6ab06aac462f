/**
 * A Vast.ai GPU name as Vast's offers carry it: words separated by single spaces ("RTX 4090"). People
 * write it either way, since the `vastai` command line takes `gpu_name=RTX_4090` and its query parser
 * turns every `_` in a value into a space before sending it (vastai/api/query.py). We send what it sends.
 */
export function vastGpuName(written: string): string {
  return written.replace(/_/g, ' ').replace(/\s+/g, ' ').trim();
}
