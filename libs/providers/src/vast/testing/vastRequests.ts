import { z } from 'zod';

/**
 * TEST FIXTURE: what Vast.ai's API accepts, per request, for the calls we and the official client
 * make. Written from facts in two sources (read 2026-12-03; the text is ours):
 *   [openapi] Vast's published OpenAPI (github.com/vast-ai/docs, api-reference/openapi/yaml/
 *             create_instance.yaml and search_offers.yaml): the fields, their types, `image` required,
 *             `disk` ≥ 8, `runtype` values, and x-input-validation (each env value ≤ 256 characters, all
 *             of them ≤ 32768; label ≤ 256; args + args_str + onstart ≤ 4096).
 *   [python]  the `vastai` wheel 1.9.1 (vastai/api/instances.py, offers.py, query.py): the fields it
 *             sends, some of them null, and the combined runtype strings it writes ("ssh_direc ssh_proxy").
 * Where they disagree, what the official client sends wins, since it works against the real API:
 * `type: "on-demand"` (the OpenAPI enum says "ondemand"), `env` as an object (the OpenAPI says a string
 * of Docker flags; both are accepted). Anything else (an unknown field, a wrong type) is refused with 400.
 */

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
/** One search filter: `{"gte": 13.0}`, `{"in": ["RTX 4090"]}`. The official client sends numbers as strings ("1"). */
export const filterSchema = z.strictObject({
  eq: scalar.optional(),
  neq: scalar.optional(),
  gt: scalar.optional(),
  lt: scalar.optional(),
  gte: scalar.optional(),
  lte: scalar.optional(),
  in: z.array(scalar).optional(),
  notin: z.array(scalar).optional(),
});

/** The offer fields a search may filter on: the official client's list (query.py, offers_fields) and the OpenAPI's. */
export const OFFER_FILTER_FIELDS = [
  'bw_nvlink',
  'compute_cap',
  'cpu_arch',
  'cpu_cores',
  'cpu_cores_effective',
  'cpu_ghz',
  'cpu_ram',
  'cuda_max_good',
  'datacenter',
  'direct_port_count',
  'driver_version',
  'disk_bw',
  'disk_space',
  'dlperf',
  'dlperf_per_dphtotal',
  'dph_total',
  'duration',
  'external',
  'flops_per_dphtotal',
  'gpu_arch',
  'gpu_display_active',
  'gpu_frac',
  'gpu_mem_bw',
  'gpu_name',
  'gpu_ram',
  'gpu_total_ram',
  'gpu_max_power',
  'gpu_max_temp',
  'has_avx',
  'host_id',
  'id',
  'inet_down',
  'inet_down_cost',
  'inet_up',
  'inet_up_cost',
  'machine_id',
  'min_bid',
  'mobo_name',
  'num_gpus',
  'pci_gen',
  'pcie_bw',
  'reliability',
  'rentable',
  'rented',
  'storage_cost',
  'static_ip',
  'total_flops',
  'ubuntu_version',
  'os_version',
  'verification',
  'verified',
  'vms_enabled',
  'geolocation',
  'cluster_id',
  'has_sla',
  'expected_reliability',
] as const;

export const searchSchema = z.strictObject({
  ...Object.fromEntries(OFFER_FILTER_FIELDS.map((field) => [field, filterSchema.optional()])),
  order: z.array(z.tuple([z.string(), z.enum(['asc', 'desc'])])).optional(),
  type: z.enum(['on-demand', 'ondemand', 'bid', 'reserved']).optional(),
  limit: z.number().int().positive().optional(),
  allocated_storage: z.number().positive().optional(),
  target_reliability: z.number().gt(0).lt(1).optional(),
  disable_bundling: z.boolean().optional(),
});

const RUNTYPE_TOKENS = new Set(['ssh', 'jupyter', 'args', 'ssh_proxy', 'ssh_direc', 'ssh_direct', 'jupyter_proxy', 'jupyter_direc', 'jupyter_direct']);
const ENV_KEY = /^([A-Za-z_][A-Za-z0-9_]*|-p \d+:\d+(\/(tcp|udp))?|-[hvn] \S+)$/;

const envObject = z.record(z.string().regex(ENV_KEY, 'an environment variable name, or a Docker flag such as "-p 7777:7777"'), z.string());

export const createSchema = z
  .strictObject({
    client_id: z.literal('me').optional(),
    image: z.string().min(1).max(1024).nullable().optional(),
    template_hash_id: z.string().nullable().optional(),
    label: z.string().max(256).nullable().optional(),
    disk: z.number().min(8).optional(),
    price: z.number().min(0.001).max(128).nullable().optional(),
    env: z.union([envObject, z.string()]).optional(),
    runtype: z
      .string()
      .refine((value) => value.split(/\s+/).every((token) => RUNTYPE_TOKENS.has(token)), 'ssh, jupyter, args or their _proxy/_direc(t) forms')
      .optional(),
    args: z.array(z.string()).nullable().optional(),
    args_str: z.string().nullable().optional(),
    onstart: z.string().nullable().optional(),
    extra: z.string().nullable().optional(),
    image_login: z.string().nullable().optional(),
    python_utf8: z.boolean().optional(),
    lang_utf8: z.boolean().optional(),
    use_jupyter_lab: z.boolean().optional(),
    jupyter_dir: z.string().nullable().optional(),
    force: z.boolean().optional(),
    cancel_unavail: z.boolean().optional(),
    user: z.string().nullable().optional(),
    target_state: z.enum(['running', 'stopped']).optional(),
    vm: z.boolean().optional(),
    target_reliability: z.number().gt(0).lt(1).optional(),
    volume_info: z
      .strictObject({
        create_new: z.boolean(),
        volume_id: z.number().int(),
        size: z.number().int().optional(),
        mount_path: z.string(),
        name: z.string().optional(),
      })
      .optional(),
  })
  .superRefine((body, context) => {
    if (!body.image && !body.template_hash_id) context.addIssue({ code: 'custom', path: ['image'], message: 'image is required (or a template_hash_id)' });
    if (body.env && typeof body.env === 'object') {
      let total = 0;
      for (const [key, value] of Object.entries(body.env)) {
        total += key.length + value.length;
        if (value.length > 256)
          context.addIssue({ code: 'custom', path: ['env', key], message: `an env value is at most 256 characters, got ${value.length}` });
      }
      if (total > 32_768) context.addIssue({ code: 'custom', path: ['env'], message: `env is at most 32768 characters in all, got ${total}` });
    }
    const launch = (body.args ?? []).join(' ').length + (body.args_str ?? '').length + (body.onstart ?? '').length;
    if (launch > 4096)
      context.addIssue({ code: 'custom', path: ['onstart'], message: `args, args_str and onstart are at most 4096 characters together, got ${launch}` });
  });

/** PUT /api/v0/instances/<id>/: start or stop (`state`), or rename (`label`), one at a time as the official client does. */
export const manageSchema = z
  .strictObject({ state: z.enum(['running', 'stopped']).optional(), label: z.string().max(256).optional() })
  .refine((body) => (body.state === undefined) !== (body.label === undefined), 'exactly one of state or label');

export const listQuerySchema = z.strictObject({
  select_filters: z.record(z.string(), z.unknown()).optional(),
  select_cols: z.array(z.string()).optional(),
  order_by: z.array(z.strictObject({ col: z.string(), dir: z.enum(['asc', 'desc']) })).optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  after_token: z.string().optional(),
});

/** A zod failure as Vast-like JSON: what was wrong, by path. */
export function refusal(error: z.ZodError): { success: false; error: 'invalid_args'; msg: string } {
  return {
    success: false,
    error: 'invalid_args',
    msg: error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; '),
  };
}
