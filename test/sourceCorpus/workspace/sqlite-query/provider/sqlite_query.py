from pathlib import PurePosixPath
from typing import Any

from dify_plugin import ToolProvider
from dify_plugin.errors.tool import ToolProviderCredentialValidationError

ALLOWED_SUFFIXES = (".db", ".sqlite", ".sqlite3")


class SqliteQueryProvider(ToolProvider):
    def _validate_credentials(self, credentials: dict[str, Any]) -> None:
        path = PurePosixPath(credentials["database_path"])
        if path.suffix not in ALLOWED_SUFFIXES:
            raise ToolProviderCredentialValidationError(
                f"{path.name} is not a SQLite file (expected one of {', '.join(ALLOWED_SUFFIXES)})"
            )
