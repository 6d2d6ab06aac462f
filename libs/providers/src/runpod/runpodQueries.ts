/**
 * Every GraphQL document our RunPod client sends, written once. Values always go in variables (typed
 * as the schema declares them), never into the query text. Checked against the schema the fixture
 * serves (testing/runpodSchema.ts) by the spec beside this file.
 */

/** What we read of a pod, for the locate call and the lifecycle alike. */
const POD_FIELDS = `
  id
  name
  desiredStatus
  costPerHr
  gpuCount
  machine { gpuDisplayName }
  runtime { uptimeInSeconds ports { ip isIpPublic privatePort publicPort type } }`;

export const POD_QUERY = `query Pod($podId: String!) { pod(input: { podId: $podId }) { ${POD_FIELDS} } }`;

export const PODS_QUERY = `query Pods { myself { pods { ${POD_FIELDS} } } }`;

/** The lowest on-demand price of a GPU type and the lowest bid it takes for an interruptible pod, per GPU, for a number of them. */
export const GPU_PRICE_QUERY = `query GpuPrice($gpuTypeId: String!, $gpuCount: Int!) {
  gpuTypes(input: { id: $gpuTypeId }) { id displayName lowestPrice(input: { gpuCount: $gpuCount }) { uninterruptablePrice minimumBidPrice } }
}`;

/** Every GPU type, to find one by the name a user wrote. */
export const GPU_TYPES_QUERY = `query GpuTypes { gpuTypes { id displayName } }`;

export const DEPLOY_MUTATION = `mutation Deploy($input: PodFindAndDeployOnDemandInput!) { podFindAndDeployOnDemand(input: $input) { ${POD_FIELDS} } }`;

/** An interruptible pod at `bidPerGpu` (RunPod takes it back when outbid or the host is needed). */
export const RENT_INTERRUPTIBLE_MUTATION = `mutation RentInterruptible($input: PodRentInterruptableInput!) { podRentInterruptable(input: $input) { ${POD_FIELDS} } }`;

export const STOP_MUTATION = `mutation Stop($podId: String!) { podStop(input: { podId: $podId }) { id desiredStatus } }`;

export const RESUME_MUTATION = `mutation Resume($podId: String!, $gpuCount: Int!) { podResume(input: { podId: $podId, gpuCount: $gpuCount }) { id desiredStatus } }`;

export const TERMINATE_MUTATION = `mutation Terminate($podId: String!) { podTerminate(input: { podId: $podId }) }`;

/** A pod as POD_FIELDS reads it. */
export interface RunpodPod {
  id: string;
  name?: string | null;
  desiredStatus?: string | null;
  costPerHr?: number | null;
  gpuCount?: number | null;
  machine?: { gpuDisplayName?: string | null } | null;
  runtime?: {
    uptimeInSeconds?: number | null;
    ports?: Array<{ ip?: string | null; isIpPublic?: boolean | null; privatePort?: number | null; publicPort?: number | null; type?: string | null }> | null;
  } | null;
}
