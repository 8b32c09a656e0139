"""Messages for people, as a stable key and its parameters: `Text` (issue 10 item 15).

Every refusal, import reason and verification step detail that `verify` gives a person is a `Text`: a message id
(the gettext `msgid` of the web catalogues, `web/ui/locale/{kk,ru,en}/LC_MESSAGES/messages.po`) and the values of
its placeholders. The library itself speaks English (`Text.english()`, from `ENGLISH`, the one table of the English
templates; the command line prints it); the service renders the same `Text` in the reader's language from the
catalogues (`web.ui.i18n.Translator.text`), so the console, the pages and the API's `detail` say the same thing in
kk, ru or en, while the API's `code` stays stable. A test walks `ENGLISH` and checks that each key has a kk, ru and
en text with the same placeholders, that the en text is this one, and that kk and ru differ from it (except the
`STRUCTURAL` templates, which hold no words).

Parameters are plain values (text, numbers), dates (`datetime.date`: ISO in English, the reader's long date form
in a page) or another `Text` (a nested phrase, rendered in the same language). A `Text` may name the `field` it is
about ("iin", "series", ...): the English message is then "field: text", as the record checks always wrote it, and
the field name, an identifier of the API and the import columns, is not translated.

    raise LifecycleError(text("v_life_annulled", document="BD 0000042", date=day, action=text("v_action_duplicate")))

Sources: the gettext model of message ids and catalogues (GNU gettext manual, §1.2 "Overview"), as Babel reads it;
`str.format` placeholders as the catalogues of `web.ui.i18n` already use them.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import Final, NamedTuple

from .texts_edges import EDGES

_NO_PARAMS: Final[Mapping[str, object]] = MappingProxyType({})


class Text(NamedTuple):
    """A message for a person: its key, its parameters, and optionally the field it is about.

    A named tuple (cheap to make: a verification makes one per step).

    Attributes:
        key: a key of `ENGLISH` (and of the web catalogues).
        params: placeholder name -> value: str, int, `datetime.date` / `datetime.datetime`, or a nested `Text`.
        field: the API field or import column the message is about ("iin"), or None.
    """

    key: str
    params: Mapping[str, object] = _NO_PARAMS
    field: str | None = None

    def english(self) -> str:
        """The English message: "field: text" when a field is named (the CLI and the library print it)."""
        params = self.params
        for value in params.values():
            if isinstance(value, _SPECIAL):  # nested texts and dates: their English form
                params = {name: english_value(value) for name, value in params.items()}
                break
        body = ENGLISH[self.key].format_map(params)
        return f"{self.field}: {body}" if self.field else body

    def without_field(self) -> Text:
        """The same message without its field (where the field is shown apart, as an import report's column)."""
        return self._replace(field=None)


def rfc3339(value: dt.datetime) -> str:
    """An aware time as every JSON answer and message of `verify` writes it: RFC 3339 in UTC with `Z`.

    `2026-11-01T12:00:00Z`, with `.ffffff` only when the microseconds are not zero — the form pydantic gives the
    HTTP API's models, so that one answer never mixes `Z` and `+00:00` (issue 10 item 20). The signed formats
    keep their own fixed forms (the trust list's `format_time`, the audit chain's).

    Raises:
        ValueError: a naive time (no zone: which instant it is cannot be known).
    """
    if value.tzinfo is not dt.UTC:  # a time in UTC (every time the verifier makes) is written as it is
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("a time without a zone cannot be written as RFC 3339")
        value = value.astimezone(dt.UTC)
    return value.isoformat().replace("+00:00", "Z")


_SPECIAL: Final = (Text, dt.date)


def english_value(value: object) -> object:
    """A parameter as the English message writes it: a nested `Text` in English, a date in ISO 8601, an aware time
    in the one RFC 3339 form (`rfc3339`)."""
    if isinstance(value, Text):
        return value.english()
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return rfc3339(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def text(key: str, /, *, field: str | None = None, **params: object) -> Text:
    """The `Text` of `key` with its parameters (checked against the English template's placeholders).

    Raises:
        KeyError: an unknown key, or parameters that do not match the template's placeholders (programming errors).
    """
    if _placeholders(key) != params.keys():
        raise KeyError(f"{key}: placeholders {sorted(_placeholders(key))}, given {sorted(params)}")
    return Text(key, params, field)


@cache
def _placeholders(key: str) -> frozenset[str]:
    """The placeholder names of a template (once per key: `text` runs on every verification step)."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(ENGLISH[key]) if name)


STRUCTURAL: Final = frozenset({"v_step_cose", "v_status_reason"})
"""Templates without words to translate (placeholders, punctuation, protocol names): the same in every language."""

ENGLISH: Final[dict[str, str]] = {
    "v_imp_too_many_rows": "the file has more than {limit} data rows; split it into smaller files",
    "v_imp_utf16": "the file is UTF-16 text; save it as CSV UTF-8",
    "v_imp_not_utf8": "the file is not UTF-8 text (first bad byte on line {line}); save it as CSV UTF-8",
    "v_imp_too_many_physical": "the file has more than {limit} rows",
    "v_imp_bad_csv": "malformed CSV at line {line}",
    "v_imp_no_header": "the file has no header row",
    "v_imp_not_xlsx": "the file is not a valid XLSX workbook (not a readable zip archive)",
    "v_imp_xlsx_members": "the XLSX archive has {count} members, over the limit of {limit}",
    "v_imp_xlsx_unpacked": "the XLSX workbook would unpack to {size}, over the limit of {limit}",
    "v_imp_xlsx_encrypted": "the XLSX archive is encrypted; save the workbook without a password",
    "v_imp_xlsx_unreadable": "the XLSX workbook could not be read (damaged or not an Excel workbook)",
    "v_imp_no_sheet": "the workbook has no sheet",
    "v_imp_sheet_rows": "the sheet has more than {limit} rows",
    "v_imp_sheet_empty": "the first sheet is empty (no header row)",
    "v_imp_empty_file": "the file is empty",
    "v_imp_header_empty": "the header row (row {row}) is empty; the first row must name the columns",
    "v_imp_too_many_columns": "the header has more than {limit} columns",
    "v_imp_unknown_column": ("unknown column (column {index}); expected {expected} or their Kazakh or Russian names "
        "(docs/IMPORT.md)"),
    "v_imp_unknown_full_name": ("unknown column (column {index}); a full name in one column must be split into "
        "surname, name and patronymic columns; expected {expected} or their Kazakh or Russian names "
        "(docs/IMPORT.md)"),
    "v_imp_column_twice": "the column appears twice (columns {first} and {second})",
    "v_imp_column_missing": "required column is missing (accepted headers: {names})",
    "v_imp_no_rows": "the file has a header but no data rows",
    "v_imp_headless_value": "a value in column {index}, which has no header",
    "v_imp_duplicate_row": "duplicate of row {row} (same IIN, doc_type and programme)",
    "v_imp_same_iin_other_person": "the same IIN as row {row} but a different surname, name, patronymic or birth date",
    "v_imp_full_name_long": ("the full name (surname, name, patronymic) is {length} characters; at most {limit} fit "
        "on the QR code"),
    "v_imp_before": "is before {date}",
    "v_imp_birth_differs_iin": ("differs from the birth date encoded in the IIN (its first six digits and the "
        "century digit); check both"),
    "v_imp_bool_not_text": "is true/false, expected text",
    "v_imp_number_not_text": "is the number {value}, expected text",
    "v_imp_date_not_text": "is a date or time, expected text",
    "v_imp_required": "is required",
    "v_imp_cell_long": "is longer than {limit} characters",
    "v_imp_invisible": ("contains control or invisible characters (a line break, a tab, a no-break or zero-width "
        "space?)"),
    "v_imp_iin_12": "must be exactly 12 digits",
    "v_imp_iin_decimal": "is stored as a decimal number, so digits may be lost; format the IIN column as text",
    "v_imp_iin_short": ("must be exactly 12 digits, found {count} (a leading zero may have been lost when the column "
        "was formatted as a number)"),
    "v_imp_mixed_scripts": "mixes Latin and Cyrillic letters (e.g. a Latin 'i' for the Kazakh 'і'); check the spelling",
    "v_imp_time_of_day": "has a time of day; expected a date",
    "v_imp_number_not_date": "is the number {value}, not a date; format the cell as a date or write YYYY-MM-DD",
    "v_imp_not_calendar_date": "{value} is not a calendar date",
    "v_imp_not_date_form": "{value} is not a date in the form YYYY-MM-DD or DD.MM.YYYY",
    "v_imp_future": "{date} is in the future",
    "v_imp_award_too_early": "is less than {years} years after birth_date",
    "v_imp_unknown_doc_type": "unknown document type {value}; expected one of {codes}",
    "v_imp_programme_neither": ("{value} is neither a TVE specialty code of 8 digits (06130100) nor a "
        "higher-education programme code (6B06101, 7M01501, 8D05302)"),
    "v_imp_programme_tve": "{value}: doc_type {doc_type} needs a TVE specialty code of 8 digits such as 06130100",
    "v_imp_programme_he": "{value}: doc_type {doc_type} needs a higher-education programme code such as {example}",
    "v_imp_programme_level": "{value} is a {level} programme, but doc_type {doc_type} needs a {wanted} programme",
    "v_level_6B": "bachelor's (6B)",
    "v_level_7M": "master's (7M)",
    "v_level_8D": "doctoral (8D)",
    "v_level_other": "level {prefix}",
    "v_or": "{first} or {second}",
    "v_imp_qualification_tve": "{value} is not a TVE qualification code such as 4S06130103",
    "v_imp_qualification_specialty": ("{value} does not belong to specialty {programme} (its digits after the letter "
        "should begin with the first six digits of the specialty)"),
    "v_imp_qualification_he": "{value} must be 1-{limit} characters of 0-9 and A-Z",
    "v_imp_honours_value": "{value} is not one of true/false, 1/0, yes/no, иә/жоқ, да/нет",
    "v_imp_honours_false": "is false, but doc_type {doc_type} is the diploma with honours",
    "v_imp_honours_true": "is true: the diploma with honours of doc_type {doc_type} has doc_type {honours_type}",
    "v_imp_group_iin": "holds an IIN (12 digits with a valid check digit); leave it out",
    "v_imp_group_long": "is {length} characters; at most {limit}",
    "v_imp_birth_differs_registry": ("differs from the birth date this institution registered for this IIN in an "
        "earlier import"),
    "v_imp_kept_name": ("this institution registered another name for this person, on issued documents: kept it (a "
        "name changes only through a correction or a duplicate)"),
    "v_imp_kept_registry": ("differs from the registry, which issued a document for it: kept the registry's data "
        "(use a correction)"),
    "v_imp_doc_type_unknown": "unknown document type {doc_type}",
    "v_imp_doc_type_college": "{doc_type} documents are issued by colleges; this institution is a university",
    "v_imp_doc_type_university": "{doc_type} documents are issued by universities; this institution is a college",
    "v_imp_xls": ("this is an old Excel .xls file or a password-protected workbook; save it as .xlsx (Excel "
        "Workbook) without a password, or as CSV UTF-8"),
    "v_imp_csv_is_zip": "the file is named .csv but is a zip archive (an XLSX workbook?); name it .xlsx",
    "v_rec_text": "must be text",
    "v_rec_nfc": "must be in Unicode NFC form",
    "v_rec_length": "must be 1-{limit} characters",
    "v_rec_name_letters": ("only letters of the Kazakh and Russian alphabets, with single hyphens, apostrophes or "
        "spaces between letters"),
    "v_rec_full_name": "at most {limit} characters in all",
    "v_rec_duplicate_no": "must be 1..{limit}",
    "v_rec_normalised": "must be given in its normalised form",
    "v_rec_version": "only format version {version} is defined",
    "v_rec_doc_type": "unknown document type code",
    "v_rec_series_of_type": "document type {doc_type} is printed with series {series}",
    "v_rec_holder": "must be a HolderName",
    "v_rec_award_date": "must be a calendar date from 1900-01-01",
    "v_rec_bool": "must be true or false",
    "v_rec_duplicate": "must be a DuplicateOf",
    "v_rec_revision": "must be 1..{limit}",
    "v_rec_object": "must be a JSON object",
    "v_rec_unknown_fields": "unknown field(s) {fields}",
    "v_rec_holder_object": "must be an object with surname, name and optional patronymic",
    "v_rec_duplicate_object": "must be an object",
    "v_rec_missing_field": "missing field {name}",
    "v_rec_iso_date": "must be an ISO date YYYY-MM-DD",
    "v_rec_code": "must be 1-{limit} characters of 0-9 and A-Z",
    "v_id_12_digits": "must be exactly 12 digits",
    "v_id_check_digit": "check digit does not match (not a valid {kind})",
    "v_id_century": "the seventh digit (century and sex) must be 1..6",
    "v_id_birth_date": "the first six digits are not a valid birth date",
    "v_id_series": "must be 1-4 letters, all Latin or all Cyrillic",
    "v_id_number": "must be exactly seven digits (leading zeros count)",
    "v_id_programme": ("must be a TVE specialty code of 8 digits (06130100) or a higher-education programme code "
        "(6B06101, 7M01501, 8D05302)"),
    "v_id_qualification": "must be a code such as 4S06130103",
    "v_number_typed": "must be the seven digits printed on the document (spaces between them are fine)",
    "v_what_document": "document {series} {number}",
    "v_what_graduate": "graduate #{id}",
    "v_what_blank": "blank {series} {number}",
    "v_what_institution": "institution {bin}",
    "v_what_original_of": "document {series} {number} or an original of graduate #{id}",
    "v_what_duplicate_of": "document {series} {number} or duplicate No. {n} of {original}",
    "v_action_duplicate": "duplicate",
    "v_action_correction": "correction",
    "v_action_annulment": "annulment",
    "v_action_reprint": "reprint on a new blank",
    "v_life_annulled": "document {document} was annulled on {date}: an annulment is final, no {action} is possible",
    "v_life_annulled_earlier": "document {document} was annulled: an annulment is final, no {action} is possible",
    "v_life_replaced_by": ("document {document} was replaced by duplicate No. {n} {duplicate} and is void: no "
        "{action} is possible on it; act on the document in force"),
    "v_life_replaced": ("document {document} was replaced and is void: no {action} is possible on it; act on the "
        "document in force"),
    "v_doc_not_found": "no document {series} {number} in the registry",
    "v_doc_id_not_found": "no document {id} in the registry",
    "v_doc_no_single_original": "the holder has no original document, or more than one: name it by series and number",
    "v_doc_no_revision": "document {document} has no revision {revision}",
    "v_exists": "{what} exists already",
    "v_no_free_blanks": ("no free blanks in this institution's stock: record the blanks received with `verify blanks "
        "add`"),
    "v_several_series": "the stock has blanks of several series ({series}): say which one",
    "v_doc_type_unknown": "unknown document type {doc_type}",
    "v_service_numbered": ("{doc_type} documents are numbered by the service (seed 001, item 7): no series or blank "
        "number may be given"),
    "v_graduate_not_found": "no graduate #{id}",
    "v_graduate_has_document": "graduate #{id} has document {document} already",
    "v_idempotency_key": "must be 1-128 characters",
    "v_idempotency_other": ("idempotency key {key} names another batch (another institution, group or series): use a "
        "new key"),
    "v_no_graduates_in_group": "no graduates in group {group} of this institution: import them first",
    "v_batch_not_opened": "idempotency key {key}: the batch could not be opened",
    "v_batch_chunk_conflict": "a graduate of this part of the batch received a document meanwhile (a concurrent issue)",
    "v_not_in_your_registry": "no such document in your institution's registry",
    "v_no_such_graduate": "no such graduate in your institution's registry",
    "v_dup_reason": "must be one of {reasons}",
    "v_dup_new_name_not_for": ("a new name is given only for a duplicate issued because the name changed or for a "
        "filling error, not for {reason}"),
    "v_dup_same_name": "the same as on the document it replaces",
    "v_dup_name_needed": "a duplicate issued because the name changed carries the new name",
    "v_cor_not_correctable": "cannot be corrected; correctable fields: {fields}",
    "v_cor_date": "must be a date",
    "v_cor_nonempty": "must be non-empty text",
    "v_cor_give_one": "give at least one field=value",
    "v_cor_reason": "a correction needs a reason",
    "v_cor_nothing": "nothing differs from revision {revision}",
    "v_ann_basis": "an annulment needs its basis",
    "v_blank_number": "must be a seven-digit number",
    "v_blank_order": "must not be greater than last",
    "v_blank_overlap_own": ("blanks {series} {first}-{last} overlap this institution's range {series} "
        "{other_first}-{other_last}"),
    "v_blank_overlap_other": ("blanks {series} {first}-{last} overlap blanks recorded in the registry already; "
        "check the numbers on the printing house's delivery note"),
    "v_blank_used": "blank {series} {number} is used or written off already",
    "v_blank_not_in_stock": "blank {series} {number} is not in this institution's stock",
    "v_blank_none_free": ("no free blank of series {series} in this institution's stock: record the blanks received "
        "with `verify blanks add`"),
    "v_blank_used_already": "blank {series} {number} is used already",
    "v_blank_write_off_reason": "a write-off needs a reason",
    "v_blank_state_used": "blank {series} {number} is used for a document",
    "v_blank_state_written_off": "blank {series} {number} is written off already",
    "v_signer_no_series": ("institution {bin} is a college with no blank series recorded; record its blanks first "
        "or name the series of its blanks"),
    "v_series_full": "series {series}: all seven-digit numbers are used",
    "v_officer_inactive": "officer {username} is deactivated",
    "v_officer_read_only": "officer {username} ({role}) may not change the registry",
    "v_link_not_found": "no {what} is published at this link",
    "v_bitstring_unavailable": "no status signer may sign the status list of series {series} now; try again later",
    "v_offer_not_in_force": "{document} is not in force: no credential is offered or issued for it",
    "v_offer_code_unusable": "the pre-authorized code is unknown, expired, already used or void",
    "v_offer_tx_code_wrong": "the transaction code is wrong; {left} attempt(s) left before the offer is void",
    "v_offer_nonce_unusable": "the nonce is unknown, expired or already used: ask the nonce endpoint for a new one",
    "v_offer_token_unusable": "the access token is unknown, expired or already used",
    "v_apx_whole_number": "a whole number is required",
    "v_apx_decimal": "a number is required (a decimal point or comma)",
    "v_apx_yes_no": "write yes or no",
    "v_apx_kind": "the kind must be one of: {kinds}",
    "v_apx_grade": "the grade's forms do not agree: {detail}",
    "v_apx_row": "the row breaks the appendix's rules: {detail}",
    "v_apx_columns": "the appendix needs the columns: {columns}",
    "v_apx_unknown_iin": "no graduate with this IIN in the graduates file",
    "v_apx_too_many": "a graduate's appendix has at most {limit} rows",
    "v_apx_one_thesis": "an appendix has at most one thesis",
    "v_apx_issued": "graduate #{id} has an issued diploma: its appendix changes only by a correction application",
    "v_apx_none": "{document} has no appendix in the registry",
    "v_apx_unchanged": "the appendix rows are the same as the current ones: nothing to correct",
    "v_give_bin": "give a BIN of 12 digits",
    "v_give_day": "give a day as YYYY-MM-DD",
    "v_apx_iin": ("holds an IIN (12 digits with a valid check digit): the appendix is shown on the public page; "
                  "leave it out"),
    "v_head_only": "only the head of the institution may do this; {username} is {role}",
    "v_other_institution": "{what} belongs to another institution than officer {username}'s",
    "v_registry_unreadable": "the registry cannot be read ({cause}); status unknown",
    "v_db_migrate": "cannot migrate the registry database: {cause}",
    "v_db_open": "cannot open the registry database ({cause})",
    "v_db_empty": "the registry database is empty: run `verify db init`",
    "v_db_version": "the registry database is at migration {at}, this code needs {head}: run `verify db upgrade`",
    "v_step_prefix": "prefix {prefix}",
    "v_step_digits": "{digits} digits, {bytes} bytes",
    "v_step_cose": "COSE_Sign1, {alg}, kid {kid}",
    "v_step_candidates": "{count} candidate signer(s) with kid {kid}",
    "v_step_signature": "signature verified by {label}",
    "v_step_chain": "signer certificate issued by the root",
    "v_step_payload": "{doc_type} {series} {number}, revision {revision}",
    "v_step_period": "signed at {signed_at}, within the signer's usage period",
    "v_step_not_revoked_before": "not revoked before the signing time",
    "v_step_not_revoked": "not revoked",
    "v_step_revoked_after": "revoked only with a compromise time after the signing time",
    "v_step_scope": "series {series} in the signer's scope",
    "v_step_not_checked": "no registry given: authentic; status not checked",
    "v_cbor_not_bytes": "{what}: must be bytes",
    "v_cbor_over_cap": "{what}: {size} bytes is over the cap of {cap}",
    "v_cbor_malformed": "{what}: not well-formed CBOR ({kind})",
    "v_cbor_not_deterministic": "{what}: not in deterministic CBOR encoding (RFC 8949 §4.2.1)",
    "v_log_no_checkpoint": "the log proof has no signed checkpoint: offline it proves nothing",
    "v_log_no_entry": "the registry holds this record but the transparency log has no entry for it: it was not issued "
                      "openly; report it",
    "v_step_logged": "logged as entry {index} of the transparency log",
    "v_step_log_proven": "entry {index} proven in the signed checkpoint of {size} entries ({origin})",
    "v_step_log_unchecked": "a log proof was given, but this verifier has no log check",
    "v_step_skipped_after": "not run after a failure",
    "v_step_wrong_host": "the link names {prefix}, not a verification host of this service",
    "v_step_unknown_kid": "no document signer with kid {kid} in trust list version {version}",
    "v_step_bad_signature": "the signature does not verify under any of the {count} candidate signer(s)",
    "v_step_untrusted": "the signer's certificate is not issued by the configured root",
    "v_step_signed_later": ("signed at {signed_at}, later than the time of the check {at} plus the allowed clock "
        "skew of {minutes} minutes"),
    "v_status_unknown_none": "no registry and no status list was consulted: status unknown",
    "v_status_unknown_before": ("the {source} answers as of {as_of}, before this record was signed ({signed_at}): "
        "status unknown"),
    "v_status_original": "the registry holds this original and it is in force",
    "v_status_duplicate": "duplicate No. {n}, issued instead of the original {series} {number}, in force",
    "v_status_replaced": "void: replaced by duplicate No. {n} {series} {number}",
    "v_status_replaced_on": "void: replaced by duplicate No. {n} {series} {number} issued on {date}",
    "v_status_reason": "{sentence} ({reason})",
    "v_status_in_force": "{sentence}; in force now: duplicate No. {n} {series} {number}",
    "v_status_corrected": "authentic, but corrected since: revision {revision} is current; changed: {fields}",
    "v_status_see_registry": "see registry",
    "v_status_annulled": "annulled on {date}: {basis}",
    "v_status_annulled_undated": "annulled: {basis}",
    "v_status_no_basis": "no basis given",
    "v_status_basis_in_registry": "the basis is in the registry",
    "v_status_not_in_registry": "the signature is good but the registry does not hold this record: report it",
    "v_status_from": "{sentence} (status as of {as_of}, from the {source})",
    "v_duplicate_reason_lost": "lost",
    "v_duplicate_reason_damaged": "damaged",
    "v_duplicate_reason_name_changed": "name_changed",
    "v_duplicate_reason_filling_error": "filling_error",
    "v_signer_desc": "Document signer, in use {start} – {end}",
    "v_lookup_not_found": ("no document with this series, number and surname in the registry; check the series as "
        "printed (BD, MD, ... or the letters of the blank), the seven digits of the number, and the surname as "
        "printed on this document (before any change of name)"),
    "v_imp_too_big": "the file is {size}, over the limit of {limit}",
    "v_status_other": "registry status {code}",
    "v_operator_fix": "{message} (the operator must fix the server's configuration)",
    "v_acc_password_length": "must be {min}-{max} characters",
    "v_acc_password_repeated": "must not be a few characters repeated",
    "v_acc_scopes_unknown": "unknown {unknown}; known: {known}",
    "v_acc_scopes_one": "give at least one",
    "v_acc_full_name": "must be 1-200 characters",
    "v_acc_username_taken": "the username {username} is taken",
    "v_acc_username_rule": "must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' and '-'",
    "v_acc_username_admin": "the username {username} is taken by an administrator account",
    "v_acc_officer_active": "officer {username} is active already",
    "v_acc_officer_disabled": "officer {username} is disabled already",
    "v_acc_token_name": "must be 1-{limit} characters",
    "v_acc_scopes_not_allowed": "{scopes} not allowed for this account (it may hold {allowed})",
    "v_acc_expires": "must be in the future",
    "v_acc_no_token": "no token {id}",
    "v_acc_token_revoked": "token {id} is revoked already",
    "v_inst_bin_taken": "an institution with BIN {bin} is registered already",
    "v_inst_not_found": "no institution {id} in the registry",
    "v_inst_no_bin": "no institution with BIN {bin}: register it with `verify institutions add`",
    "v_inst_no_officer": "no officer account {username}: open one with `verify officers add`",
    "v_partner_name": "must be 1-100 characters",
    "v_partner_exists": "a partner named {name} exists",
    "v_partner_not_found": "no partner {id}",
    "v_cbor_map": "must be a CBOR map",
    "v_cbor_int_keys": "keys must be integers",
    "v_cbor_missing": "missing key(s) {keys}",
    "v_cbor_unknown": "unknown key(s) {keys} in format version 1",
    "v_cbor_version": "format version {version} is not supported",
    "v_cbor_doc_type": "unknown document type id {id}",
    "v_cbor_bin": "institution BIN out of range",
    "v_cbor_revision": "revision, when present, must be an integer >= 2 (absent means 1)",
    "v_cbor_holder": "holder must be 2 or 3 text strings",
    "v_cbor_honours": "honours, when present, must be true",
    "v_cbor_duplicate": "duplicate must be [uint, series, number]",
    "v_cbor_dates": "award date or signing time out of range",
    "v_cbor_award_after_signing": "award date is later than the signing time",
    "v_cbor_typed": "{label} (key {key}) must be {kind}",
    "v_cose_tag": "must carry CBOR tag 18",
    "v_cose_array": "must be an array of four elements",
    "v_cose_bytes": "protected header, payload and signature must be byte strings",
    "v_cose_unprotected": "the unprotected header must be empty in this profile",
    "v_cose_header_keys": "must hold exactly alg (1) and kid (4)",
    "v_cose_alg": "algorithm {alg} is not supported (EdDSA -8, ES256 -7)",
    "v_cose_kid": "kid must be {count} bytes",
    "v_cose_signature": "signature must be {count} bytes",
    "v_qr_ipv4": "a host ending in a number must be an IPv4 address a.b.c.d",
    "v_qr_host": "the host must be labels of letters, digits and inner hyphens, separated by single dots",
    "v_qr_port": "the port must be 1-65535",
    "v_qr_http": "HTTP:// is allowed for development hosts only",
    "v_digits_count": "must be 1-{limit} decimal digits",
    "v_digits_only": "only the characters 0-9 may follow the prefix",
    "v_digits_leading_zero": "a leading zero is not canonical",
    "v_digits_marker": "the number must start with the 0x01 marker byte",
    "v_qr_text": "must be text",
    "v_qr_too_long": "too long for record format version 1",
    "v_qr_prefix": "does not start with HTTPS://<host>/V/ in ASCII letters",
    "v_trust_period": "signed at {signed_at}, outside the signer's usage period {start} to {end}",
    "v_trust_revoked": ("the signer was revoked; compromised since {compromised_at}, which is not after the signing "
        "time {signed_at}"),
    "v_trust_series_scope": "series {series} is outside the signer's scope ({scope})",
    "v_trust_institution_scope": "the institution is outside the signer's scope",
    # --- outbox ---
    "v_webhook_url": "must be an http or https URL of at most 2,000 characters, without user or password",
    "v_webhook_secret": "must be whsec_ followed by 24 to 64 bytes in base64 (Standard Webhooks)",
    **EDGES,  # the trust list file, the audit chain, issue-time checks, the log's refusals (verify/texts_edges.py)
    # --- archive ---
    "v_institution_closed": ("institution {institution} closed on {date} and its records are kept by the archive "
        "{archive}: officer {username} may only read them"),
    "v_close_self": "an institution cannot be its own archive ({bin})",
    "v_close_future": "the closing day {date} is in the future",
    "v_close_closed": "institution {bin} is closed already (since {date})",
    "v_close_archive_closed": "institution {bin} closed on {date} and cannot keep another institution's records",
    "v_blank_kind": "the blank kind must be one of: {kinds}",
    "v_ann_kind": "the annulment kind must be one of: {kinds}",
    "v_reprint_service_numbered": ("{document} is numbered by the service, not by its blank: print the same code "
        "again on a new blank"),
    "v_reprint_duplicate": ("{document} is a duplicate: a spoiled duplicate is replaced by the next duplicate "
        "(reason damaged)"),
    "v_reprint_basis": "blank spoiled while printing ({reason}); reprinted as {document}",
    "v_blank_kind_ordinary": "ordinary (dark blue)",
    "v_blank_kind_honours": "honours (red)",
    "v_blank_kind_altyn_belgi": "\u201cAltyn belgi\u201d (light blue)",
    "v_blank_none_free_kind": "no free blank {wanted} of series {series} in this institution's stock",
    "v_blank_kind_mismatch": ("blank {series} {number} is {kind}; this document is "
        "printed on a blank {wanted} (seed 000, item 8)"),
    "v_no_free_blanks_kind": ("no free blanks {wanted} in this institution's stock: "
        "record the blanks of that kind received"),
    # doctypes
    "v_imp_honours_none": "is true, but doc_type {doc_type} has no form with honours",
    "v_imp_only_incomplete": "is only for doc_type INCOMPLETE (the certificate of incomplete studies); this row is "
                             "{doc_type}",
    "v_imp_text_long": "is {length} characters long; at most {limit}",
    "v_imp_text_iin": "holds an IIN (12 digits with a valid check digit): it is printed on the certificate; leave "
                      "it out",
    "v_imp_studied_order": "is before studied_from",
    # --- cases (issue 13): applications for duplicates, corrections, annulments ---
    "v_case_one_of": "must be one of {allowed}",
    "v_case_appendix_only_duplicate": "only a duplicate or a correction may be of the appendix alone",
    "v_case_appendix_items": ("a correction of the appendix alone gives its new rows as {{\"items\": [...]}} and "
                              "nothing else"),
    "v_case_presented_none": "name at least one kind of document presented",
    "v_case_name_parts": "a new name has only the parts {fields}",
    "v_case_text_needed": "must not be empty",
    "v_case_received_future": "the day received cannot be after today ({today})",
    "v_case_reason_only_duplicate": "a reason is given only for a duplicate",
    "v_case_changes_not_for": "changes are given only for a correction, or as a duplicate's new name",
    "v_case_open_exists": "document {document} has an open application already: {number}",
    "v_case_annulment_no_review": "application {number} is an annulment: it goes to the head without a review",
    "v_case_notice_late": ("application {number}: a preliminary refusal is notified by {last} at the latest, 3 working "
        "days before the term ends on {due}"),
    "v_case_hearing_open": ("application {number}: the hearing window is open until {until}; record the hearing or "
        "wait until it ends"),
    "v_case_same_officer": ("officer {username} registered or prepared application {number} and may not approve it: "
        "another head must"),
    "v_case_signer_needed": "application {number}: a document signer is needed to carry it out",
    "v_case_not_found": "no application {number}",
    "v_what_application": "application {number}",
    "v_case_state": "application {number} is {state}; this step needs it {expected}",
}
"""Every message id of `verify` -> its English template (`str.format` placeholders)."""

__all__ = ["ENGLISH", "STRUCTURAL", "Text", "english_value", "text"]
