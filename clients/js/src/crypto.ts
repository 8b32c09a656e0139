/**
 * Signature checks, in one place: COSE signatures (steps 5), the root's signature over the trust
 * list (docs/FORMAT.md §6) and over signer certificates (step 6). Only @noble/curves and
 * @noble/hashes do cryptography here.
 *
 * - Ed25519 (COSE EdDSA, -8): RFC 8032 §5.1.7 with canonical encodings (`zip215: false`), and,
 *   as libsodium (the Python verifier's) does, no small-order public key or R.
 * - ECDSA P-256 with SHA-256 (COSE ES256, -7): the signature is r || s, 32 bytes each
 *   (RFC 9053 §2.1), in low-S form only ({@link ES256_REQUIRE_LOW_S}); certificates carry DER.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';

import { ALG_EDDSA, ALG_ES256 } from './codec.js';

/**
 * Whether an ES256 signature with s > n/2 is refused: yes (docs/FORMAT.md §4, "ES256 low-S"), for
 * records, trust lists and status lists alike, as the Python verifier (`keys.signature_check`) does:
 * 1 <= r < n and 1 <= s <= n/2. (r, n - s) verifies whenever (r, s) does, so without the rule one
 * signed record would have two QR texts. Certificate signatures (DER, X.509) are not COSE and keep
 * either S.
 */
export const ES256_REQUIRE_LOW_S = true;

/** A public key of a supported type: raw Ed25519 (32 bytes) or a SEC1 P-256 point. */
export interface PublicKey {
  /** The COSE algorithm that goes with the key: -8 (Ed25519) or -7 (P-256). */
  readonly alg: number;
  /** Ed25519: 32 bytes; P-256: the SEC1 point (65 bytes uncompressed). */
  readonly raw: Uint8Array;
}

/** SHA-256 (FIPS 180-4). */
export function sha256Digest(data: Uint8Array): Uint8Array {
  return sha256(data);
}

/**
 * Whether `signature` is a valid COSE signature of `data` under `key` with COSE algorithm `alg`.
 *
 * @param key - the signer's public key.
 * @param alg - -8 or -7; a mismatch with the key's type gives false.
 * @param signature - 64 bytes (Ed25519, or ES256 r || s).
 * @param data - the signed bytes (the Sig_structure, or the JCS form of a trust list payload).
 * @returns true only for a valid signature; never throws for bad input.
 */
export function verifySignature(key: PublicKey, alg: number, signature: Uint8Array, data: Uint8Array): boolean {
  if (alg !== key.alg || signature.length !== 64) return false;
  try {
    if (alg === ALG_EDDSA) return verifyEd25519(key.raw, signature, data);
    if (alg === ALG_ES256) {
      return p256.verify(signature, data, key.raw, { prehash: true, lowS: ES256_REQUIRE_LOW_S, format: 'compact' });
    }
  } catch {
    return false;
  }
  return false;
}

/**
 * Whether a certificate signature verifies: Ed25519 over the TBS bytes, or ECDSA with SHA-256
 * (DER signature value, RFC 5758 §3.2) under a P-256 issuer key.
 *
 * @param issuerKey - the issuer's public key.
 * @param algorithm - the certificate's signature algorithm: "Ed25519" or "ecdsa-with-SHA256".
 * @param signature - the signatureValue bytes.
 * @param tbs - the DER of tbsCertificate exactly as received.
 */
export function verifyCertificateSignature(issuerKey: PublicKey, algorithm: string, signature: Uint8Array,
  tbs: Uint8Array): boolean {
  try {
    if (algorithm === 'Ed25519' && issuerKey.alg === ALG_EDDSA) return verifyEd25519(issuerKey.raw, signature, tbs);
    if (algorithm === 'ecdsa-with-SHA256' && issuerKey.alg === ALG_ES256) {
      return p256.verify(signature, tbs, issuerKey.raw, { prehash: true, lowS: false, format: 'der' });
    }
  } catch {
    return false;
  }
  return false;
}

function verifyEd25519(publicKey: Uint8Array, signature: Uint8Array, data: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const point = ed25519.Point.fromBytes(publicKey, false);
  const r = ed25519.Point.fromBytes(signature.subarray(0, 32), false);
  if (point.isSmallOrder() || r.isSmallOrder()) return false;
  return ed25519.verify(signature, data, publicKey, { zip215: false });
}
