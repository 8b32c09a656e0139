"""Who a request is: sign-in, sessions with CSRF tokens and bearer tokens (sessions.py), the console's signed-in
officer of one request (desk.py), the accounts' API (api.py), and its shapes (schemas.py).
"""
