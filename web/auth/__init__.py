"""Who a request is: sign-in, sessions with CSRF tokens and bearer tokens (sessions.py), the accounts' API (api.py),
and its shapes (schemas.py).
"""
