"""From a reporter's article to proposed events: reading, dates, figures, actors, proposals.

No Qt here, so the whole analysis is testable without a window; the review dialog
(explorer/ui/article_review.py) and the command line only present what this finds.
"""


def words(text: str) -> frozenset[str]:
    """A word list written as text, one or more words a line."""
    return frozenset(text.split())
