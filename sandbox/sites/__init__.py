"""The sandbox site templates, by name (see :func:`make_site`)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sandbox import ALL_SITES, DEFAULT_ARTICLES
from sandbox.hooks import Hook
from sandbox.sites.base import Site

logger = logging.getLogger(__name__)

__all__ = ["Site", "make_site", "site_class"]


def site_class(name: str) -> type[Site]:
    """The class of a site by name; imported lazily so one site never pays for the others."""
    if name not in ALL_SITES:
        raise KeyError(f"unknown sandbox site {name!r} (known: {', '.join(ALL_SITES)})")
    if name == "wenmi":
        from sandbox.sites.wenmi import Wenmi

        return Wenmi
    if name == "fanwen":
        from sandbox.sites.fanwen import Fanwen

        return Fanwen
    if name == "wendang":
        from sandbox.sites.wendang import Wendang

        return Wendang
    if name == "sucai":
        from sandbox.sites.sucai import Sucai

        return Sucai
    if name == "liebiao":
        from sandbox.sites.liebiao import Liebiao

        return Liebiao
    if name == "phpcms":
        from sandbox.sites.phpcms import Phpcms

        return Phpcms
    if name == "jiaoyu":
        from sandbox.sites.jiaoyu import Jiaoyu

        return Jiaoyu
    if name == "luntan":
        from sandbox.sites.luntan import Luntan

        return Luntan
    if name == "jsgov":
        from sandbox.sites.jsgov import Jsgov

        return Jsgov
    if name == "zhengfu":
        from sandbox.sites.zhengfu import Zhengfu

        return Zhengfu
    from sandbox.sites.ribao import Ribao

    return Ribao


def make_site(name: str, articles: int | None = None, *, epoch: int = 0, hooks: Sequence[Hook] = (),
              redesign: bool = False) -> Site:
    """A site instance with ``articles`` articles (default :data:`sandbox.DEFAULT_ARTICLES`);
    ``redesign`` renames its content element (see :attr:`Site.content_attr`)."""
    return site_class(name)(articles or DEFAULT_ARTICLES, epoch=epoch, hooks=hooks, redesign=redesign)
