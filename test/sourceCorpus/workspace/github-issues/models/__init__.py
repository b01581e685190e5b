from models.issue import Issue

__all__ = ["Issue"]
