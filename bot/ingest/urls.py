"""URL normalisation: one spelling per article, so the same link from two feeds is one article.

Lowercase scheme and host, default ports dropped, fragment dropped, tracking parameters dropped
(utm_*, fbclid, gclid, …), remaining query parameters sorted. Paths are kept as they are: a path's
case can matter to the server.
"""

from __future__ import annotations

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
