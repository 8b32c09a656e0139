"""The administrators' surface (the ministry): institutions, officer accounts, partners, tokens, document signers and
the trust list (api.py, schemas.py).
"""
