"""`python -m grader` is `grade`."""

from grader.cli.launch import main

main()
