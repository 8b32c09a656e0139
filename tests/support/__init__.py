"""What the tests share, imported as a package (`from support.world import World`). TEST ONLY.

    keys.py        TEST ONLY key material derived from public seed strings: roots, document signers, trust lists,
                   `make_signer`, `sample_record`, `verifier_for_signers`
    world.py       the registry world: `make_iin`, `make_bin`, the session's `Keys`, `World` (institutions,
                   officers, documents through the registry services), PostgreSQL schemas per test
    web.py         web clients: apps' settings, `RecordingClient`, issuing, problems, accounts, tokens, sign-in
    servers.py     a real server process: wait until healthy, stop
    leaks.py       the one IIN-leak harness: the detector, the recorders, the web corpus, the registry rows
    pagestates.py  a registry holding a document in every state a verification page shows
    photos.py      synthetic photos, scans and screenshots of diploma inserts for the scanner's tests
    printed.py     measuring printed codes: PNG chunks and physical size, the filled boxes of a PDF page (mm)
    reports.py     verification reports from their JSON shape, for the verdict page's tests
    strategies.py  hypothesis strategies: names, BINs, records
    coroutines.py  `run_async`: a coroutine on a fresh event loop in its own thread
"""
