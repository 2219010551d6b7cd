"""The platform under every app: tenancy, the policy layer, writes and audit, the
outbox, the versioned cache, sessions, modules, web helpers and formats."""
