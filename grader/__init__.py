"""E資格 practice grader: hidden checks in this process, learner code in a worker child, one SectionReport."""
