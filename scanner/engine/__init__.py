"""The core below the adapters: Scanner (ingest -> checks -> policy for one file), the report cache,
the worker pool with hard per-file limits, and batches."""
