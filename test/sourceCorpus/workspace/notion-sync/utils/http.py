from typing import Any

import httpx

NOTION_VERSION = "2022-06-28"


def notion_client(credentials: dict[str, Any]) -> httpx.Client:
    return httpx.Client(
        base_url=(credentials.get("api_base") or "https://api.notion.com").rstrip("/"),
        headers={
            "Authorization": f"Bearer {credentials['integration_token']}",
            "Notion-Version": NOTION_VERSION,
        },
        timeout=10.0,
    )
