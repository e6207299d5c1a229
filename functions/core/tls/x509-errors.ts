/** A certificate Go's crypto/x509 parser refuses; the message says which field and why. */
export class CertificateParseError extends Error {
  override readonly name = 'CertificateParseError';
}
