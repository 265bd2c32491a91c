"""Evaluation of cleaning quality: metrics, the sandbox/real-page scorer and the quality gate."""
