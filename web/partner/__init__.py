"""The partner's surface (the digital documents app): a holder's documents by IIN in the POST body (api.py,
schemas.py).
"""
