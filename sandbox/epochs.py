"""Sandbox time: what changes on a site from one epoch to the next.

Recurring crawls are tested by crawling a site at epoch 0, switching it to epoch 1 and
crawling again.  The rules are arithmetic on the article index, so tests and gold know
exactly which articles are new, changed, gone or untouched:

- **added**: ``ADDED_PER_EPOCH`` new articles per epoch, newer than all others (indexes
  -1, -2 …: URLs, ids and dates continue the site's own sequences);
- **removed** (from epoch 1): every 7th article from index 5; its URL answers 410 Gone, or
  404 for odd indexes (sites do both);
- **revised** (from epoch 1): every 7th article from index 3 gains a closing sentence in
  its last paragraph;
- everything else is byte-identical across epochs (sidebars are drawn from the epoch-0
  article range, as a static CMS page would keep them), so an unchanged page keeps its
  ETag and a conditional request gets 304.

The seed article and the redirect article are never removed or revised.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from sandbox.model import SPEECH, Article

logger = logging.getLogger(__name__)

__all__ = ["ADDED_PER_EPOCH", "REVISION", "live_indexes", "is_removed", "is_revised", "revise", "gone_status"]

ADDED_PER_EPOCH = 2
REVISION = "会后，各地各部门要迅速传达学习会议精神，结合实际抓好贯彻落实。"
"""The sentence a revised article gains (a real edit: the text changes, the template does not)."""
_STEP = 7


def is_removed(i: int, epoch: int, keep: frozenset[int]) -> bool:
    return epoch >= 1 and i >= 0 and i % _STEP == 5 and i not in keep


def is_revised(i: int, epoch: int, keep: frozenset[int]) -> bool:
    return epoch >= 1 and i >= 0 and i % _STEP == 3 and i not in keep


def live_indexes(count: int, epoch: int, keep: frozenset[int]) -> list[int]:
    """Indexes of the articles a site lists at ``epoch``, newest first."""
    added = range(-ADDED_PER_EPOCH * epoch, 0)
    return [*added, *(i for i in range(count) if not is_removed(i, epoch, keep))]


def gone_status(i: int) -> int:
    return 404 if i % 2 else 410


def revise(article: Article) -> Article:
    """The article with :data:`REVISION` appended to its last speech paragraph."""
    blocks = list(article.blocks)
    last = max(k for k, b in enumerate(blocks) if b.kind == SPEECH)
    text = blocks[last].text.rstrip()
    blocks[last] = replace(blocks[last], text=text + REVISION)
    return replace(article, blocks=tuple(blocks))
