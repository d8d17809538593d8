"""Outbound channels to customers (mail)."""
