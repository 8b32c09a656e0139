"""The registry: institutions, document types, holders, graduates, documents and their lifecycle, accounts, audit.

SQLModel tables on SQLite (default: a file under the data directory) or PostgreSQL, migrated by Alembic
(`migrations/`). Services are keyword-only functions in modules by job; each takes the officer (bound to one
institution) and commits one transaction with its audit event.

    models/        the tables, one module per family (one metadata, NAMING_CONVENTION, UTCDateTime)
    db.py          make_engine (SQLite: BEGIN IMMEDIATE, WAL, busy_timeout), session_factory, upgrade_database,
                   database_exists, require_current_schema
    access.py      unit_of_work, flush_or_conflict, require_writer, require_head, require_institution (who may do what);
                   handling_institution_id, require_custody, require_open (closed institutions and their archives)
    institutions.py create_institution, create_officer, get_institution_by_bin_or_raise,
                   get_officer_by_username_or_raise, list_institutions, close_institution (seed 000 item 23)
    imports/       parse.py parse_graduates: CSV/XLSX -> ParseReport (no database; rows.py, checks.py);
                   load.py import_graduates: all or nothing
    numbering.py   allocate_number, allocate_numbers: a counter row per series (seed 001, item 7)
    blanks.py      add_blank_range, reserve_blank, write_off_blank, stock_summary (seed 000, items 7, 17);
                   blank kinds (item 8): blank_kind_for
    printing.py    reprint_on_new_blank: a blank spoiled while printing, the document on a new blank
    documents.py   issue_document, issue_group (idempotency key), get_document_or_raise, get_revision,
                   record_of, signed_record_of, batch_revisions
    batchissue.py  the batch issue's chunks, set-based (issue_chunk, hooks), open_batch, BatchResult
    signing.py     sign_document: the one place a record is signed (signer chosen by scope)
    bulk.py        insert_rows, insert_returning_ids: COPY on PostgreSQL, executemany elsewhere
    lifecycle.py   issue_duplicate (seed 000 items 21-25), correct_document (seed 000 appendix 38), annul_document
    audit.py       append_event, append_events, verify_audit_chain, holder_reference (hash chain, RFC 8785)
    tlog.py        the transparency log: log_revision, log_status_change (in the change's transaction),
                   make_checkpoint (with the audit anchor), proofs, read_entries, verify_log (issue 15)
    accounts.py    passwords, sessions, tokens: Identity, resolve_session, resolve_token, create_token
    partner.py     create_partner, list_partners; holder_documents: the partner's lookup by IIN (audited)
    outbox.py      append_outbox_event(s) (in the change's transaction), read_events: the digital diploma's feed
    webhooks.py    set_webhook; the delivery state: claim_due (lease), record_delivered, record_failure (backoff)
    queries.py     the officers' read queries: documents, graduates, histories, audit events of one institution
    lookup.py      RegistryStatusLookup: `verify.status.StatusLookup` for the verifier (RegistryUnavailableError)
    async_lookup.py AsyncRegistryStatusLookup: the same on an event loop (batched per turn on PostgreSQL)

Nothing is imported here, so that importing one module stays cheap for the command line.
"""
