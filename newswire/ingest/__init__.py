"""Inbox ingest: discover input files, parse them into article rows, load them."""
