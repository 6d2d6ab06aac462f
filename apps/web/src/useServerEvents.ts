import { useCallback, useEffect, useRef } from 'react';
import type { ServerMessage } from '@nt/api-contract';

/**
 * Listens to /ws, reconnecting after a drop (the server may restart, or the browser just logged in);
 * calls `onMessage` for each message. Returns `send`, false while the socket is not open.
 */
export function useServerEvents(onMessage: (message: ServerMessage) => void, onConnection: (open: boolean) => void): (message: object) => boolean {
  const handler = useRef(onMessage);
  const connection = useRef(onConnection);
  const socketRef = useRef<WebSocket | null>(null);
  handler.current = onMessage;
  connection.current = onConnection;
  useEffect(() => {
    let retry: ReturnType<typeof setTimeout> | undefined;
    let closed = false;
    const open = () => {
      const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
      socketRef.current = socket;
      socket.onopen = () => connection.current(true);
      socket.onmessage = (event) => handler.current(JSON.parse(event.data as string) as ServerMessage);
      socket.onclose = () => {
        connection.current(false);
        if (!closed) retry = setTimeout(open, 1_000);
      };
    };
    open();
    return () => {
      closed = true;
      clearTimeout(retry);
      socketRef.current?.close();
    };
  }, []);
  return useCallback((message: object) => {
    const socket = socketRef.current;
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(message));
    return true;
  }, []);
}
