"""crawler/downloadermiddlewares package."""
