"""The pywb process behind ``speechcrawl replay``: ``python server.py CONFIG --port N``.

It imports nothing of speechcrawl's, so it runs under whichever interpreter has pywb
(``SPEECHCRAWL_REPLAY_PYTHON``; pywb's pins clash with the distributed extra's).  A process of its own because pywb runs on gevent and must monkey-patch the standard
library before anything else imports it: its front end fetches from its own WARC server
over loopback inside the same process, which only works once sockets are cooperative.
It binds before announcing, so ``--port 0`` works: the first line on stdout is the
collection's replay URL, which callers (the tests, the parent command) read.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402  (after monkey-patching, on purpose)
import logging  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402

COLLECTION = "speechcrawl"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="server.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("config", type=Path, help="pywb config.yaml written by crawler.replay")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    import tldextract
    from gevent.pywsgi import WSGIServer
    from pywb.apps.frontendapp import FrontEndApp

    # pywb's cookie rewriting calls tldextract.extract, which by default downloads the public
    # suffix list on first use; replay must never leave loopback, so use the bundled snapshot.
    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=())

    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(asctime)s replay %(levelname)s %(message)s")
    # pywb resolves its templates and static files relative to the working directory's config.
    os.chdir(args.config.parent)
    app = FrontEndApp(config_file=str(args.config))
    server = WSGIServer((args.host, args.port), app, log=None)
    try:
        server.init_socket()
    except OSError as exc:
        sys.stderr.write(f"speechcrawl: error: cannot listen on {args.host}:{args.port}: {exc.strerror}\n")
        return 1
    host, port = server.address[:2]
    sys.stdout.write(f"http://{host}:{port}/{COLLECTION}/\n")
    sys.stdout.flush()

    # gevent's own handlers: a plain signal handler would run outside the event loop.
    gevent.signal_handler(signal.SIGTERM, server.stop)
    gevent.signal_handler(signal.SIGINT, server.stop)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
