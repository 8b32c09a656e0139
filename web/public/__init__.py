"""The public, anonymous surface: the QR link and the JSON API (api.py), the employer's pages and forms (pages.py), the
verdict page built from the report (verdict.py), verification of a text, a picture or a lookup (service.py), the
request and response shapes (schemas.py), and the API reference at /docs (apidocs.py).
"""
