"""The Bloom-filter dupefilter (crawler.distributed.dupefilter) against a real redis-server."""

from __future__ import annotations

import pytest
import redis
from scrapy import Request
from scrapy.utils.test import get_crawler

from crawler.addon import SpeechcrawlAddon
from crawler.distributed.dupefilter import BloomDupeFilter, RedisBloom, Seen
from crawler.distributed.frontier import LeasedQueue, start_requests
from crawler.distributed.keys import CrawlKeys, connect
from crawler.runner import resolve_targets
from tests.harness.redis import RedisServer

BASE = "http://127.0.0.1:8601/fanwen/"


def _requests(count: int, start: int = 0) -> list[Request]:
    return [Request(f"{BASE}{n // 100}/{n}.html") for n in range(start, start + count)]


def test_bloom_sees_duplicates_and_lets_new_ones_through(redis_server: RedisServer) -> None:
    client = connect(redis_server.url)
    seen = BloomDupeFilter(client, "t:wenmi:bloom", capacity=200, error_rate=1e-3)
    first = [seen.request_seen(r) for r in _requests(800)]
    # A Bloom filter never forgets (no false negatives) and rarely takes a new URL for a seen one.
    assert first.count(True) <= 5, f"{first.count(True)} new URLs taken for seen ones"
    assert all(seen.request_seen(r) for r in _requests(800))
    info = seen.bloom.info()
    # 800 items in layers of 200, 400, 800: grown past its first layer instead of filling it up.
    assert info["items"] == 800 - first.count(True) and len(info["layers"]) == 3
    assert [layer[3] for layer in info["layers"]] == [200, 400, 800]
    probes = [seen.request_fingerprint(r) for r in _requests(10_000, start=10_000)]
    wrong = sum(seen.bloom.contains_many(probes))
    assert wrong <= 10_000 * 1e-3 * 2, f"{wrong} of 10,000 unseen fingerprints reported seen"
    assert seen.bloom.info()["items"] == info["items"]  # probing adds nothing
    seen.clear()
    assert not client.exists("t:wenmi:bloom", "t:wenmi:bloom-info")
    assert not seen.request_seen(_requests(1)[0])


def test_bloom_is_shared_by_workers(redis_server: RedisServer) -> None:
    """Two workers' dupefilters (own connections) share one filter; the layout its creator chose stands."""
    one = BloomDupeFilter(connect(redis_server.url), "t:fanwen:bloom", capacity=100, error_rate=1e-4)
    two = BloomDupeFilter(connect(redis_server.url), "t:fanwen:bloom", capacity=10_000, error_rate=0.1)
    requests = _requests(300)
    assert [one.request_seen(r) for r in requests[:150]] == [False] * 150
    assert all(two.request_seen(r) for r in requests[:150])
    assert [two.request_seen(r) for r in requests[150:]] == [False] * 150
    assert all(one.request_seen(r) for r in requests)
    assert two.bloom.info()["capacity"] == 100 and two.bloom.info()["error_rate"] == 1e-4


def test_bloom_survives_a_redis_restart(redis_server: RedisServer) -> None:
    bloom = RedisBloom(connect(redis_server.url), "t:ribao:bloom", capacity=1000, error_rate=1e-5)
    fingerprints = [f"{n:040x}" for n in range(1, 3001)]
    assert all(bloom.add_many(fingerprints))
    redis_server.stop(kill=True)  # no clean shutdown: the append-only file alone brings it back
    redis_server.start()
    again = RedisBloom(connect(redis_server.url), "t:ribao:bloom", capacity=1000, error_rate=1e-5)
    assert not any(again.add_many(fingerprints))
    assert again.info()["items"] == 3000


def test_the_frontier_queues_through_the_bloom_filter(redis_server: RedisServer) -> None:
    client = connect(redis_server.url)
    spider, requests = start_requests(resolve_targets(["wenmi"])[0])
    site = CrawlKeys("b").site("wenmi")
    queue = LeasedQueue(client, spider, site.requests, seen=Seen("bloom", 1000, 1e-6))
    start = requests[0].replace(dont_filter=False)
    assert queue.push(start) and not queue.push(start)
    assert len(queue) == 1
    assert client.exists(site.bloom, site.bloom_info) == 2 and not client.exists(site.dupefilter)
    # A dont_filter request (an article's next page) is queued whatever the filter holds.
    assert queue.push(start.replace(dont_filter=True)) and len(queue) == 2


def test_a_full_filter_refuses_to_queue_and_says_why(redis_server: RedisServer) -> None:
    """Past 512 MB of layers (here: a first layer that alone would not fit) nothing is queued silently."""
    bloom = RedisBloom(connect(redis_server.url), "t:huge:bloom", capacity=10**9, error_rate=1e-9)
    with pytest.raises(redis.ResponseError, match="is full"):
        bloom.add("0" * 40)


def test_settings_choose_the_dupefilter() -> None:
    crawler = get_crawler(settings_dict={"ADDONS": {SpeechcrawlAddon: 0}, "SPEECHCRAWL_CRAWL_ID": "c",
                                         "SPEECHCRAWL_WORKER_ID": "w1", "SPEECHCRAWL_REDIS_URL": "redis://127.0.0.1:1/0",
                                         "SPEECHCRAWL_DUPEFILTER": "bloom", "SPEECHCRAWL_BLOOM_CAPACITY": "5000"})
    settings = crawler.settings
    assert settings["DUPEFILTER_CLASS"] == "crawler.distributed.dupefilter.BloomDupeFilter"
    assert settings["SCHEDULER_DUPEFILTER_KEY"] == "speechcrawl:c:%(spider)s:bloom"
    assert Seen.from_settings(settings) == Seen("bloom", 5000, 1e-6)
    plain = get_crawler(settings_dict={"ADDONS": {SpeechcrawlAddon: 0}, "SPEECHCRAWL_CRAWL_ID": "c",
                                       "SPEECHCRAWL_WORKER_ID": "w1", "SPEECHCRAWL_REDIS_URL": "redis://127.0.0.1:1/0"})
    assert plain.settings["DUPEFILTER_CLASS"] == "scrapy_redis.dupefilter.RFPDupeFilter"
    with pytest.raises(ValueError, match="SPEECHCRAWL_DUPEFILTER must be one of set, bloom"):
        Seen("cuckoo")
    with pytest.raises(ValueError, match="SPEECHCRAWL_BLOOM_ERROR_RATE"):
        Seen("bloom", 1000, 1.5)


def test_crawl_refuses_an_unknown_dupefilter_before_storing_the_crawl(redis_server: RedisServer,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from crawler.cli import main

    code = main(["crawl", "wenmi", "--sandbox", "--origin", "wenmi=http://127.0.0.1:9/", "--redis", redis_server.url,
                 "--crawl-id", "bad", "-s", "SPEECHCRAWL_DUPEFILTER=cuckoo", "--no-progress"])
    assert code == 2
    assert "SPEECHCRAWL_DUPEFILTER must be one of set, bloom, not 'cuckoo'" in capsys.readouterr().err
    assert connect(redis_server.url).keys("speechcrawl:*") == []
