"""The trust list's JSON Schema (trust-list.schema.json), shipped as package data; `verify.trust` loads it."""
