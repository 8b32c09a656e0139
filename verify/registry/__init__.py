"""The registry: institutions, document types, holders, graduates, documents and their lifecycle.

SQLModel tables on SQLite (default: a file under the data directory) or PostgreSQL, migrated
by Alembic (`migrations/`). Services are keyword-only functions in modules by job; each takes
the officer (bound to one institution) and commits one transaction with its audit event.

    db.py          make_engine (SQLite: BEGIN IMMEDIATE, WAL, busy_timeout), session_factory,
                   upgrade_database, database_exists, require_current_schema
    models.py      the tables (one family of classes per entity), NAMING_CONVENTION, UTCDateTime
    institutions.py create_institution, create_officer, get_institution_by_bin_or_raise,
                   get_officer_by_username_or_raise
    graduates.py   parse_graduates: CSV/XLSX -> ParseReport (no database)
    importing.py   import_graduates: all or nothing, idempotent -> ImportResult
    numbering.py   allocate_number: a counter row per series (seed 001, item 7)
    blanks.py      add_blank_range, reserve_blank, write_off_blank, stock_summary (seed 000, items 7, 17)
    documents.py   issue_document, issue_group (idempotency key), issue_duplicate (seed 000 items 21-25),
                   correct_document (seed 000 appendix 38), annul_document, get_document_or_raise
    audit.py       append_event, verify_audit_chain, holder_reference (hash chain, RFC 8785)
    lookup.py      RegistryStatusLookup: `verify.status.StatusLookup` for the verifier
    cli.py         add_registry_commands: `verify db|institutions|officers|import|issue --group|
                   duplicate|correct|annul|blanks|audit`

Nothing is imported here, so that `import verify.registry.cli` stays cheap for the command line.
"""
