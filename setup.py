"""Build shim for ``scrapyd-deploy``, which packs the project with ``setup.py bdist_egg``.

All metadata lives in pyproject.toml (including the ``scrapy`` entry point Scrapyd
reads the settings module from); pip and ``make`` never need this file.
"""

from setuptools import setup

setup()
