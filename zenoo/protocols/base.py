"""What every protocol adapter shares: credentials, the request it builds, name validation."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from typing import Protocol as TypingProtocol

from zenoo.exceptions import InvalidValueError
from zenoo.fields.values import python_scalar
from zenoo.transport import HttpResponse

_MODEL_RE = re.compile(r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$")
_METHOD_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Credentials:
    """Who the calls are made as. The secret (password or API key) never shows in a repr."""

    database: str
    login: str
    uid: int
    secret: str = field(repr=False)
    secret_kind: str = "password"  # or "api_key"

    def __repr__(self) -> str:
        return (
            f"Credentials(database={self.database!r}, login={self.login!r}, uid={self.uid}, "
            f"secret_kind={self.secret_kind!r}, secret=<hidden>)"
        )


@dataclass(frozen=True)
class WireRequest:
    """An HTTP request ready to send. Body and headers may hold secrets: they are not in the repr."""

    path: str
    body: Any = field(repr=False)
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    #: the password or API key it carries: no error may repeat them (an error page may quote the request)
    secrets: tuple[str, ...] = field(default=(), repr=False)


class Protocol(TypingProtocol):
    """The interface both adapters implement."""

    name: str

    def call_request(
        self,
        credentials: Credentials,
        model: str,
        method: str,
        ids: list[int] | None,
        args: Sequence[Any],
        kwargs: Mapping[str, Any],
        context: Mapping[str, Any],
    ) -> WireRequest: ...

    def parse(self, response: HttpResponse) -> Any: ...


def check_names(model: str, method: str) -> None:
    """Reject model/method names Odoo could not have, before they end up in a URL or a body."""
    if not isinstance(model, str) or not _MODEL_RE.match(model):
        raise InvalidValueError(f"invalid model name {model!r}: expected something like 'res.partner'")
    if not isinstance(method, str) or not _METHOD_RE.match(method):
        raise InvalidValueError(f"invalid method name {method!r}: expected a Python identifier such as 'search_read'")


def check_ids(ids: Any) -> list[int]:
    """Record ids as a list of ints: one int, or an iterable of ints (bools are refused; numpy and
    pandas integers, such as a frame's id column holds, count as ints). An id below 1 names no
    record: Odoo would write or delete nothing and answer True, so it is refused."""
    single = python_scalar(ids)
    values = [single] if isinstance(single, int) and not isinstance(single, bool) else ids
    if isinstance(values, (str, bytes, Mapping)) or not hasattr(values, "__iter__"):
        raise InvalidValueError(f"ids must be an int or a list of ints, got {type(ids).__name__}")
    if type(values) is list and values and set(map(type, values)) == {int} and min(values) >= 1:
        return list(values)  # the common case, checked without a loop in Python
    result = []
    for value in values:
        number = value if type(value) is int else python_scalar(value)
        if not isinstance(number, int) or isinstance(number, bool):
            raise InvalidValueError(f"ids must be ints, got {value!r} ({type(value).__name__})")
        if number < 1:
            raise InvalidValueError(f"ids must be record ids (1 or more), got {number}")
        result.append(number)
    return result


def uniform_answer(method: str, args: Sequence[Any], kwargs: Mapping[str, Any], answer: Any) -> Any:
    """The answer in one shape on both protocols: ``create`` given one dict answers its id
    (JSON-2 answers ``[id]`` where JSON-RPC answers the id), given a list the list of ids."""
    if method == "create" and isinstance(answer, list) and len(answer) == 1:
        values = args[0] if args else kwargs.get("vals_list")
        if isinstance(values, Mapping):
            return answer[0]
    return answer
