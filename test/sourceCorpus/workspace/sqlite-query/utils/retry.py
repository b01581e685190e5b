import functools
import sqlite3
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def with_retry(attempts: int = 3, delay: float = 0.0) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Retries on 'database is locked'; every other error goes straight through."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            for attempt in range(attempts):
                try:
                    return func(*args, **kwargs)
                except sqlite3.OperationalError as e:
                    if "locked" not in str(e) or attempt == attempts - 1:
                        raise
                    time.sleep(delay)
            raise AssertionError("unreachable")

        return wrapper

    return decorate
