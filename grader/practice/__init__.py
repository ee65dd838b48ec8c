"""A learner's practice: drills, progress, watch mode, notebooks."""
