"""Request plumbing that runs around every route: the body cap and the client address (guards.py), rate limits
(ratelimit.py), JSON bodies on the event loop and the one bounded JSON reader (bodies.py), control characters
refused in every text input (inputs.py), JSON log lines without an IIN (logging.py), Prometheus
metrics (metrics.py), and the outermost middleware (observe.py).
"""
