"""Proposing a site profile from sample pages (``speechcrawl site new``).

Pure functions over decoded HTML, no network: :mod:`spiders.infer.url_shapes` (URL patterns from
examples), :mod:`spiders.infer.listing` (a list page's article links and pager),
:mod:`spiders.infer.article` (an article template's selectors), :mod:`spiders.infer.proposal`
(the commented TOML).  :mod:`spiders.probe` fetches the samples.
"""
