"""Thin GitHub REST client shared by the tools."""

from typing import Any

import httpx

DEFAULT_API_BASE = "https://api.github.com"
ISSUE_STATES = ("open", "closed", "all")


class GitHubClient:
    def __init__(self, api_base: str, token: str, timeout: float = 15.0) -> None:
        self._http = httpx.Client(
            base_url=api_base.rstrip("/"),
            headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {token}",
                "X-GitHub-Api-Version": "2022-11-28",
            },
            timeout=timeout,
        )

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any]) -> "GitHubClient":
        return cls(credentials.get("api_base") or DEFAULT_API_BASE, credentials["access_token"])

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        response = self._http.get(path, params=params)
        response.raise_for_status()
        return response.json()

    def current_user(self) -> dict[str, Any]:
        return self._get("/user")

    def list_issues(self, repo: str, state: str = "open", per_page: int = 30) -> list[dict[str, Any]]:
        if state not in ISSUE_STATES:
            raise ValueError(f"state must be one of {', '.join(ISSUE_STATES)}, got {state!r}")
        return self._get(f"/repos/{repo}/issues", {"state": state, "per_page": per_page})

    def get_issue(self, repo: str, number: int) -> dict[str, Any]:
        return self._get(f"/repos/{repo}/issues/{number}")

    def search_code(self, query: str, repo: str | None = None) -> dict[str, Any]:
        q = f"{query} repo:{repo}" if repo else query
        return self._get("/search/code", {"q": q})
