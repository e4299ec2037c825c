"""Gunicorn's access log without the secrets that travel in URLs and headers (gunicorn.conf.py selects it).

A token in a query string (``?token=``, ``?api_key=``, ``?signature=``), the signed acknowledge link and the
calendar-feed link (the secret is a path segment), a Referer carrying one of those, and the Authorization and
Cookie headers would otherwise sit in every log file, log shipper and backup, readable by whoever reads logs.
"""

import re
from urllib.parse import parse_qsl, quote

from gunicorn.glogging import Logger

REDACTED = "[redacted]"
# Query parameters whose value is a credential, whatever the case or prefix (access_token, X-Amz-Signature, ...).
SECRET_PARAMETER = re.compile(r"token|key|sig|secret|password|passwd|auth|code|session|csrf", re.IGNORECASE)
# Links whose path itself is the credential (crisis/oncall/urls.py).
SECRET_PATH = re.compile(r"(/oncall/ack/|/oncall/calendar/[^/?#]+/)[^/?#]+?(?=\.ics|/|\?|#|$)")
# Environ keys and request headers that carry a credential in full.
SECRET_HEADERS = {"authorization", "cookie", "proxy-authorization", "x-api-key"}
SECRET_ENVIRON = {"http_authorization", "http_cookie", "http_proxy_authorization", "http_x_api_key"}


def redact_query(query: str) -> str:
    if not query:
        return query
    parts = []
    for piece in query.split("&"):
        name, equals, _value = piece.partition("=")
        decoded = parse_qsl(name + "=", keep_blank_values=True)
        plain = decoded[0][0] if decoded else name
        parts.append(f"{name}={REDACTED}" if equals and SECRET_PARAMETER.search(plain) else piece)
    return "&".join(parts)


def redact_url(url: str) -> str:
    """A path with its query (``RAW_URI``) or a full URL (a Referer), with every secret replaced."""
    if not url or url == "-":
        return url
    path, question, query = url.partition("?")
    path = SECRET_PATH.sub(lambda m: m.group(1) + REDACTED, path)
    return path + question + redact_query(query) if question else path


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        raw_uri = environ.get("RAW_URI") or quote(environ.get("PATH_INFO", ""))
        atoms["r"] = f"{environ.get('REQUEST_METHOD')} {redact_url(raw_uri)} {environ.get('SERVER_PROTOCOL')}"
        atoms["U"] = redact_url(atoms.get("U") or "")
        atoms["q"] = redact_query(atoms.get("q") or "")
        atoms["f"] = redact_url(atoms.get("f") or "-")
        for key in list(atoms):
            name = key[1:-2] if key.startswith("{") else ""
            if key.endswith("}i") and name in SECRET_HEADERS or key.endswith("}e") and name in SECRET_ENVIRON:
                atoms[key] = REDACTED
            elif key in ("{referer}i", "{http_referer}e", "{raw_uri}e", "{path_info}e"):
                atoms[key] = redact_url(atoms[key])
            elif key in ("{query_string}e",):
                atoms[key] = redact_query(atoms[key])
        return atoms
