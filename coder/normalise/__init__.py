"""The normaliser: tagged spans → contract records, one module per field family."""
