from typing import Any

from dify_plugin import ToolProvider

from feishu.auth import tenant_access_token


class FeishuNotifyProvider(ToolProvider):
    def _validate_credentials(self, credentials: dict[str, Any]) -> None:
        tenant_access_token(credentials["app_id"], credentials["app_secret"])
