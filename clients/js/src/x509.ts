/**
 * X.509 certificates of the root and the document signers (RFC 5280), parsed with
 * @peculiar/asn1-x509; signatures checked in crypto.ts. Only what the trust model needs:
 * the kid, the public key, the validity period and "issued by the root".
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate as AsnCertificate } from '@peculiar/asn1-x509';
import { base64 } from '@scure/base';

import { bytesEqual } from './cbor.js';
import { ALG_EDDSA, ALG_ES256, KID_BYTES } from './codec.js';
import { sha256Digest, verifyCertificateSignature } from './crypto.js';
import type { PublicKey } from './crypto.js';

const OID_ED25519 = '1.3.101.112'; // RFC 8410 §3
const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1'; // RFC 5480 §2.1.1
const OID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2'; // RFC 5758 §3.2
// DER of the namedCurve OID secp256r1 1.2.840.10045.3.1.7 (RFC 5480 §2.1.1.1).
const P256_CURVE_DER = Uint8Array.of(0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07);
const PEM_RE = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/;

/** A parsed certificate: what the verifier uses of it. */
export interface Certificate {
  /** The DER bytes as given. */
  readonly der: Uint8Array;
  /** First 8 bytes of SHA-256 over the DER (docs/FORMAT.md §4). */
  readonly kid: Uint8Array;
  /** The subject's public key, or null when it is neither Ed25519 nor P-256. */
  readonly publicKey: PublicKey | null;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** DER of the issuer and subject Names (re-encoded by the parser, so comparable). */
  readonly issuerDer: Uint8Array;
  readonly subjectDer: Uint8Array;
  /** The tbsCertificate bytes exactly as received, the certificate's signature algorithm and value. */
  readonly tbs: Uint8Array;
  readonly signatureAlgorithm: string;
  readonly signature: Uint8Array;
}

/**
 * Parse a DER certificate, or the first PEM "CERTIFICATE" block of a text.
 *
 * @param input - DER bytes, or PEM text (as `verify keys` writes root.crt).
 * @throws RangeError - not a certificate.
 */
export function parseCertificate(input: Uint8Array | string): Certificate {
  let der: Uint8Array;
  if (typeof input === 'string') {
    const match = PEM_RE.exec(input);
    if (match === null || match[1] === undefined) throw new RangeError('certificate: no PEM CERTIFICATE block');
    der = base64.decode(match[1].replace(/\s+/g, ''));
  } else {
    der = input;
  }
  let cert: AsnCertificate;
  try {
    cert = AsnConvert.parse(der, AsnCertificate);
  } catch (exc) {
    throw new RangeError(`certificate: not DER X.509 (${exc instanceof Error ? exc.message : 'error'})`);
  }
  const tbs = cert.tbsCertificate;
  const tbsRaw = (cert as { tbsCertificateRaw?: ArrayBuffer | Uint8Array }).tbsCertificateRaw;
  if (tbsRaw === undefined) throw new RangeError('certificate: the parser kept no tbsCertificate bytes');
  const sigOid = cert.signatureAlgorithm.algorithm;
  return {
    der,
    kid: sha256Digest(der).subarray(0, KID_BYTES),
    publicKey: publicKeyOf(tbs.subjectPublicKeyInfo.algorithm.algorithm, tbs.subjectPublicKeyInfo.algorithm.parameters,
      new Uint8Array(tbs.subjectPublicKeyInfo.subjectPublicKey)),
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    issuerDer: new Uint8Array(AsnConvert.serialize(tbs.issuer)),
    subjectDer: new Uint8Array(AsnConvert.serialize(tbs.subject)),
    tbs: new Uint8Array(tbsRaw),
    signatureAlgorithm: sigOid === OID_ED25519 ? 'Ed25519' : sigOid === OID_ECDSA_WITH_SHA256 ? 'ecdsa-with-SHA256' : sigOid,
    signature: new Uint8Array(cert.signatureValue),
  };
}

function publicKeyOf(oid: string, parameters: ArrayBuffer | null | undefined, key: Uint8Array): PublicKey | null {
  if (oid === OID_ED25519 && key.length === 32) return { alg: ALG_EDDSA, raw: key };
  if (oid === OID_EC_PUBLIC_KEY && parameters && bytesEqual(new Uint8Array(parameters), P256_CURVE_DER)) {
    return { alg: ALG_ES256, raw: key };
  }
  return null;
}

/**
 * Whether `certificate` names `issuer` as its issuer and carries a valid signature by it
 * (Python `keys.is_issued_by`).
 */
export function isIssuedBy(certificate: Certificate, issuer: Certificate): boolean {
  if (issuer.publicKey === null || !bytesEqual(certificate.issuerDer, issuer.subjectDer)) return false;
  return verifyCertificateSignature(issuer.publicKey, certificate.signatureAlgorithm, certificate.signature,
    certificate.tbs);
}
