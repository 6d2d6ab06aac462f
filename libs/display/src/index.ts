export { formatBytes } from './formatBytes.js';
export { formatSeconds, formatCountdown } from './formatDuration.js';
