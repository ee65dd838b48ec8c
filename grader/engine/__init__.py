"""The engine: learner code in a worker process, checks in pytest here; knows no course data."""
