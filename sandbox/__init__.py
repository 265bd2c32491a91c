"""The sandbox: local sites on loopback that reproduce real speech-site templates.

Importing this package is cheap (no server, no page generation): the demo and the tests only need
the site names and :class:`SandboxProcess`, which runs the server in a child process.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

__all__ = ["SITES", "TUTORIAL_SITES", "SHAPE_SITES", "HOLDOUT_SITES", "ALL_SITES", "DEFAULT_ARTICLES", "DEFAULT_PORTS", "DEFAULT_PORT_BASE", "SandboxError", "SandboxProcess"]

SITES: tuple[str, ...] = ("wenmi", "fanwen", "wendang", "sucai", "ribao")
"""The five seed sites: what the demo crawls and the sandbox serves by default, in port order."""
TUTORIAL_SITES: tuple[str, ...] = ("zhengfu",)
"""Sites with no shipped profile, served only when asked for: docs/adding-a-site.md adds one from nothing."""
SHAPE_SITES: tuple[str, ...] = ("liebiao", "jsgov", "luntan")
"""Sites with no shipped profile, served only when asked for, in the pagination shapes real template sites
have and the seed sites lack (pager outside the list, JavaScript pager, a forum board): `site new` and generic mode must
cover them unedited."""
HOLDOUT_SITES: tuple[str, ...] = ("phpcms", "jiaoyu")
"""Shapes written after the others and measured without tuning anything for them (query-string addresses;
a ``var countPage`` + ``goPage()`` column under ``<base href="/">``)."""
ALL_SITES: tuple[str, ...] = SITES + TUTORIAL_SITES + SHAPE_SITES + HOLDOUT_SITES
"""Every site the server can serve, in the order their default ports are assigned."""
DEFAULT_ARTICLES = 20
"""Articles per site when no ``--articles`` is given."""
DEFAULT_PORT_BASE = 8601
DEFAULT_PORTS: dict[str, int] = {site: DEFAULT_PORT_BASE + i for i, site in enumerate(ALL_SITES)}

from sandbox.process import SandboxError, SandboxProcess  # noqa: E402  (needs the constants above)
