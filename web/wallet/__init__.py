"""The wallet surface: OpenID for Verifiable Credential Issuance 1.0 and the links a credential names (issue 17).

| route                                                   | who           | does                                    |
|---------------------------------------------------------|---------------|-----------------------------------------|
| GET /.well-known/openid-credential-issuer               | anyone        | Issuer Metadata (OID4VCI 1.0 §12.2)     |
| GET /.well-known/oauth-authorization-server             | anyone        | AS Metadata (RFC 8414)                  |
| POST /oid4vci/token                                     | wallet        | pre-authorized code + tx_code -> token  |
| POST /oid4vci/nonce                                     | wallet        | a fresh c_nonce (§7)                    |
| POST /oid4vci/credential                                | wallet token  | the diploma's VC for the proven key     |
| POST /api/v1/officer/documents/{s}/{n}/credential-offer | officer:write | an offer of the document's credential   |
| POST /api/v1/partner/credential-offers                  | partner:read  | an offer for a holder's document (IIN   |
|                                                         |               | in the body)                            |
| GET /api/v1/institutions/{bin}                          | anyone        | the issuer's Open Badges Profile        |
| GET /api/v1/keys/{kid}                                  | anyone        | a trust-list signer's JWK and chain     |
| GET /api/v1/achievements/{doc type}/{programme}         | anyone        | the Achievement a credential names      |
| GET /api/v1/status-lists/{series}/bitstring/r{rev}      | anyone        | Bitstring Status List credential (JWT)  |

`issuance` (the OID4VCI endpoints), `offers` (making offers), `links` (the public links) and `service` (what they
share: building and signing a credential, the bitstring lists' cache).
"""
