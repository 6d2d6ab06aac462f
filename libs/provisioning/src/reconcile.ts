import { INSTANCE_PREFIX, type ProviderInstance } from '@nt/providers';

/** Instances of ours (by name) that the server does not know: left behind by a crash, or made elsewhere. Terminated ones do not bill. */
export function orphansAmong(listed: ProviderInstance[], known: ReadonlySet<string>): ProviderInstance[] {
  return listed.filter(
    (instance) => instance.name.startsWith(INSTANCE_PREFIX) && instance.state !== 'terminated' && !known.has(`${instance.provider}:${instance.id}`),
  );
}
