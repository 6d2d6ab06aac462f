export { FakeWorker, startFakeWorker, FAKE_NODES, type FakeWorkerOptions } from './fakeWorker.js';
export { isAuthorized, UNAUTHORIZED_BODY } from './tokenGate.js';
export { HANDSHAKE_CASES, type HandshakeCase } from './handshakeCases.js';
export { probeHandshake, type HandshakeOutcome } from './probeHandshake.js';
export { describeAuthConformance, type StartWorker, type StartedWorker } from './authConformance.js';
export { spawnRealWorker, projectWorkerPython, REPO_ROOT, FIXTURE_WORKER_ENV, FIXTURE_NODE_TYPES, fixtureStdioOptions, type RealWorker } from './realWorker.js';
export {
  startFixtureHub,
  repoFromDirectory,
  installedMiniLmRepo,
  MINILM_REPO_ID,
  type FixtureHub,
  type FixtureHubRepo,
  type FixtureHubOptions,
} from './fixtureHub.js';
export { mpnetTokenizerRepo, tinyChatModelRepo, tinyDistilBertRepo, tinyDetrRepo, exampleJpeg, MPNET_REPO_ID, TINY_CHAT_REPO_ID } from './hubRepos.js';
export { upstreamExamples, type UpstreamExample } from './upstreamExamples.js';
export { startFixtureDns, ensureDnsmasq, type FixtureDns } from './fixtureDns.js';
export { makeTestCertificate, type TestCertificate } from './testCertificate.js';
export { startTlsFront, type TlsFront } from './tlsFront.js';
export { startS3Server, type S3TestServer } from './s3Server.js';
export { startFrameLimitProxy, type FrameLimitProxy } from './frameLimitProxy.js';
export { startServerProcess, workerConnected, runServerUntilExit, type ServerProcess, type ServerProcessResult } from './serverProcess.js';
export { startPrometheus, ensurePrometheus, type PrometheusServer } from './prometheusServer.js';
export { freePort } from './freePort.js';
export { startPostgres, ensurePostgres, createPostgresDatabase, type PostgresServer } from './postgresServer.js';
