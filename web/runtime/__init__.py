"""(see web/__init__.py)"""
