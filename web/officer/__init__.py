"""The officers of one institution: one service (service.py) behind two faces, the API (api.py) and the console
(console.py, console_documents.py, with forms.py, batches.py and pages.py; the signed-in officer is
`web.auth.desk`); answers built from the registry's read queries (queries.py); the shapes (schemas.py).
"""
