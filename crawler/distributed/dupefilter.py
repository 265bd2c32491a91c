"""The frontier's memory of requests already queued: scrapy-redis's set, or a Bloom filter in Redis.

scrapy-redis keeps every request fingerprint (40 hex digits) in a Redis set: exact, and about 100
bytes per URL ever queued, kept for the crawl's life (docs/distributed.md, "What Redis holds").
``SPEECHCRAWL_DUPEFILTER = "bloom"`` keeps them in a Bloom filter instead, a few bytes per URL,
at the price of false positives: a URL the filter wrongly says it has seen is never fetched.

The filter is *scalable*: it starts with one layer sized for SPEECHCRAWL_BLOOM_CAPACITY
fingerprints and, when that is full, adds a layer twice as big with half the error rate, so
small sites stay small, big ones never overfill, and the chance that a new URL is taken for a
seen one stays below SPEECHCRAWL_BLOOM_ERROR_RATE however many layers there are (the layers'
rates sum to at most that).  All layers live in one Redis string (``…:<site>:bloom``, layer
after layer) and are described in a hash (``…:<site>:bloom-info``) written by whoever creates
them, so every worker uses the same layout whatever its own settings say.  Test and add are one
Lua script, atomic across workers; the frontier's push script embeds the same functions
(crawler.distributed.frontier), so a request is queued exactly when the filter took it as new.

A layer for ``n`` fingerprints at error rate ``p`` has ``m = n·ln(1/p)/ln²2`` bits (at least 8,192: with
a few dozen bits, double hashing's positions overlap so much that a filter of SPEECHCRAWL_BLOOM_CAPACITY = 2
took about one new URL in 200 for a seen one, simulated, and lost pages in tests/test_distributed.py) and
``k = ⌈log2(1/p)⌉`` positions per fingerprint, ``h1 + i·h2 mod m`` (i < k) with ``h1`` and
``h2`` the first two 32-bit words of the SHA1 of the fingerprint (double hashing).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from scrapy_redis.dupefilter import RFPDupeFilter

from crawler.settings import SPEECHCRAWL_DEFAULTS

if TYPE_CHECKING:
    import redis
    from scrapy import Request, Spider
    from scrapy.settings import BaseSettings

    from crawler.distributed.keys import SiteKeys

__all__ = ["KINDS", "Seen", "BloomDupeFilter", "RedisBloom", "BLOOM_LUA"]

KINDS = ("set", "bloom")

# Functions shared by the filter's own scripts and the frontier's push script.
# bloom_add(bits key, info key, fingerprint, capacity, error rate) -> 1 when the fingerprint was new
# (now added), 0 when the filter holds it; bloom_has(bits key, info key, fingerprint) -> 1 or 0.
BLOOM_LUA = r"""
local function bloom_hashes(fp)
  fp = redis.sha1hex(fp)  -- fingerprints of any scheme spread evenly (scrapy-redis's already are SHA1s)
  return tonumber(string.sub(fp, 1, 8), 16), tonumber(string.sub(fp, 9, 16), 16)
end
local function bloom_layers(raw)
  local layers = {}
  for o, m, k, c in string.gmatch(raw or '', '(%d+),(%d+),(%d+),(%d+)') do
    table.insert(layers, {tonumber(o), tonumber(m), tonumber(k), tonumber(c)})
  end
  return layers
end
local function bloom_new_layer(bits, info, layers)
  local n = #layers
  local base = redis.call('HMGET', info, 'capacity', 'error', 'layers')
  local c = tonumber(base[1]) * 2 ^ n
  local p = tonumber(base[2]) / 2 ^ (n + 1)
  -- At least 8,192 bits (1 KB): a layer of a few fingerprints has a few dozen bits, where double hashing's
  -- positions overlap so much that new URLs were taken for seen ones at 1e-2, not the rate asked for
  local m = math.max(math.ceil(c * -math.log(p) / math.log(2) ^ 2), 8192)
  local k = math.ceil(-math.log(p) / math.log(2))
  local o = 0
  if n > 0 then o = layers[n][1] + layers[n][2] end
  if o + m > 4294967296 then  -- a Redis string holds at most 512 MB: all the layers of a site together
    error('bloom filter ' .. bits .. ' is full (512 MB, SPEECHCRAWL_BLOOM_CAPACITY and _ERROR_RATE)')
  end
  redis.call('SETBIT', bits, o + m - 1, 0)  -- allocate the layer now: its size is known, not its fill
  redis.call('HSET', info, 'layers', (base[3] or '') .. string.format('%d,%d,%d,%d ', o, m, k, c), 'last', 0)
  return {o, m, k, c}
end
local function bloom_positions(layer, h1, h2, op)
  local args = {}
  local o, m = layer[1], layer[2]
  if h2 % m == 0 then h2 = 1 end
  for i = 0, layer[3] - 1 do
    args[#args + 1] = op
    args[#args + 1] = 'u1'
    args[#args + 1] = o + (h1 + i * h2) % m
    if op == 'SET' then args[#args + 1] = 1 end
  end
  return args
end
local function bloom_in(bits, layer, h1, h2)
  for _, bit in ipairs(redis.call('BITFIELD_RO', bits, unpack(bloom_positions(layer, h1, h2, 'GET')))) do
    if bit == 0 then return false end
  end
  return true
end
local function bloom_has(bits, info, fp)
  local h1, h2 = bloom_hashes(fp)
  for _, layer in ipairs(bloom_layers(redis.call('HGET', info, 'layers'))) do
    if bloom_in(bits, layer, h1, h2) then return 1 end
  end
  return 0
end
local function bloom_add(bits, info, fp, capacity, rate)
  local h1, h2 = bloom_hashes(fp)
  local state = redis.call('HMGET', info, 'layers', 'last')
  if not state[1] then redis.call('HSET', info, 'capacity', capacity, 'error', rate) end
  local layers = bloom_layers(state[1])
  for i = 1, #layers - 1 do
    if bloom_in(bits, layers[i], h1, h2) then return 0 end
  end
  local layer = layers[#layers]
  if layer ~= nil and tonumber(state[2]) >= layer[4] then  -- full: it is only looked in from now on
    if bloom_in(bits, layer, h1, h2) then return 0 end
    layer = nil
  end
  if layer == nil then layer = bloom_new_layer(bits, info, layers) end
  -- Setting the bits returns their old values: all set already means the layer held the fingerprint.
  for _, bit in ipairs(redis.call('BITFIELD', bits, unpack(bloom_positions(layer, h1, h2, 'SET')))) do
    if bit == 0 then
      redis.call('HINCRBY', info, 'last', 1)
      return 1
    end
  end
  return 0
end
"""
_ADD = BLOOM_LUA + "return bloom_add(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3])"
_HAS = BLOOM_LUA + "return bloom_has(KEYS[1], KEYS[2], ARGV[1])"

# The frontier's test-and-add, by kind: add_unseen(key, info key, fingerprint, capacity, error rate) -> 1 when new.
_ADD_UNSEEN = {
    "set": "local function add_unseen(key, _, fp) return redis.call('SADD', key, fp) end\n",
    "bloom": BLOOM_LUA + "local add_unseen = bloom_add\n",
}


@dataclass(frozen=True)
class Seen:
    """Where a crawl keeps the fingerprints of requests queued: scrapy-redis's set, or a Bloom filter.

    Settings
    --------
    SPEECHCRAWL_DUPEFILTER
        ``set`` (exact; the default) or ``bloom``.
    SPEECHCRAWL_BLOOM_CAPACITY
        Fingerprints the Bloom filter's first layer of a site takes; each next layer takes twice as many.
    SPEECHCRAWL_BLOOM_ERROR_RATE
        Most of the new URLs the filter may take for seen ones (they are never fetched).
    """

    kind: str = SPEECHCRAWL_DEFAULTS["SPEECHCRAWL_DUPEFILTER"]
    capacity: int = SPEECHCRAWL_DEFAULTS["SPEECHCRAWL_BLOOM_CAPACITY"]
    error_rate: float = SPEECHCRAWL_DEFAULTS["SPEECHCRAWL_BLOOM_ERROR_RATE"]

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"SPEECHCRAWL_DUPEFILTER must be one of {', '.join(KINDS)}, not {self.kind!r}")
        if self.capacity < 1:
            raise ValueError(f"SPEECHCRAWL_BLOOM_CAPACITY must be at least 1, not {self.capacity}")
        if not 0 < self.error_rate < 1:
            raise ValueError(f"SPEECHCRAWL_BLOOM_ERROR_RATE must be between 0 and 1, not {self.error_rate}")

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        return cls(str(settings.get("SPEECHCRAWL_DUPEFILTER") or "set").strip().lower(),
                   settings.getint("SPEECHCRAWL_BLOOM_CAPACITY"), settings.getfloat("SPEECHCRAWL_BLOOM_ERROR_RATE"))

    def keys(self, site: SiteKeys) -> list[str]:
        """The two keys the frontier's push script passes to ``add_unseen``."""
        return [site.bloom, site.bloom_info] if self.kind == "bloom" else [site.dupefilter, site.dupefilter]

    def args(self) -> list[Any]:
        return [self.capacity, repr(self.error_rate)]

    @property
    def lua(self) -> str:
        """Lua defining ``add_unseen(key, info key, fingerprint, capacity, error rate)``: 1 when new, now added."""
        return _ADD_UNSEEN[self.kind]

    def dupefilter(self, server: redis.Redis, site: SiteKeys) -> RFPDupeFilter:
        """The scrapy-redis dupefilter (fingerprints, ``request_seen``) of ``site`` for this kind."""
        if self.kind == "bloom":
            return BloomDupeFilter(server, site.bloom, capacity=self.capacity, error_rate=self.error_rate)
        return RFPDupeFilter(server, site.dupefilter)


class RedisBloom:
    """One site's scalable Bloom filter: ``key`` holds the bits, ``key + "-info"`` the layout and counts."""

    def __init__(self, server: redis.Redis, key: str, *, capacity: int, error_rate: float) -> None:
        self.server = server
        self.key = key
        self.info_key = f"{key}-info"
        self.seen = Seen("bloom", capacity, error_rate)  # validates
        self._add = server.register_script(_ADD)
        self._has = server.register_script(_HAS)

    def add(self, fingerprint: str) -> bool:
        """Add ``fingerprint``; True when it was new (False: the filter holds it, or a false positive)."""
        return bool(self._add(keys=[self.key, self.info_key], args=[fingerprint, *self.seen.args()]))

    def add_many(self, fingerprints: Iterable[str]) -> list[bool]:
        """:meth:`add` for each, in one pipeline (each still atomic on its own)."""
        pipe = self.server.pipeline(transaction=False)
        for fingerprint in fingerprints:
            self._add(keys=[self.key, self.info_key], args=[fingerprint, *self.seen.args()], client=pipe)
        return [bool(r) for r in pipe.execute()]

    def __contains__(self, fingerprint: object) -> bool:
        return bool(self._has(keys=[self.key, self.info_key], args=[str(fingerprint)]))

    def contains_many(self, fingerprints: Sequence[str]) -> list[bool]:
        """Whether the filter holds each (without adding any), in one pipeline."""
        pipe = self.server.pipeline(transaction=False)
        for fingerprint in fingerprints:
            self._has(keys=[self.key, self.info_key], args=[fingerprint], client=pipe)
        return [bool(r) for r in pipe.execute()]

    def info(self) -> dict[str, Any]:
        """Items added, base capacity and error rate, and each layer's (bit offset, bits, positions, capacity)."""
        raw = {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
               for k, v in self.server.hgetall(self.info_key).items()}
        layers = [tuple(int(x) for x in layer.split(",")) for layer in raw.get("layers", "").split()]
        items = sum(layer[3] for layer in layers[:-1]) + int(raw.get("last", 0))
        return {"items": items, "capacity": int(raw.get("capacity", self.seen.capacity)),
                "error_rate": float(raw.get("error", self.seen.error_rate)), "layers": layers,
                "bits": sum(layer[1] for layer in layers)}

    def clear(self) -> None:
        self.server.delete(self.key, self.info_key)


class BloomDupeFilter(RFPDupeFilter):  # type: ignore[misc]
    """scrapy-redis's dupefilter interface (``request_seen``, ``clear``) over a :class:`RedisBloom`.

    Fingerprints are scrapy-redis's, so switching kinds changes where they are kept, not what they are.
    """

    def __init__(self, server: redis.Redis, key: str, debug: bool = False, *, capacity: int = Seen.capacity,
                 error_rate: float = Seen.error_rate) -> None:
        super().__init__(server, key, debug)
        self.bloom = RedisBloom(server, key, capacity=capacity, error_rate=error_rate)

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        base = RFPDupeFilter.from_settings(settings)
        seen = Seen.from_settings(settings)
        return cls(base.server, base.key, base.debug, capacity=seen.capacity, error_rate=seen.error_rate)

    @classmethod
    def from_spider(cls, spider: Spider) -> Self:
        base = RFPDupeFilter.from_spider(spider)
        seen = Seen.from_settings(spider.settings)
        return cls(base.server, base.key, base.debug, capacity=seen.capacity, error_rate=seen.error_rate)

    def request_seen(self, request: Request) -> bool:
        return not self.bloom.add(self.request_fingerprint(request))

    def clear(self) -> None:
        self.bloom.clear()
