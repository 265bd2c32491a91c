"""crawler/spidermiddlewares package."""
