"""`python -m grader` is `grade`."""

from grader.launch import main

main()
