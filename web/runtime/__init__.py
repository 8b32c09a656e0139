"""What one process of the service holds, built from the settings: the public surface's services (services.py: trust
list, read-only registry, status lookups, rate limits, metrics; prepare), the signed-in surfaces' back office
(backoffice.py: writing engine, password hashing, key store, cookie policy), the partners' webhook delivery worker
(webhooks.py), and the decoding processes (scanpool.py, scanworker.py). Nothing is imported here: the decoding
process starts without the web stack.
"""
