export type { PythonBridge, BridgeEvents, BridgeState, BridgeTransport, ExecuteOptions, ExecuteRequest, AssetInput, ReconnectingInfo } from './pythonBridge.js';
export type { PythonBridgeOptions, ReconnectOptions, KeepaliveOptions } from './options.js';
export { createPythonBridge, checkBridgeOptions } from './createPythonBridge.js';
export { WebsocketPythonBridge, type WebsocketBridgeOptions } from './websocketPythonBridge.js';
export { PythonStdioBridge } from './pythonStdioBridge.js';
export { resolvePythonInterpreter, PROJECT_WORKER_VENV, PROJECT_HF_WORKER_VENV, type InterpreterChoice } from './transport/resolvePythonInterpreter.js';
export { fullJitterDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
export { describeUrl, redactSecret } from './redact.js';
export { isLoopbackHost, isPrivateAddress, isConfidentialWorkerUrl, plaintextAllowedFromEnv, ALLOW_PLAINTEXT_ENV } from './linkSecurity.js';
export { checkWorkerUrl, isSocketUrl } from './workerUrl.js';
export type { WorkerLocator } from './workerLocator.js';
export { BlobBudget } from './rpc/blobAssembler.js';
export {
  isOffloadSink,
  memoryWriter,
  type BlobSink,
  type BlobWriter,
  type OffloadSink,
  type OffloadGrant,
  type OffloadRequest,
  type OffloadReport,
} from './rpc/blobSink.js';
export { RpcConnection, type RpcSettings, type RpcRequestOptions, type RpcEvents } from './rpc/rpcConnection.js';
export { WorkerClient } from './client/workerClient.js';
export { ManagedBridge } from './connection/managedBridge.js';
export { isTerminal, type ConnectionState, type ConnectionStatus } from './connection/connectionStatus.js';
export type { Transport, TransportListener } from './transport/transport.js';
export {
  BridgeError,
  WorkerAuthError,
  WorkerUnreachableError,
  NotConnectedError,
  ConnectionClosedError,
  ProtocolError,
  FrameTooLargeError,
  RemoteError,
  BridgeTimeoutError,
  CancelledError,
  BridgeClosedError,
  ConfigError,
} from './errors.js';
export { workerPoolFromEnv, workersAt, type WorkerSpec, type DnsDiscoverySpec, type WorkerPoolConfig } from './pool/workerSpecs.js';
export { DnsDiscovery } from './pool/dnsDiscovery.js';
export { TlsPinMismatchError, normalizeFingerprint } from './transport/tlsPin.js';
