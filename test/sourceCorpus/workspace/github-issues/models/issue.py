from datetime import datetime

from pydantic import BaseModel


class IssueUser(BaseModel):
    login: str
    id: int


class Issue(BaseModel):
    number: int
    title: str
    state: str
    user: IssueUser
    body: str | None = None
    created_at: datetime
    closed_at: datetime | None = None
