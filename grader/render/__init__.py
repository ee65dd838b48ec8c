"""Views of a SectionReport: plain text, rich, JSON."""
