"""crawler/pipelines package."""
