"""The engine: learner code in a worker process, checks run here; knows no course data."""
