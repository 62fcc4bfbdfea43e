"""Outcomes and reports built by hand, for the pure modules' tests."""

from __future__ import annotations

from kbsync.coverage.questions import Question
from kbsync.coverage.report import Report, build_report
from kbsync.coverage.scoring import Hit, Outcome, Settings, decide

SETTINGS = Settings(top_k=3, min_score=5.0)


def hit(slug: str, score: float, collection: str = "billing", name: str = "Billing",
        link: str | None = None) -> Hit:
    return Hit(slug, slug.replace("-", " ").title(), score, collection, name,
               link or f"https://help.example.com/{collection}/{slug}-1")


def outcome(title: str, hits: list[Hit], *, count: int = 1, expect: tuple[str, ...] = (),
            text: str | None = None) -> Outcome:
    question = Question(text or title, title, count=count, expect=expect,
                        sources=(f"ticket {title}",))
    return decide(question, hits, SETTINGS)


def sample_outcomes() -> list[Outcome]:
    return [
        outcome("How do I get a refund?", [hit("refunds", 9.0), hit("plans", 2.0)],
                expect=("refunds",)),
        outcome("Where are my invoices?", [hit("plans", 6.0), hit("invoices", 3.0)],
                expect=("invoices",)),
        outcome("Track my parcel", [hit("track-a-parcel", 7.0, "shipping", "Shipping")],
                count=4),
        outcome("Do you support cash on delivery?",
                [hit("choose-a-carrier", 3.0, "shipping", "Shipping")], count=3),
        outcome("Cash on delivery for Poland?", [], count=2),
        outcome("Android app <for> scanning | parcels", [hit("plans", 1.0)]),
    ]


def sample_report(where: str = "remote", outcomes: list[Outcome] | None = None) -> Report:
    return build_report(outcomes or sample_outcomes(), where=where,  # type: ignore[arg-type]
                        target="the Help Center" if where == "remote" else "the local tree",
                        sources=["coverage.yaml: 2", "tickets: 4"], settings=SETTINGS,
                        searches=6, fetched=10)
