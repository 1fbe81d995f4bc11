"""Server-side web sessions of the embedded server (``session_id`` cookies).

Session ids are random and live only in this store; they are never logged or recorded.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie

from .wire import SESSION_COOKIE


@dataclass(frozen=True)
class Session:
    """A logged-in web session."""

    sid: str
    uid: int

    def __repr__(self) -> str:  # never show the session id
        return f"Session(uid={self.uid})"


class SessionStore:
    """Logged-in sessions by id; anonymous cookies are handed out but not stored."""

    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}
        self._used: set[str] = set()
        self._lock = threading.Lock()

    @staticmethod
    def new_sid() -> str:
        return secrets.token_urlsafe(42)

    def login(self, uid: int) -> Session:
        """A fresh session for ``uid`` (a new id at every login, as Odoo rotates it)."""
        session = Session(self.new_sid(), uid)
        with self._lock:
            self._sessions[session.sid] = session
        return session

    def get(self, sid: str | None) -> Session | None:
        if not sid:
            return None
        with self._lock:
            return self._sessions.get(sid)

    def first_use(self, sid: str) -> bool:
        """True the first time a session serves an authenticated request after its login."""
        with self._lock:
            if sid in self._used:
                return False
            self._used.add(sid)
            return True

    def destroy(self, sid: str) -> None:
        with self._lock:
            self._sessions.pop(sid, None)
            self._used.discard(sid)

    def expire_all(self) -> int:
        """Forget every session (as a server restart with a wiped session store would); returns how many."""
        with self._lock:
            count = len(self._sessions)
            self._sessions.clear()
            self._used.clear()
        return count

    def __len__(self) -> int:
        return len(self._sessions)


def session_id_from_cookie_header(header: str | None) -> str | None:
    """The ``session_id`` value of a ``Cookie`` header, or None."""
    if not header:
        return None
    cookies = SimpleCookie()
    try:
        cookies.load(header)
    except CookieError:
        return None
    morsel = cookies.get(SESSION_COOKIE)
    return morsel.value if morsel is not None else None
