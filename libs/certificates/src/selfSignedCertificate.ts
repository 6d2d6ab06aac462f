// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata API first.
import 'reflect-metadata';
import { KeyObject, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';

export interface CertificateOptions {
  /** The subject's CN; also a DNS name of the certificate unless it is an IP address. Default "nodetool-worker". */
  commonName?: string;
  /** More names the certificate is valid for. */
  dnsNames?: string[];
  ipAddresses?: string[];
  /** Validity from now (a minute back, for clock skew). */
  days: number;
}

export interface SelfSignedCertificate {
  certPem: string;
  /** PKCS#8 PEM. */
  keyPem: string;
  /** SHA-256 as Node and the worker's log print it ("AB:CD:…"), the value a pin compares. */
  fingerprint: string;
}

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
const IP_ADDRESS = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]+)$/i;

// Node's WebCrypto is the standard one; the casts only bridge this project's Node types and the library's DOM ones.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/**
 * An EC P-256 self-signed certificate and its key, made in this process with Node's WebCrypto: a server
 * certificate (serverAuth) that names `commonName` and the given names. Nothing touches the disk.
 */
export async function selfSignedCertificate(options: CertificateOptions): Promise<SelfSignedCertificate> {
  const commonName = options.commonName ?? 'nodetool-worker';
  const dnsNames = [...(IP_ADDRESS.test(commonName) ? [] : [commonName]), ...(options.dnsNames ?? [])];
  const ipAddresses = [...(IP_ADDRESS.test(commonName) ? [commonName] : []), ...(options.ipAddresses ?? [])];
  const keys = await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
  const notBefore = new Date(Date.now() - 60_000);
  // Positive and unpredictable: 16 random bytes with the top bit cleared (RFC 5280, 4.1.2.2).
  const serial = randomBytes(16);
  serial[0] = (serial[0] as number) & 0x7f;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: `CN=${commonName}`,
    notBefore,
    notAfter: new Date(notBefore.getTime() + options.days * 24 * 3600 * 1000),
    signingAlgorithm: SIGNING_ALGORITHM,
    keys: keys as unknown as x509.X509CertificateCreateSelfSignedParams['keys'],
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
        ...ipAddresses.map((value) => ({ type: 'ip' as const, value })),
      ]),
    ],
  });
  // Ends with a newline, as PEM files do: concatenated into a bundle, the next BEGIN line must start a line.
  const certPem = `${certificate.toString('pem').trimEnd()}\n`;
  const keyPem = KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string;
  return { certPem, keyPem, fingerprint: new X509Certificate(certPem).fingerprint256 };
}
