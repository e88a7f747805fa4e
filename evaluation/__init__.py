"""Evaluation commands: measured quality of the pipeline stages."""
