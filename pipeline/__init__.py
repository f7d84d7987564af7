"""Topics and themes in Chinese 法治政府建设年度报告: clean -> segment -> filter -> lda, tfidf -> themes -> plots."""

__version__ = "0.1.0"
