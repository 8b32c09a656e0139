/**
 * The JSON Schema of the trust list (docs/FORMAT.md §6): a copy of verify/schemas/trust-list.schema.json,
 * kept as a module so that browsers load it without a JSON loader. test/schema.test.js fails when they differ.
 */
export const TRUST_LIST_SCHEMA: Record<string, unknown> = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://verify.edu.kz/schemas/trust-list-1.json",
  "title": "verify trust list, version 1",
  "description": "The document signers a verifier trusts, signed by the root. docs/FORMAT.md §6. The signature covers the RFC 8785 canonical JSON of `payload`.",
  "type": "object",
  "additionalProperties": false,
  "required": [
    "payload",
    "signature"
  ],
  "properties": {
    "payload": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "type",
        "format",
        "version",
        "environment",
        "issued_at",
        "expires_at",
        "root_kid",
        "signers"
      ],
      "properties": {
        "type": {
          "const": "verify-trust-list"
        },
        "format": {
          "const": 1
        },
        "version": {
          "type": "integer",
          "minimum": 1,
          "description": "Increases with every publication; verifiers refuse an older version than one seen."
        },
        "environment": {
          "enum": [
            "production",
            "development",
            "test"
          ]
        },
        "issued_at": {
          "$ref": "#/$defs/time"
        },
        "expires_at": {
          "$ref": "#/$defs/time"
        },
        "root_kid": {
          "$ref": "#/$defs/kid"
        },
        "signers": {
          "type": "array",
          "maxItems": 10000,
          "items": {
            "type": "object",
            "additionalProperties": false,
            "required": [
              "kid",
              "label",
              "certificate",
              "usage_from",
              "usage_until",
              "scope",
              "revocation"
            ],
            "properties": {
              "kid": {
                "$ref": "#/$defs/kid"
              },
              "usage": {
                "enum": [
                  "document",
                  "status",
                  "log"
                ],
                "description": "What the signer may sign: records (document), status lists (status), transparency-log checkpoints (log). Absent: document (lists written before usages existed). docs/FORMAT.md §6.3."
              },
              "label": {
                "type": "string",
                "maxLength": 200
              },
              "certificate": {
                "type": "string",
                "contentEncoding": "base64",
                "maxLength": 8000,
                "description": "DER of the X.509 document signer certificate, standard base64."
              },
              "usage_from": {
                "$ref": "#/$defs/time"
              },
              "usage_until": {
                "$ref": "#/$defs/time"
              },
              "scope": {
                "type": "object",
                "additionalProperties": false,
                "required": [
                  "series",
                  "institution_bin"
                ],
                "properties": {
                  "series": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 100,
                    "uniqueItems": true,
                    "items": {
                      "type": "string",
                      "maxLength": 4
                    }
                  },
                  "institution_bin": {
                    "oneOf": [
                      {
                        "type": "null"
                      },
                      {
                        "type": "string",
                        "pattern": "^[0-9]{12}$"
                      }
                    ]
                  }
                }
              },
              "revocation": {
                "oneOf": [
                  {
                    "type": "null"
                  },
                  {
                    "type": "object",
                    "additionalProperties": false,
                    "required": [
                      "revoked_at",
                      "compromised_at",
                      "reason"
                    ],
                    "properties": {
                      "revoked_at": {
                        "$ref": "#/$defs/time"
                      },
                      "compromised_at": {
                        "$ref": "#/$defs/time"
                      },
                      "reason": {
                        "type": "string",
                        "maxLength": 500
                      }
                    }
                  }
                ]
              }
            }
          }
        }
      }
    },
    "signature": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "alg",
        "kid",
        "value"
      ],
      "properties": {
        "alg": {
          "enum": [
            "EdDSA",
            "ES256"
          ]
        },
        "kid": {
          "$ref": "#/$defs/kid"
        },
        "value": {
          "type": "string",
          "pattern": "^[A-Za-z0-9_-]{86}$",
          "description": "64-byte signature, base64url without padding."
        }
      }
    }
  },
  "$defs": {
    "kid": {
      "type": "string",
      "pattern": "^[0-9a-f]{16}$"
    },
    "time": {
      "type": "string",
      "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"
    }
  }
};
