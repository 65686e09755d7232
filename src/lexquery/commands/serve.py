"""`lexquery serve [--host 127.0.0.1] [--port 8000]` — the web page and the HTTP API (docs/web.md).

Listens on the loopback interface by default; binding another address prints a warning
(the API has no authentication). The engine is compiled once, at start-up, so that the first
request is as fast as the others.
"""
from __future__ import annotations

import ipaddress
import sys

from ..errors import UsageError


EPILOG = """\
la page à la racine, l'API sous /api/, sa description dans /openapi.json (docs/web.md).
Par défaut seule cette machine peut s'y connecter ; une autre adresse d'écoute affiche un
avertissement (l'API n'a pas d'authentification). Ctrl+C pour arrêter. Un port déjà pris :
code de sortie 2.

exemples :
  lexquery serve                                       http://127.0.0.1:8000/
  lexquery serve --port 8080                           un autre port
  lexquery serve --port 0                              un port libre, affiché au démarrage
  lexquery serve --time-limit 10 --log-level info      10 s au plus par requête ; journal des accès
  lexquery serve --host 0.0.0.0                        toutes les interfaces (avec un avertissement)
puis, depuis un autre terminal :
  curl -s 'http://127.0.0.1:8000/api/sources?instrument=STE112'
  curl -s -H 'Content-Type: application/json' --data @examples/ionescu.json http://127.0.0.1:8000/api/ask
"""


def register(sub):
    import argparse
    p = sub.add_parser("serve", help="servir la page web et l'API HTTP (par défaut sur 127.0.0.1:8000)",
                       description="Servir la page web et l'API HTTP de lexquery, par défaut pour cette machine "
                                   "seule.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1", help="adresse d'écoute (défaut : 127.0.0.1, la machine seule)")
    p.add_argument("--port", type=int, default=8000, help="port (défaut : 8000 ; 0 : un port libre)")
    p.add_argument("--time-limit", type=float, default=None, metavar="S",
                   help="durée maximale d'une requête en secondes (défaut : 30)")
    p.add_argument("--allow-host", action="append", default=[], metavar="NOM",
                   help="nom d'hôte accepté dans l'en-tête Host, en plus des adresses IP et de localhost "
                        "(protection contre le DNS rebinding ; répétable)")
    p.add_argument("--log-level", default="warning", choices=["critical", "error", "warning", "info", "debug"])
    from .options import add_lang
    add_lang(p)
    p.set_defaults(func=run)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def loopback_warning(host: str, lang: str = "fr") -> str | None:
    if is_loopback(host):
        return None
    if lang == "en":
        return (f"warning: listening on {host}, not only on this machine; the API has no authentication, "
                f"any machine that reaches this port can query it (safe default: --host 127.0.0.1)")
    return (f"attention : écoute sur {host}, pas seulement sur cette machine ; l'API n'a pas "
            f"d'authentification, toute machine qui atteint ce port peut l'interroger "
            f"(défaut sûr : --host 127.0.0.1)")


def run(args) -> int:
    import socket

    import uvicorn

    from ..engine.api import load_kb
    from ..web.app import create_app
    if not 0 <= args.port <= 65535:
        raise UsageError(f"port invalide : {args.port}", expected="un entier de 0 à 65535",
                         message_en=f"invalid port: {args.port}", expected_en="an integer from 0 to 65535")
    warning = loopback_warning(args.host, args.lang)
    if warning:
        print(warning, file=sys.stderr)
    load_kb()   # compile the rules once, before the first request
    kw = {} if args.time_limit is None else {"time_limit": args.time_limit}
    app = create_app(allowed_hosts=tuple(args.allow_host), **kw)
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # inherited by the accepted connections: without it a response written in two parts waits
    # for the client's delayed ACK (Nagle, RFC 896), ≈ 40 ms a request (docs/web.md, load test)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as e:
        sock.close()
        raise UsageError(f"impossible d'écouter sur {args.host}:{args.port} : {e.strerror}",
                         hint="choisissez un autre --port (ou 0 pour un port libre)",
                         message_en=f"cannot listen on {args.host}:{args.port}: {e.strerror}",
                         hint_en="choose another --port (or 0 for a free port)") from None
    # listening before the address is printed: a client that reads it and connects at once is
    # queued by the kernel until uvicorn accepts, not refused (tests/serve_support.py relies on it)
    sock.listen(2048)
    port = sock.getsockname()[1]
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"lexquery : http://{shown}:{port}/  (Ctrl+C pour arrêter)" if args.lang == "fr" else
          f"lexquery: http://{shown}:{port}/?lang=en  (Ctrl+C to stop)", flush=True)
    from ..web.protocol import GuardedH11Protocol
    # connections: up to 4,096 (a slow client holds one, never a worker: the work is bounded by the
    # admission queue and the workers of lexquery.web.limits); headers within 10 s (slowloris);
    # on Ctrl+C, 5 s for the requests under way (their work is cancelled by its time budget)
    config = uvicorn.Config(app, log_level=args.log_level, server_header=False, date_header=False,
                            http=GuardedH11Protocol, timeout_keep_alive=5, limit_concurrency=4096, backlog=4096,
                            timeout_graceful_shutdown=5, h11_max_incomplete_event_size=64 * 1024)
    uvicorn.Server(config).run(sockets=[sock])
    return 0


ENGLISH = {"serve": {
    "help": "serve the web page and the HTTP API (by default on 127.0.0.1:8000)",
    "description": "Serve lexquery's web page and HTTP API, by default for this machine only.",
    "epilog": """\
the page at the root, the API under /api/, its description at /openapi.json (docs/web.md); the
page in English at /?lang=en. By default only this machine can connect; another listening
address prints a warning (the API has no authentication). Ctrl+C to stop. A port already taken:
exit code 2.

examples:
  lexquery serve --lang en                             http://127.0.0.1:8000/?lang=en
  lexquery serve --port 8080                           another port
  lexquery serve --port 0                              a free port, printed at start
  lexquery serve --time-limit 10 --log-level info      10 s at most per request; access log
  lexquery serve --host 0.0.0.0                        every interface (with a warning)
then, from another terminal:
  curl -s 'http://127.0.0.1:8000/api/sources?instrument=STE112'
  curl -s -H 'Content-Type: application/json' --data @examples/ionescu.json 'http://127.0.0.1:8000/api/ask?lang=en'
""",
    "options": {"--host": "listening address (default: 127.0.0.1, this machine only)",
                "--port": "port (default: 8000; 0: a free port)",
                "--time-limit": "longest time of a request in seconds (default: 30)",
                "--allow-host": ("host name accepted in the Host header, besides IP addresses and localhost "
                                 "(protection against DNS rebinding; repeatable)", "NAME")},
}}
