"""Running the site: health endpoints, request ids and JSON logs, metrics, worker heartbeats."""
