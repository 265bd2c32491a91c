"""ArticleDepthMiddleware: the next page of an article is the same document, not one link deeper.

Scrapy's DepthMiddleware gives every request its response's depth + 1 and silently drops those
beyond DEPTH_LIMIT.  For the pages of one article (``22952.html -> 22952_2.html -> 22952_3.html``)
that is wrong twice over: ``--max-depth`` then depends on how many pages an article has, and a
dropped next page drops the whole document it carries (the stitched article travels in the
request), which no errback ever sees.  Here a continuation request keeps its document's depth and
is never dropped; every other request is treated exactly as by Scrapy.  The pages of one article
are bounded anyway (spiders.template.MAX_ARTICLE_PAGES).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.spidermiddlewares.depth import DepthMiddleware

from spiders.template import DOC_META

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response

logger = logging.getLogger(__name__)

__all__ = ["ArticleDepthMiddleware"]


class ArticleDepthMiddleware(DepthMiddleware):
    """DepthMiddleware that does not count (nor drop) the next page of an article being stitched.

    Settings
    --------
    DEPTH_LIMIT, DEPTH_PRIORITY, DEPTH_STATS_VERBOSE (Scrapy's).
    """

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if response is not None and DOC_META in request.meta:
            request.meta["depth"] = response.meta.get("depth", 0)
            return request
        return super().get_processed_request(request, response)
