"""mqexam: context-aware exams and evidence for vocational micro-credentials."""

__version__ = "0.1.0"
