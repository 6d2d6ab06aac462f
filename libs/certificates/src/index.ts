export { selfSignedCertificate, type CertificateOptions, type SelfSignedCertificate } from './selfSignedCertificate.js';
