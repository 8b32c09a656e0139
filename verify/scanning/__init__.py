"""The internals of `verify.scan` (import from `verify.scan`): caps and pixels, decoder passes, symbols, zbar."""
