import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as documents from './runpodQueries.js';
import { RUNPOD_SCHEMA_SDL } from './testing/runpodSchema.js';

const schema = buildSchema(RUNPOD_SCHEMA_SDL);
const errorsOf = (source: string) => validate(schema, parse(source)).map((error) => error.message);

describe('our RunPod documents', () => {
  it('all validate against the schema the fixture serves', () => {
    const sent = Object.entries(documents).filter(([, value]) => typeof value === 'string') as Array<[string, string]>;
    expect(sent.map(([name]) => name).sort()).toEqual(
      [
        'DEPLOY_MUTATION',
        'GPU_PRICE_QUERY',
        'GPU_TYPES_QUERY',
        'PODS_QUERY',
        'POD_QUERY',
        'RENT_INTERRUPTIBLE_MUTATION',
        'RESUME_MUTATION',
        'STOP_MUTATION',
        'TERMINATE_MUTATION',
      ].sort(),
    );
    for (const [name, source] of sent) expect(errorsOf(source), name).toEqual([]);
  });

  it('would be refused by it with a wrong field, argument or variable type (the schema is not a rubber stamp)', () => {
    expect(errorsOf('query ($id: String) { pod(input: { podId: $id }) { id } }').join()).toMatch(
      /Variable "\$id" of type "String" used in position expecting type "String!"/,
    );
    expect(errorsOf('mutation ($id: String!, $n: Int) { podResume(input: { podId: $id, gpuCount: $n }) { id } }').join()).toMatch(/expecting type "Int!"/);
    expect(errorsOf('query { pod(input: { podId: "x" }) { id gpuName } }').join()).toMatch(/Cannot query field "gpuName" on type "Pod"/);
    expect(errorsOf('mutation { podFindAndDeployOnDemand(input: { gpuType: "x" }) { id } }').join()).toMatch(/Field "gpuType" is not defined/);
    // An interruptible pod without its bid.
    expect(errorsOf('mutation { podRentInterruptable(input: { gpuTypeId: "x" }) { id } }').join()).toMatch(
      /"PodRentInterruptableInput.bidPerGpu" of required type "Float!" was not provided/,
    );
  });
});
