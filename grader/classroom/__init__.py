"""An instructor's workflows: intake, batch grading, exports, summary, release, Gradescope."""
