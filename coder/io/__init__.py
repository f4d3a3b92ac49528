"""Output writers and the crash-safe journal of the batch job."""
