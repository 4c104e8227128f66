"""URL normalisation: one spelling per article, so the same link from two feeds is one article.

Lowercase scheme and host, default ports dropped, fragment dropped, tracking parameters dropped
(utm_*, fbclid, gclid, …), remaining query parameters sorted. Paths are kept as they are: a path's
case can matter to the server.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid", "mc_cid", "mc_eid",
    "ref", "ref_src", "ref_url", "referrer", "cmpid", "xtor", "at_medium", "at_campaign", "ocid", "smid",
    "_ga", "_gl", "mkt_tok", "spm", "s_cid", "sr_share", "share", "output",
})
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_", "hsa_", "__hs")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking(param: str) -> bool:
    p = param.lower()
    return p in TRACKING_PARAMS or p.startswith(TRACKING_PREFIXES)


def normalize_url(url: str) -> str:
    """The canonical spelling of an http(s) URL; anything unparsable comes back stripped."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        return url
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking(k))
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


# A URL inside free text (an error message): up to the first blank, quote or bracket, without the
# punctuation that ends a sentence or comes before an error text ("URL: HTTP 500").
_URL_IN_TEXT = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://[^\s'\"<>`]*[^\s'\"<>`.,:;)]")
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#\s]*@")


def _redact_params(text: str) -> str:
    out = []
    for part in re.split(r"([&;])", text):
        if part in ("&", ";") or not part:
            out.append(part)
        elif "=" in part:
            out.append(part.split("=", 1)[0] + "=***")
        else:
            out.append("***")
    return "".join(out)


def redact_url(url: str) -> str:
    """`url` fit to show anyone: userinfo (`user:password@`) and every query value become `***`
    (and a fragment's `name=value` pairs: tokens travel there too).

    `https://bot:pw@host/rss?api_key=abc&lang=fr` -> `https://***@host/rss?api_key=***&lang=***`."""
    url = _USERINFO.sub(r"\1***@", url)
    rest, hash_, fragment = url.partition("#")
    if "=" in fragment:
        fragment = _redact_params(fragment)
    head, sep, query = rest.partition("?")
    return head + sep + (_redact_params(query) if sep else "") + hash_ + fragment


def redact_urls(text: str) -> str:
    """Every URL in `text` redacted as by `redact_url` (error messages that quote the URL they read)."""
    return _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)
