import { useCallback, useEffect, useRef, useState } from 'react';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { GuardEventInfo, ModelDownloadProgress, RentedWorkerInfo, ServerMessage } from '@nt/api-contract';
import { keys, type WorkerStatus } from './queries.js';

/**
 * Listens to /ws, reconnecting after a drop (the server may restart, or the browser just logged in).
 * What concerns every client (the workers, models, rented workers, the cost guard) goes into the query
 * cache, where the panels read it; the messages of runs go to `onRunMessage`, and `onReopen` hears of
 * every reconnect (a run being followed then asks for the events it missed). Returns whether the socket
 * is open and `send`, false while it is not.
 */
export function useServerEvents(
  onRunMessage: (message: ServerMessage) => void,
  onReopen: () => void = () => undefined,
): { online: boolean; send: (message: object) => boolean } {
  const queryClient = useQueryClient();
  const runHandler = useRef(onRunMessage);
  runHandler.current = onRunMessage;
  const reopenHandler = useRef(onReopen);
  reopenHandler.current = onReopen;
  const socketRef = useRef<WebSocket | null>(null);
  const [online, setOnline] = useState(true);
  useEffect(() => {
    let retry: ReturnType<typeof setTimeout> | undefined;
    let closed = false;
    let opened = false;
    const open = () => {
      const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
      socketRef.current = socket;
      socket.onopen = () => {
        setOnline(true);
        // Back after a drop: whoever follows a run asks for what it missed.
        if (opened) reopenHandler.current();
        opened = true;
      };
      socket.onmessage = (event) => {
        const message = JSON.parse(event.data as string) as ServerMessage;
        if (!intoCache(queryClient, message)) runHandler.current(message);
      };
      socket.onclose = () => {
        setOnline(false);
        if (!closed) retry = setTimeout(open, 1_000);
      };
    };
    open();
    return () => {
      closed = true;
      clearTimeout(retry);
      socketRef.current?.close();
    };
  }, [queryClient]);
  const send = useCallback((message: object) => {
    const socket = socketRef.current;
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(message));
    return true;
  }, []);
  return { online, send };
}

/** Puts a message for every client into the cache; false for a run's message. */
function intoCache(queryClient: QueryClient, message: ServerMessage): boolean {
  switch (message.type) {
    case 'worker_status': {
      const { type: _type, pool, ...health } = message;
      queryClient.setQueryData<WorkerStatus>(keys.status, { health, pool });
      // A worker that (re)connected may offer other nodes.
      if (health.state === 'connected') void queryClient.invalidateQueries({ queryKey: keys.nodes });
      return true;
    }
    case 'models_download': {
      const { type: _type, ...progress } = message;
      queryClient.setQueryData<Record<string, ModelDownloadProgress>>(keys.modelDownloads, (current) => ({
        ...current,
        [`${progress.repo_id}:${progress.path ?? ''}`]: progress,
      }));
      // A finished download changes what the workers' caches hold.
      if (progress.status === 'completed') void queryClient.invalidateQueries({ queryKey: keys.models });
      return true;
    }
    case 'models_resident':
      queryClient.setQueryData(keys.residentModels, { models: message.resident, receivedAt: Date.now() });
      return true;
    case 'rented_worker':
      queryClient.setQueryData<RentedWorkerInfo[]>(keys.rentedWorkers, (current = []) =>
        [...current.filter((worker) => worker.id !== message.worker.id), message.worker].sort((a, b) => a.created_at.localeCompare(b.created_at)),
      );
      // A worker rented, started or released changes the capacity view's instances and spend.
      void queryClient.invalidateQueries({ queryKey: keys.capacity });
      return true;
    case 'cost_guard':
      queryClient.setQueryData<GuardEventInfo[]>(keys.guardEvents, (current = []) => [message.event, ...current].slice(0, 50));
      return true;
    default:
      return false;
  }
}
