"""Every error answer is an RFC 9457 problem: the catalogue of types (catalogue.py), the handlers that answer them
(handlers.py), the one mapping of verify errors to problems and the API routes' class (errors.py), and their place
in the OpenAPI document (openapi.py).
"""
