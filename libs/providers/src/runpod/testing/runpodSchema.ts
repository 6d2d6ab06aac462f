/**
 * TEST FIXTURE: the subset of RunPod's GraphQL schema our client and the official one use, as SDL for
 * graphql-js (`buildSchema`). The fixture parses, validates and executes every request against it, so
 * a wrong field, argument or variable type fails here as it would on the real API.
 *
 * Sources, read 2026-12-03 (facts only; the text is ours):
 *   [spec]    RunPod's published spec (graphql-spec.runpod.io), the Pod, PodRuntime, PodRuntimePorts,
 *             PodMachineInfo, GpuType and PodStatus types with their nullability, as transcribed in a
 *             public repository; and its generated typings (`runpod_typegen`), which mark `podId` of
 *             PodFilter/PodStopInput/PodResumeInput/PodTerminateInput and `key` of
 *             EnvironmentVariableInput as required, and name the fields of the input types.
 *   [python]  the `runpod` wheel 1.12.0 (runpod/api/queries/*.py, runpod/api/mutations/pods.py): every
 *             field it selects and every argument it writes into its queries.
 *   [ours]    the documents of ../runpodQueries.ts.
 *   [skypilot] PyPI skypilot 0.14.1 (read 2026-12-07), sky/provision/runpod/api/pods.py:
 *             generate_spot_pod_deployment_mutation writes the PodRentInterruptableInput fields it knows
 *             into its document (bidPerGpu, name, imageName, gpuTypeId, volumeMountPath always); their
 *             names match the published spec's typings ([spec]), which mark bidPerGpu required.
 *   npm's `runpod-sdk` 1.1.2 has no pod calls (serverless only), so it confirms nothing here.
 * Marked [unconfirmed]: a nullability no source states. Input fields are nullable unless a source says
 * otherwise.
 */
export const RUNPOD_SCHEMA_SDL = /* GraphQL */ `
  schema {
    query: Query
    mutation: Mutation
  }

  type Query {
    pod(input: PodFilter!): Pod
    myself: User
    gpuTypes(input: GpuTypeFilter): [GpuType]
  }

  type Mutation {
    podFindAndDeployOnDemand(input: PodFindAndDeployOnDemandInput!): Pod
    "An interruptible pod at a bid per GPU [spec; skypilot: sky/provision/runpod/api/pods.py]."
    podRentInterruptable(input: PodRentInterruptableInput!): Pod
    podStop(input: PodStopInput!): Pod
    podResume(input: PodResumeInput!): Pod
    "Answers null. [unconfirmed: the return type; runpod-python selects nothing, so it is a scalar]"
    podTerminate(input: PodTerminateInput!): Void
  }

  "[unconfirmed] The scalar podTerminate answers with."
  scalar Void

  type User {
    id: String
    pods: [Pod]
  }

  enum PodStatus {
    CREATED
    RUNNING
    RESTARTING
    EXITED
    PAUSED
    DEAD
    TERMINATED
  }

  enum PodType {
    INTERRUPTABLE
    RESERVED
    BID
    BACKGROUND
  }

  enum CloudTypeEnum {
    SECURE
    COMMUNITY
    ALL
  }

  type Pod {
    id: String!
    name: String!
    imageName: String!
    desiredStatus: PodStatus!
    costPerHr: Float!
    gpuCount: Int!
    memoryInGb: Float!
    vcpuCount: Float!
    machineId: String!
    containerDiskInGb: Int
    volumeInGb: Float
    volumeMountPath: String
    dockerArgs: String
    dockerId: String
    env: [String]
    lastStatusChange: String
    podType: PodType
    "[spec: Port] runpod-python selects it as a leaf."
    port: Int
    ports: String
    uptimeSeconds: Int
    runtime: PodRuntime
    machine: PodMachineInfo
  }

  type PodRuntime {
    uptimeInSeconds: Int
    ports: [PodRuntimePorts]
  }

  type PodRuntimePorts {
    ip: String
    isIpPublic: Boolean
    privatePort: Int
    publicPort: Int
    type: String
  }

  type PodMachineInfo {
    gpuDisplayName: String
    gpuTypeId: String
    podHostId: String
    costPerHr: Float
    secureCloud: Boolean
    supportPublicIp: Boolean
  }

  type GpuType {
    id: String
    displayName: String
    manufacturer: String
    memoryInGb: Int
    cudaCores: Int
    secureCloud: Boolean
    communityCloud: Boolean
    securePrice: Float
    communityPrice: Float
    oneMonthPrice: Float
    threeMonthPrice: Float
    oneWeekPrice: Float
    communitySpotPrice: Float
    secureSpotPrice: Float
    maxGpuCount: Int
    lowestPrice(input: GpuLowestPriceInput): LowestPrice
  }

  "Prices per GPU, per hour."
  type LowestPrice {
    gpuName: String
    gpuTypeId: String
    minimumBidPrice: Float
    uninterruptablePrice: Float
    stockStatus: String
  }

  input GpuTypeFilter {
    id: String
    ids: [String]
  }

  input GpuLowestPriceInput {
    "[unconfirmed: nullability]"
    gpuCount: Int
    countryCode: String
    minMemoryInGb: Int
    minVcpuCount: Int
    minDisk: Int
    minDownload: Int
    minUpload: Int
    secureCloud: Boolean
    supportPublicIp: Boolean
    dataCenterId: String
  }

  input PodFilter {
    podId: String!
  }

  input PodStopInput {
    podId: String!
    incrementVersion: Boolean
  }

  input PodResumeInput {
    podId: String!
    "[unconfirmed: non-null; every client we read sends it]"
    gpuCount: Int!
    syncMachine: Boolean
  }

  input PodTerminateInput {
    podId: String!
  }

  input EnvironmentVariableInput {
    key: String!
    "[unconfirmed: nullability]"
    value: String
  }

  input PodRentInterruptableInput {
    "The bid for each GPU, USD per hour: at least the type's lowestPrice.minimumBidPrice."
    bidPerGpu: Float!
    name: String
    imageName: String
    gpuTypeId: String
    gpuCount: Int
    cloudType: CloudTypeEnum
    supportPublicIp: Boolean
    startSsh: Boolean
    startJupyter: Boolean
    ports: String
    port: Int
    volumeInGb: Int
    volumeMountPath: String
    volumeKey: String
    containerDiskInGb: Int
    minVcpuCount: Int
    minMemoryInGb: Int
    minDisk: Int
    minDownload: Int
    minUpload: Int
    dockerArgs: String
    env: [EnvironmentVariableInput]
    templateId: String
    networkVolumeId: String
    dataCenterId: String
    countryCode: String
    cudaVersion: String
    allowedCudaVersions: [String]
    stopAfter: String
    terminateAfter: String
  }

  input PodFindAndDeployOnDemandInput {
    name: String
    imageName: String
    gpuTypeId: String
    gpuTypeIdList: [String]
    gpuCount: Int
    cloudType: CloudTypeEnum
    supportPublicIp: Boolean
    startSsh: Boolean
    startJupyter: Boolean
    ports: String
    port: Int
    volumeInGb: Int
    volumeMountPath: String
    volumeKey: String
    containerDiskInGb: Int
    minVcpuCount: Int
    minMemoryInGb: Int
    minDisk: Int
    minDownload: Int
    minUpload: Int
    dockerArgs: String
    env: [EnvironmentVariableInput]
    templateId: String
    networkVolumeId: String
    dataCenterId: String
    countryCode: String
    cudaVersion: String
    allowedCudaVersions: [String]
    stopAfter: String
    terminateAfter: String
    aiApiId: String
  }
`;
