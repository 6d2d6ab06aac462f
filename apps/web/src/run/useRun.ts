import { useCallback, useRef, useState } from 'react';
import { newJobId, type ServerMessage } from '@nt/api-contract';
import { api } from '../api/client.js';
import { applyRunMessage, isLive, startedRun, type RunState } from './runState.js';

/**
 * The run this page started: started over the WebSocket (the server then sends this page its events,
 * and nobody else's), followed by the messages it is given, cancelled over HTTP. After the WebSocket
 * reopens (`onReopen`), a run still going is resumed where the page left it: reconnect_job with the
 * last `seq` it took in, so it gets every event it missed once and none twice.
 */
export function useRun(send: (message: object) => boolean) {
  const [run, setRun] = useState<RunState | null>(null);
  const current = useRef<RunState | null>(null);
  current.current = run;
  const onRunMessage = useCallback((message: ServerMessage) => setRun((state) => applyRunMessage(state, message)), []);
  const onReopen = useCallback(() => {
    const following = current.current;
    if (following && isLive(following)) {
      send({ command: 'reconnect_job', data: { job_id: following.jobId, last_seq: following.lastSeq }, request_id: `resume-${following.jobId}` });
    }
  }, [send]);
  const start = (workflowId: string, params: Record<string, unknown> = {}) => {
    const jobId = newJobId('ui');
    setRun(startedRun(jobId, workflowId));
    if (!send({ command: 'run_job', data: { workflow_id: workflowId, job_id: jobId, params }, request_id: jobId })) {
      setRun((current) => current && { ...current, status: 'failed', error: 'not connected to the server; try again in a moment' });
    }
  };
  const cancel = () => {
    if (run) void api.jobs.cancel({ params: { id: run.jobId } });
  };
  const running = run?.status === 'starting' || run?.status === 'running' || run?.status === 'queued';
  return { run, running, start, cancel, clear: () => setRun(null), onRunMessage, onReopen };
}
