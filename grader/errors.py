"""The few exception types the CLI turns into a message and an exit code."""


class GraderError(Exception):
    """Base of errors the CLI reports without a traceback."""

    exit_code = 3


class UsageError(GraderError):
    """The learner asked for something that does not exist (unknown section, missing file): exit 2."""

    exit_code = 2


class CourseDataError(GraderError):
    """The course manifest or a question file is invalid: a fault of the package's data, exit 3."""

    exit_code = 3


class InternalError(GraderError):
    """A fault of the grader itself (a check that crashed, a broken plugin): exit 3, never the learner's 0."""

    exit_code = 3


def unknown_section(section_id: str, known: list[str]) -> UsageError:
    """The usage error for a section id the course does not have, listing those it has."""
    return UsageError(f"セクション {section_id} はありません / unknown section {section_id} "
                      f"(known: {', '.join(known)})")
