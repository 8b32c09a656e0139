"""The pages' machinery: rendering with Jinja2 and the page headers with the Content-Security-Policy (render.py), the
kk/ru/en catalogues, language negotiation and dates through Babel (i18n.py; locale/), the templates and the static
files.
"""
