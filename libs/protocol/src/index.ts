export type { Envelope } from './envelope.js';
export { asEnvelope, isTerminalFrame, TERMINAL_FRAME_TYPES, INTERMEDIATE_FRAME_TYPES } from './envelope.js';
export type {
  RequestType,
  TypeMetadata,
  PropertyMetadata,
  OutputSlotMetadata,
  NodeMetadata,
  LoadError,
  DiscoverReply,
  WorkerStatus,
  RunIdentity,
  ExecuteData,
  ExecuteResult,
  ProgressData,
  ChunkData,
  UpdateData,
  ErrorData,
  JobStartData,
  JobEndData,
  JobEndReason,
  JobEndReply,
  ModelsEvictData,
  ModelsEvictReply,
  ModelsDownloadData,
  ModelsDeleteData,
  DownloadProgressData,
  CachedModel,
} from './messages.js';
export { REQUEST_TYPES, compact } from './messages.js';
export { REQUEST_SPECS, ReplyShapeError, type RequestMap, type RequestName, type RequestData, type RequestReply, type RequestSpec } from './requestMap.js';
export {
  encodeMessage,
  encodeMessageForImmediateSend,
  decodeMessage,
  createMessageDecoder,
  DecodeLimitError,
  DEFAULT_MAX_DEPTH,
  type DecodeLimits,
  type MessageDecoder,
} from './codec.js';
export type { NpArrayValue } from './npArray.js';
export { isNpArray, npArrayToNumbers, numbersToNpArray } from './npArray.js';
export { StdioFrameDecoder, OversizeFrameError, encodeStdioFrame, STDIO_HEADER_BYTES } from './stdioFraming.js';
export { DEFAULT_MAX_FRAME_SIZE, MAX_U32, describeBytes } from './frameSize.js';
export type { Capabilities, VersionVerdict } from './version.js';
export {
  BRIDGE_PROTOCOL_VERSION,
  MIN_BRIDGE_PROTOCOL_VERSION,
  PINNED_NODETOOL_CORE_VERSION,
  readProtocolVersion,
  checkProtocolVersion,
  capabilitiesOf,
} from './version.js';
