"""The prompt's language, shared by every backend: tokens per language, numbers and durations
in words, platforms, titles, typos and the lexicons (English, Chinese).

``worker.understanding`` reads a prompt with them and merges what it asks for with the job's
options and the settings into a value and an origin per field.
"""
