"""The English templates of the edges of `verify`: the trust list file, the audit chain, issue-time and host
configuration checks, the transparency log's range refusals, and the `verify` errors the web layer raises itself
(issue 10 item 15).

Part of `verify.texts.ENGLISH` (merged there; kept apart so that the one table stays one screenful per job): the
same rules hold — every key has a kk, ru and en text in the web catalogues, `web/ui/locale/*/LC_MESSAGES/
messages.po`, with the same `str.format` placeholders (tests/core/test_texts.py).
"""

from __future__ import annotations

from typing import Final

EDGES: Final[dict[str, str]] = {
    # the trust list file (verify/trust.py)
    "v_tl_bad_time": "trust list: bad time {value}",
    "v_tl_root_key_mismatch": "the root key does not match the root certificate",
    "v_tl_schema": "trust list: schema violation at {where}: {reason}",
    "v_tl_other_root": "trust list: signed by another root than the one configured",
    "v_tl_alg": "trust list: signature algorithm does not match the root key",
    "v_tl_signature": "trust list: the root's signature does not verify",
    "v_tl_rollback": "trust list: version {version} is older than version {seen} already seen (rollback refused)",
    "v_tl_not_canonical": "trust list: not canonical JSON (RFC 8785): {kind}",
    "v_tl_json_duplicate": "duplicate key {key}",
    "v_tl_json_fraction": "a number with a fraction or exponent",
    "v_tl_json_constant": "{value} is not JSON",
    "v_tl_refused_json": "trust list: refused JSON: {reason}",
    "v_tl_cap": "trust list: over the 4 MiB cap",
    "v_tl_not_utf8": "trust list: not UTF-8 (RFC 8259 §8.1)",
    "v_tl_not_json": "trust list: not valid JSON",
    "v_tl_type": "trust list: must be JSON text, bytes or an object",
    "v_tl_depth": "trust list: nested deeper than {limit}",
    "v_tl_keys": "trust list: object keys must be text",
    "v_tl_big_int": "trust list: an integer beyond +-(2^53 - 1) (RFC 7493 §2.2)",
    "v_tl_value_type": "trust list: a {kind} is not allowed",
    "v_tl_surrogate": "trust list: a lone surrogate in a string (RFC 7493 §2.1)",
    "v_tl_cert": "trust list: signer {kid}: certificate is not base64 DER",
    "v_tl_key_type": "trust list: signer {kid}: unsupported key type (Ed25519 or P-256 only)",
    "v_tl_log_key": "trust list: log signer {kid}: must be Ed25519 (C2SP signed-note)",
    # the audit chain (verify/registry/audit.py)
    "v_audit_tail_deleted": ("the audit log ends at event {count} but its head names event {head}: event(s) "
        "{first}..{head} were deleted"),
    "v_audit_head_rewritten": ("the audit head (event {head}) does not match the last event {count}: the head or the "
        "end of the chain was rewritten"),
    "v_audit_missing": "audit event {seq} is missing: deleted (the next event is {next})",
    "v_audit_edited": "audit event {seq} was edited: its fields no longer match its hash",
    "v_audit_reordered": "audit event {seq} was reordered: it follows event {owner} in the chain, not event {previous}",
    "v_audit_renumbered": ("audit event {seq} does not follow event {previous}: the event before it was deleted and "
        "the rest renumbered"),
    # issue time and the service's hosts (verify/codec.py, verify/issue.py)
    "v_codec_naive_time": "must be timezone-aware",
    "v_codec_award_after_signing": "must not be later than the signing time",
    "v_url_ascii": "must be ASCII (an internationalised host is written in its xn-- form)",
    "v_url_shape": "must be http(s)://host[:port] without user info",
    "v_url_path": "must not have a path, query or fragment",
    "v_url_prefix_long": "the QR prefix {prefix} must be at most {limit} characters",
    "v_url_none": "at least one verification host is needed",
    "v_url_prefix_ascii": "must be ASCII",
    "v_url_prefix_end": "must end with /V/",
    "v_over_budget": ("the signed record is {size} bytes and needs QR version {version} at ECC M; the budget is "
        "version {limit} (a module of at least 0.41 mm at 30 mm): shorten the name or the host"),
    # the log's range refusals (verify/registry/tlog.py, verify/transparency/store.py, web/public/log.py)
    "v_log_entries_range": "entries: need 0 <= start < end <= {size}, not {start} and {end}",
    "v_log_size_beyond": "tree size {tree_size} is beyond the log's {size}",
    "v_log_tree_size": "tree size: must be an integer from 0 to {limit}",
    "v_log_leaf_range": "leaf index {index} is not in a tree of {tree_size} leaves",
    "v_log_consistency_range": "a consistency proof needs 0 < old size <= new size, not {old} and {new}",
    "v_log_no_checkpoint_yet": "no checkpoint has been signed yet",
    "v_log_revision_absent": "{series} {number} revision {revision} is not in the log",
    # the web layer's own refusals raised as `verify` errors (web/admin, web/auth, web/officer, web/runtime)
    "v_adm_no_officer": "no officer account {username}",
    "v_adm_kid": "give 16 hex digits",
    "v_adm_time_zone": "give a time zone, e.g. 2026-08-14T00:00:00Z",
    "v_adm_no_signer": "no signer with kid {kid}",
    "v_adm_signer_revoked": "signer {kid} is revoked already",
    "v_adm_partner_tokens": "a partner's tokens are made by an administrator",
    "v_officer_only": "only an officer account acts for an institution",
    "v_doc_revision_absent": "the document has no revision {revision}",
    "v_sheet_group_or_batch": "give exactly one of group and batch",
    "v_sheet_too_many": "more than {limit} codes: print the group in batches",
    "v_sl_not_signed": "no status list of series {series} is signed yet",
    # no signer may sign this document (verify/signerset.py; the catalogue's sentences since issue 10 item 6)
    "signer_scope_no_signer": ("No document signer is active: the administrator must create one. Nothing was signed "
        "or stored."),
    "signer_scope_series": ("No active document signer may sign series {series}: the administrator must create a "
        "signer whose scope holds it. Nothing was signed or stored."),
    "signer_scope_institution": ("No active document signer may sign series {series} for institution {bin}: the "
        "administrator must create the institution's signer. Nothing was signed or stored."),
    # the key store's refusals an administrator or an officer reads (verify/keystore.py)
    "v_ks_signer_revoked": "the active {usage} signer is revoked; run `verify keys rotate`",
    "v_ks_log_ed25519": "a log signer is Ed25519 (checkpoints are C2SP signed notes)",
    "v_ks_not_scoped": "a {usage} signer is not scoped to an institution",
    "v_ks_no_signer": "no signer with kid {kid}",
    "v_ks_revoked_already": "signer {kid} is revoked already",
    "v_ks_list_invalid": "the new trust list does not verify: {cause}",
    "v_ks_several_active": ("{count} document signers are active: name the one to replace by its scope (--institution"
        " BIN, or --series for a signer of any institution)"),
    "v_ks_usage": "usage must be one of {usages}",
}
"""Message id -> English template (`str.format` placeholders) of the edges."""

__all__ = ["EDGES"]
