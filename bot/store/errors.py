"""The store's errors as callers outside the store catch them, so that only bot/store names sqlalchemy."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError as DatabaseError  # unreachable server, bad credentials, unwritable file

__all__ = ["DatabaseError"]
