"""The few exception types the CLI turns into a message and an exit code."""

from __future__ import annotations

TYPE_CHECKING = False  # typing's flag without importing typing, which the CLI's first steps do not need (~2.5 ms)
if TYPE_CHECKING:
    from grader.text import Text


class GraderError(Exception):
    """Base of errors the CLI reports without a traceback. The message is a Text when the learner can act on it
    (shown in their language: `render(lang)`), or a plain string for a report of a grader fault; `str(e)` is
    always the bilingual form."""

    exit_code = 3

    def __init__(self, message: str | Text = "") -> None:
        self.text = None if isinstance(message, str) else message
        super().__init__(message if isinstance(message, str) else message.render("both"))

    def render(self, lang: str = "both") -> str:
        """The message in `lang` (ja, en or both); a plain-string message as it is."""
        return self.text.render(lang) if self.text is not None else str(self)


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
    from grader.text import Text

    listed = ", ".join(known)
    return UsageError(Text(ja=f"セクション {section_id} はありません (あるセクション: {listed})",
                           en=f"unknown section {section_id} (known: {listed})"))
