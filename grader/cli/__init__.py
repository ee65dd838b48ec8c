"""The one typer app: parse, call, render, exit code."""
