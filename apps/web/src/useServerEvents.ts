import { useEffect, useRef } from 'react';
import type { ServerMessage } from './types.js';

/** Listens to /ws, reconnecting after a drop (the server may restart); calls `onMessage` for each message. */
export function useServerEvents(onMessage: (message: ServerMessage) => void, onConnection: (open: boolean) => void): void {
  const handler = useRef(onMessage);
  const connection = useRef(onConnection);
  handler.current = onMessage;
  connection.current = onConnection;
  useEffect(() => {
    let socket: WebSocket | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let closed = false;
    const open = () => {
      socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
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
      socket?.close();
    };
  }, []);
}
