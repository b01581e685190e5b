from typing import Any


def summarize_issue(issue: dict[str, Any]) -> dict[str, Any]:
    labels = [label["name"] for label in issue.get("labels", [])]
    return {
        "number": issue["number"],
        "title": issue["title"],
        "author": issue["user"]["login"],
        "labels": labels,
        "comments": issue.get("comments", 0),
        "url": issue["html_url"],
    }


def format_issue_line(summary: dict[str, Any]) -> str:
    tags = f" [{', '.join(summary['labels'])}]" if summary["labels"] else ""
    return f"#{summary['number']} {summary['title']} (@{summary['author']}){tags}"
