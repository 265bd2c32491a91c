"""Deterministic generation of speeches, titles and speakers from the seed pools.

A generated article must look like the seed of its site (same kinds of headings, masks, injected
ads, machine-spun wording) while its text varies, so that cleaners cannot overfit one page.  All
randomness comes from a ``random.Random`` seeded with a string, which is stable across runs and
Python processes (string seeds are hashed with SHA-512, not with ``hash()``).
"""

from __future__ import annotations

import logging
import random
import re
from dataclasses import dataclass, field
from functools import cache

from sandbox.seeds import pools
from sandbox.vocab import (
    CITY_ROLES,
    COUNTY_ROLES,
    GIVEN,
    MEETINGS,
    PLACES,
    SCOPES,
    SPIN,
    SPIN_EXTRA,
    SURNAMES,
    TOPICS,
)

logger = logging.getLogger(__name__)

__all__ = ["MaskStyle", "Speaker", "Writer", "rng_for", "inject_ad", "spin_all"]

_SENTENCE_END = re.compile(r"[。!?;]")
_LEADING_ORDINAL = re.compile(r"^(?:\d+[、.]|\([一二三四五六七八九十]+\)|[一二三四五六七八九十]+[、是要])")


def rng_for(*parts: object) -> random.Random:
    """A generator seeded from its parts: same parts, same sequence, in every process."""
    return random.Random("/".join(str(p) for p in parts))


@dataclass(frozen=True)
class MaskStyle:
    """How one site hides names, places, years and figures (token choices and probabilities)."""

    name: str = ""
    places: tuple[str, ...] = ()
    place_p: float = 0.0
    years: tuple[str, ...] = ()
    year_p: float = 0.0
    digits: str = ""
    digit_p: float = 0.0
    extra_places: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Speaker:
    """A generated speaker: "荆州市委书记" + "吴锦"."""

    name: str
    place: str
    role: str
    party: bool

    @property
    def title(self) -> str:
        return self.place + self.role


def inject_ad(text: str, ad: str, rng: random.Random, *, at_end: bool = False) -> str:
    """Insert ``⟪ad⟫`` after a sentence of ``text`` (or at its end), like doc sites do."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    if at_end or len(ends) < 2:
        return text + "⟪" + ad + "⟫"
    cut = rng.choice(ends[:-1])
    return text[:cut] + "⟪" + ad + "⟫" + text[cut:]


def spin_all(text: str) -> str:
    """What a 伪原创 tool makes of a whole article: every occurrence of every spin word swapped."""
    for old, new in SPIN + SPIN_EXTRA:
        text = text.replace(old, new)
    return text


@cache
def _mask_pattern(pool_places: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for everything a mask may hide; the lookahead lets most positions fail on one char."""
    names = sorted(set(pool_places) | set(PLACES), key=len, reverse=True)
    firsts = "".join(sorted({n[0] for n in names} | {"习"}))
    return re.compile(rf"(?=[{firsts}\d])(?:(?P<name>习近平)|(?P<place>{'|'.join(names)})|"
                      r"(?P<year>(?:19|20)\d\d(?=年))|(?P<digits>\d+(?:\.\d+)?))")


class Writer:
    """Builds clean (unmasked) speech text, then dresses it in a site's masks and spin."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.pools = pools()
        self._mask_re = _mask_pattern(self.pools.places)

    # -- metadata -------------------------------------------------------------------------------
    def occasion_parts(self) -> tuple[str, str, str, str]:
        """(year, scope, topic, meeting), e.g. ("2023年", "全市", "审计", "工作会议"); year may be ""."""
        rng = self.rng
        year = f"{rng.randint(2016, 2024)}年" if rng.random() < 0.35 else ""
        return year, rng.choice(SCOPES), rng.choice(TOPICS), rng.choice(MEETINGS)

    def occasion(self) -> str:
        """A meeting name: "2023年全市审计工作会议", "市委农村基层党建座谈会"."""
        return "".join(self.occasion_parts())

    def title(self) -> tuple[str, str | None]:
        """A speech title and the occasion it names (``None`` when the title names none)."""
        rng = self.rng
        occasion = self.occasion()
        form = rng.random()
        if form < 0.6:
            verb = "发言" if occasion.endswith("座谈会") and rng.random() < 0.7 else "讲话"
            return f"在{occasion}上的{verb}", occasion
        if form < 0.75:
            return f"在{occasion}上的讲话(摘要)", occasion
        if form < 0.9:
            return f"{occasion}讲话稿", None
        return f"{occasion}上的表态发言", None

    def speaker(self, *, city: bool | None = None) -> Speaker:
        rng = self.rng
        if city is None:
            city = rng.random() < 0.6
        role, party = rng.choice(CITY_ROLES if city else COUNTY_ROLES)
        place = rng.choice(PLACES)
        return Speaker(name=rng.choice(SURNAMES) + rng.choice(GIVEN), place=place, role=role, party=party)

    # -- text -----------------------------------------------------------------------------------
    def paragraph(self, low: int = 2, high: int = 5) -> str:
        """A paragraph: a window of consecutive sentences from one seed paragraph."""
        rng = self.rng
        text = ""
        while len(text) < 80:
            run = rng.choice(self.pools.runs)
            size = min(len(run), rng.randint(low, high))
            start = rng.randint(0, len(run) - size)
            text += "".join(run[start:start + size])
        return text

    def heading(self) -> str:
        return self.rng.choice(self.pools.headings)

    @staticmethod
    def unnumbered(text: str) -> str:
        """The paragraph without a leading ordinal ("3、", "(二)", "四是"), before a site numbers it."""
        return _LEADING_ORDINAL.sub("", text, count=1)

    def closing(self) -> str:
        return self.rng.choice(self.pools.closings)

    def sections(self, count: int, low: int = 2, high: int = 4) -> list[tuple[str, list[str]]]:
        """``count`` (heading, paragraphs) sections with distinct headings."""
        headings = self.rng.sample(self.pools.headings, count)
        return [(h, [self.paragraph() for _ in range(self.rng.randint(low, high))]) for h in headings]

    # -- dressing -------------------------------------------------------------------------------
    def mask(self, text: str, style: MaskStyle) -> str:
        """Replace names, places, years and figures by the style's mask tokens (marked ⟦…⟧)."""
        rng = self.rng

        def swap(m: re.Match[str]) -> str:
            kind = m.lastgroup
            if kind == "name" and style.name:
                return "⟦" + style.name + "⟧"
            if kind == "place" and style.places and rng.random() < style.place_p:
                return "⟦" + rng.choice(style.places) + "⟧"
            if kind == "year" and style.years and rng.random() < style.year_p:
                return "⟦" + rng.choice(style.years) + "⟧"
            if kind == "digits" and style.digits and rng.random() < style.digit_p:
                return "⟦" + style.digits + "⟧"
            return m.group()

        return self._mask_re.sub(swap, text)

    def spin(self, text: str, rate: float = 0.5) -> str:
        """Machine-spun wording (伪原创): swap some words for near-synonyms, as the seeds show."""
        for old, new in SPIN:
            if old in text and self.rng.random() < rate:
                text = text.replace(old, new, 1)
        return text
