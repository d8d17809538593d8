"""The store: ticket files on disk and the derived read models."""
