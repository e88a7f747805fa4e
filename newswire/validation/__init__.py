"""Great Expectations checks at each stage: raw, staging and marts."""

from newswire.validation.runner import ValidationFailed, ValidationSummary, validate_frames

__all__ = ["ValidationFailed", "ValidationSummary", "validate_frames"]
