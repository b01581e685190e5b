import sqlite3
from typing import Any

from utils.retry import with_retry

DEMO_SCHEMA = """
CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT);
CREATE TABLE invoices (id INTEGER PRIMARY KEY, customer_id INTEGER, total TEXT);
INSERT INTO customers VALUES (1, 'Ada', 'UK'), (2, 'Grace', 'US');
INSERT INTO invoices VALUES (1, 1, '120.50'), (2, 2, 'n/a');
"""


def connect(database_path: str) -> sqlite3.Connection:
    # The demo database is in memory so that the plugin runs without a mounted file.
    connection = sqlite3.connect(":memory:" if database_path.endswith("demo.db") else database_path)
    connection.row_factory = sqlite3.Row
    if database_path.endswith("demo.db"):
        connection.executescript(DEMO_SCHEMA)
    return connection


@with_retry(attempts=3)
def fetch_all(connection: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    cursor = connection.execute(sql, params)
    return [dict(row) for row in cursor.fetchall()]
