"""crawler/extensions package."""
