"""Exit codes of ``photoreel``: 0 every job succeeded, 1 a job failed, 2 usage or input
errors (a bad manifest or setting, a path that is not a photo set), 130 interrupted."""

EXIT_OK, EXIT_JOB_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
